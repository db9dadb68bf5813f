-- level_steps: one row per level and step over the level's hold window:
-- requests, requests/s, sessions/min (each virtual user's sessions seen in
-- the window: its session numbers run consecutively), exact percentiles
-- (quantile_cont) of answered latency and time to first byte, error,
-- throttle and timeout rates, and token rates. This is
-- analysis/levels.parquet.
WITH per_user AS (
    SELECT level, step, vu, max(session) - min(session) + 1 AS sessions
    FROM hold
    GROUP BY level, step, vu
),
sessions AS (
    SELECT level, step, sum(sessions) AS sessions FROM per_user GROUP BY level, step
),
agg AS (
    SELECT
        level, step,
        any_value(users)                                                 AS users,
        any_value(window_s)                                              AS window_s,
        count(*)                                                         AS requests,
        count(*) FILTER (WHERE error = '')                               AS answered,
        quantile_cont(latency_ms, [0.50, 0.90, 0.95, 0.99]) FILTER (WHERE error = '') AS q,
        max(latency_ms) FILTER (WHERE error = '')                        AS max_ms,
        quantile_cont(ttfb_ms, [0.50, 0.95]) FILTER (WHERE error = '')   AS qt,
        count(*) FILTER (WHERE error <> '')                              AS errors,
        count(*) FILTER (WHERE throttled)                                AS throttled,
        count(*) FILTER (WHERE error = 'timeout')                        AS timeouts,
        coalesce(sum(input_tokens) FILTER (WHERE error = ''), 0)         AS input_tokens,
        coalesce(sum(output_tokens) FILTER (WHERE error = ''), 0)        AS output_tokens
    FROM hold
    GROUP BY level, step
)
SELECT
    a.level::INTEGER                               AS level,
    a.step::VARCHAR                                AS step,
    a.users::INTEGER                               AS users,
    a.window_s                                     AS window_s,
    a.requests, a.answered,
    a.requests / a.window_s                        AS rps,
    s.sessions / (a.window_s / 60)                 AS sessions_per_min,
    a.q[1] AS p50_ms, a.q[2] AS p90_ms, a.q[3] AS p95_ms, a.q[4] AS p99_ms, a.max_ms,
    a.qt[1] AS ttfb_p50_ms, a.qt[2] AS ttfb_p95_ms,
    a.errors / a.requests                          AS error_rate,
    a.throttled / a.requests                       AS throttle_rate,
    a.timeouts / a.requests                        AS timeout_rate,
    a.input_tokens / (a.window_s / 60)             AS input_tokens_per_min,
    a.output_tokens / (a.window_s / 60)            AS output_tokens_per_min
FROM agg a
JOIN sessions s USING (level, step)
ORDER BY a.level, a.step
