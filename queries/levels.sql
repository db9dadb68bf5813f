-- levels: one row per level over its hold (steady) window, for the
-- conversation step $1 (e.g. 'ask'), from hold_steps (the one pass over
-- the holds, made for the same step $1):
--   requests, answered, requests/s, answered/s (throughput), exact
--   p50/p95/p99 latency of answered requests (quantile_cont: linear
--   interpolation at (n-1)p), error, throttle and timeout rates (of all
--   requests of the step), input/output tokens per minute of answered
--   requests;
-- and over all steps: requests, error rate, throttle rate.
-- A level whose window saw no request still has a row (zero counts, NULL
-- percentiles). $2 is true for a closed-model run: its users all send in a
-- hold, so a hold that saw no request is a target that answered nothing,
-- an all-step error rate of 100% (as the live check judges it), not 0%.
WITH agg AS (
    -- hold_steps has one row per level and step: a FILTER picks step $1's.
    SELECT level,
        max(requests) FILTER (WHERE step = $1)                         AS requests,
        max(answered) FILTER (WHERE step = $1)                         AS answered,
        max(q) FILTER (WHERE step = $1)                                AS q,
        max(errors) FILTER (WHERE step = $1)                           AS errors,
        max(throttled) FILTER (WHERE step = $1)                        AS throttled,
        max(timeouts) FILTER (WHERE step = $1)                         AS timeouts,
        coalesce(max(input_tokens) FILTER (WHERE step = $1), 0)        AS input_tokens,
        coalesce(max(output_tokens) FILTER (WHERE step = $1), 0)       AS output_tokens,
        sum(requests)::BIGINT                                          AS all_requests,
        sum(errors)::BIGINT                                            AS all_errors,
        sum(throttled)::BIGINT                                         AS all_throttled
    FROM hold_steps
    GROUP BY level
),
w AS (
    SELECT level, users, steady_us, end_us, (end_us - steady_us) / 1e6 AS window_s
    FROM windows
    WHERE end_us > steady_us
)
SELECT
    w.level::INTEGER                                         AS level,
    w.users::INTEGER                                         AS users,
    make_timestamp(w.steady_us)                              AS window_start,
    make_timestamp(w.end_us)                                 AS window_end,
    w.window_s                                               AS window_s,
    coalesce(a.requests, 0)                                  AS requests,
    coalesce(a.answered, 0)                                  AS answered,
    coalesce(a.requests, 0) / w.window_s                     AS rps,
    coalesce(a.answered, 0) / w.window_s                     AS answered_rps,
    a.q[5] AS p50_ms, a.q[8] AS p95_ms, a.q[9] AS p99_ms, -- of brink.LatencyProbs
    coalesce(a.errors / nullif(a.requests, 0), 0)            AS error_rate,
    coalesce(a.throttled / nullif(a.requests, 0), 0)         AS throttle_rate,
    coalesce(a.timeouts / nullif(a.requests, 0), 0)          AS timeout_rate,
    coalesce(a.input_tokens, 0) / (w.window_s / 60)          AS input_tokens_per_min,
    coalesce(a.output_tokens, 0) / (w.window_s / 60)         AS output_tokens_per_min,
    coalesce(a.all_requests, 0)                              AS all_requests,
    coalesce(a.all_errors / nullif(a.all_requests, 0),
             CASE WHEN $2 AND w.users > 0 THEN 1 ELSE 0 END) AS all_error_rate,
    coalesce(a.all_throttled / nullif(a.all_requests, 0), 0) AS all_throttle_rate
FROM w
LEFT JOIN agg a USING (level)
ORDER BY w.level
