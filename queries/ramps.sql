-- ramps: the ramp window of each level (users being added), reported apart
-- from the holds: per level and step, requests, requests/s, exact p50/p95
-- of answered latency, error and throttle rates. ramp_us is where the
-- level's ramp starts (windows.steady_us is where it ends).
WITH w AS (
    SELECT level, users, ramp_us, steady_us, (steady_us - ramp_us) / 1e6 AS window_s
    FROM windows
    WHERE steady_us > ramp_us
)
SELECT
    w.level::INTEGER                                                  AS level,
    tr.step::VARCHAR                                                  AS step,
    any_value(w.users)::INTEGER                                       AS users,
    any_value(w.window_s)                                             AS window_s,
    count(*)                                                          AS requests,
    count(*) / any_value(w.window_s)                                  AS rps,
    quantile_cont(tr.latency_ms, 0.50) FILTER (WHERE tr.error = '')   AS p50_ms,
    quantile_cont(tr.latency_ms, 0.95) FILTER (WHERE tr.error = '')   AS p95_ms,
    count(*) FILTER (WHERE tr.error <> '') / count(*)                 AS error_rate,
    count(*) FILTER (WHERE tr.throttled) / count(*)                   AS throttle_rate
FROM w
JOIN traces tr
  ON epoch_us(tr.start) >= w.ramp_us AND epoch_us(tr.start) < w.steady_us
GROUP BY w.level, tr.step
ORDER BY w.level, tr.step
