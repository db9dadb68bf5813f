-- hold_steps: the one pass over the holds per step that level_steps, levels,
-- latency_dist and server_errors read (exact percentiles are most of the
-- analysis's time, so each answered latency is collected once). One row per
-- level and step over the level's hold window, for the conversation step $1:
--   requests, answered, errors, server_errors (5xx other than a 504 timeout,
--   error class http_5xx), throttled, timeouts; sessions (each virtual
--   user's sessions seen in the window, from hold_users, made first); min
--   and max answered latency; token sums of answered requests;
--   q: exact percentiles (quantile_cont) of answered latency at 0.01, 0.05,
--      0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99 (brink.LatencyProbs) for
--      step $1, at 0.50, 0.90, 0.95, 0.99 for the other steps;
--   qt: the same of time to first byte at 0.50, 0.95.
WITH sessions AS (
    SELECT level, step, sum(sessions) AS sessions FROM hold_users GROUP BY level, step
),
agg AS (
    SELECT
        level, step,
        any_value(users)                                                 AS users,
        any_value(window_s)                                              AS window_s,
        count(*)                                                         AS requests,
        count(*) FILTER (WHERE error = '')                               AS answered,
        quantile_cont(latency_ms, [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99])
            FILTER (WHERE error = '' AND step = $1)                      AS q_conv,
        quantile_cont(latency_ms, [0.50, 0.90, 0.95, 0.99])
            FILTER (WHERE error = '' AND step <> $1)                     AS q_other,
        min(latency_ms) FILTER (WHERE error = '')                        AS min_ms,
        max(latency_ms) FILTER (WHERE error = '')                        AS max_ms,
        quantile_cont(ttfb_ms, [0.50, 0.95]) FILTER (WHERE error = '')   AS qt,
        count(*) FILTER (WHERE error <> '')                              AS errors,
        count(*) FILTER (WHERE error = 'http_5xx')                       AS server_errors,
        count(*) FILTER (WHERE throttled)                                AS throttled,
        count(*) FILTER (WHERE error = 'timeout')                        AS timeouts,
        sum(input_tokens) FILTER (WHERE error = '')                      AS input_tokens,
        sum(output_tokens) FILTER (WHERE error = '')                     AS output_tokens
    FROM hold
    GROUP BY level, step
)
SELECT
    a.level::INTEGER AS level, a.step::VARCHAR AS step, a.users::INTEGER AS users, a.window_s,
    a.requests, a.answered, a.errors, a.server_errors, a.throttled, a.timeouts, s.sessions,
    a.min_ms, a.max_ms,
    CASE WHEN a.step = $1 THEN a.q_conv ELSE a.q_other END AS q,
    a.qt, a.input_tokens, a.output_tokens
FROM agg a
JOIN sessions s USING (level, step)
ORDER BY level, step
