-- ramps: the ramp window of each level (users being added), reported apart
-- from the holds: per level and step, requests, requests/s, exact p50/p95
-- of answered latency, error and throttle rates.
SELECT
    level::INTEGER                                                    AS level,
    step::VARCHAR                                                     AS step,
    any_value(users)::INTEGER                                         AS users,
    any_value(window_s)                                               AS window_s,
    count(*)                                                          AS requests,
    count(*) / any_value(window_s)                                    AS rps,
    quantile_cont(latency_ms, [0.50, 0.95]) FILTER (WHERE error = '') AS q,
    count(*) FILTER (WHERE error <> '') / count(*)                    AS error_rate,
    count(*) FILTER (WHERE throttled) / count(*)                      AS throttle_rate
FROM ramp
GROUP BY level, step
ORDER BY level, step
