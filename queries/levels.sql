-- levels: one row per level over its hold (steady) window, for the
-- conversation step $1 (e.g. 'ask'):
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
    SELECT level,
        count(*) FILTER (WHERE step = $1)                              AS requests,
        count(*) FILTER (WHERE step = $1 AND error = '')               AS answered,
        quantile_cont(latency_ms, [0.50, 0.95, 0.99]) FILTER (WHERE step = $1 AND error = '') AS q,
        count(*) FILTER (WHERE step = $1 AND error <> '')              AS errors,
        count(*) FILTER (WHERE step = $1 AND throttled)                AS throttled,
        count(*) FILTER (WHERE step = $1 AND error = 'timeout')        AS timeouts,
        coalesce(sum(input_tokens) FILTER (WHERE step = $1 AND error = ''), 0)  AS input_tokens,
        coalesce(sum(output_tokens) FILTER (WHERE step = $1 AND error = ''), 0) AS output_tokens,
        count(*)                                                       AS all_requests,
        count(*) FILTER (WHERE error <> '')                            AS all_errors,
        count(*) FILTER (WHERE throttled)                              AS all_throttled
    FROM hold
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
    a.q[1] AS p50_ms, a.q[2] AS p95_ms, a.q[3] AS p99_ms,
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
