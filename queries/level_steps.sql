-- level_steps: one row per level and step over the level's hold (steady)
-- window, by request start time: requests, requests/s, sessions/min (new
-- chat sessions: distinct (vu, session) pairs seen), exact percentiles
-- (quantile_cont) of answered latency and time to first byte, error,
-- throttle and timeout rates, and token rates. This is analysis/levels.parquet.
WITH w AS (
    SELECT level, users, steady_us, end_us, (end_us - steady_us) / 1e6 AS window_s
    FROM windows
),
t AS (
    SELECT w.level, w.users, w.window_s, tr.*
    FROM w
    JOIN traces tr
      ON epoch_us(tr.start) >= w.steady_us AND epoch_us(tr.start) < w.end_us
)
SELECT
    level::INTEGER                                                   AS level,
    step::VARCHAR                                                    AS step,
    any_value(users)::INTEGER                                        AS users,
    any_value(window_s)                                              AS window_s,
    count(*)                                                         AS requests,
    count(*) FILTER (WHERE error = '')                               AS answered,
    count(*) / any_value(window_s)                                   AS rps,
    count(DISTINCT (vu, session)) / (any_value(window_s) / 60)       AS sessions_per_min,
    quantile_cont(latency_ms, 0.50) FILTER (WHERE error = '')        AS p50_ms,
    quantile_cont(latency_ms, 0.90) FILTER (WHERE error = '')        AS p90_ms,
    quantile_cont(latency_ms, 0.95) FILTER (WHERE error = '')        AS p95_ms,
    quantile_cont(latency_ms, 0.99) FILTER (WHERE error = '')        AS p99_ms,
    max(latency_ms) FILTER (WHERE error = '')                        AS max_ms,
    quantile_cont(ttfb_ms, 0.50) FILTER (WHERE error = '')           AS ttfb_p50_ms,
    quantile_cont(ttfb_ms, 0.95) FILTER (WHERE error = '')           AS ttfb_p95_ms,
    count(*) FILTER (WHERE error <> '') / count(*)                   AS error_rate,
    count(*) FILTER (WHERE throttled) / count(*)                     AS throttle_rate,
    count(*) FILTER (WHERE error = 'timeout') / count(*)             AS timeout_rate,
    coalesce(sum(input_tokens) FILTER (WHERE error = ''), 0) / (any_value(window_s) / 60)  AS input_tokens_per_min,
    coalesce(sum(output_tokens) FILTER (WHERE error = ''), 0) / (any_value(window_s) / 60) AS output_tokens_per_min
FROM t
GROUP BY level, step
ORDER BY level, step
