-- latency_dist: the distribution of answered latency of step $1 over each
-- level's hold window: count, min, max and exact quantiles (quantile_cont,
-- linear interpolation at (n-1)p) at 0.01, 0.05, 0.10, 0.25, 0.50, 0.75,
-- 0.90, 0.95 and 0.99 (brink.LatencyProbs, in that order). Levels without
-- an answered request are absent.
SELECT
    level::INTEGER                 AS level,
    any_value(users)::INTEGER      AS users,
    count(*)                       AS answered,
    min(latency_ms)                AS min_ms,
    max(latency_ms)                AS max_ms,
    quantile_cont(latency_ms, [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]) AS q
FROM hold
WHERE step = $1 AND error = ''
GROUP BY level
ORDER BY level
