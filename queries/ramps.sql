-- ramps: the ramp window of each level (users being added), reported apart
-- from the holds: per level and step, requests, requests/s, exact p50/p95
-- of answered latency, error and throttle rates.
WITH agg AS (
    SELECT
        level, step,
        any_value(users)                                                  AS users,
        any_value(window_s)                                               AS window_s,
        count(*)                                                          AS requests,
        quantile_cont(latency_ms, [0.50, 0.95]) FILTER (WHERE error = '') AS q,
        count(*) FILTER (WHERE error <> '')                               AS errors,
        count(*) FILTER (WHERE throttled)                                 AS throttled
    FROM ramp
    GROUP BY level, step
)
SELECT
    level::INTEGER           AS level,
    step::VARCHAR            AS step,
    users::INTEGER           AS users,
    window_s,
    requests,
    requests / window_s      AS rps,
    q[1]                     AS p50_ms,
    q[2]                     AS p95_ms,
    errors / requests        AS error_rate,
    throttled / requests     AS throttle_rate
FROM agg
ORDER BY level, step
