-- latency_dist: the distribution of answered latency of step $1 over each
-- level's hold window, from hold_steps (the one pass over the holds, made
-- for the same step $1): count, min, max and exact quantiles
-- (quantile_cont, linear interpolation at (n-1)p) at 0.01, 0.05, 0.10,
-- 0.25, 0.50, 0.75, 0.90, 0.95 and 0.99 (brink.LatencyProbs, in that
-- order). Levels without an answered request are absent.
SELECT
    level,
    users,
    answered,
    min_ms,
    max_ms,
    q
FROM hold_steps
WHERE step = $1 AND answered > 0
ORDER BY level
