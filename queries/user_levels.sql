-- user_levels: the slowest users, per level's hold window. For each virtual
-- user, the median and the worst of its own answered latencies of step $1;
-- then, across the users of the level, the 95th percentile (quantile_cont)
-- of each: "what does the slowest 5% of users experience?"
WITH per_user AS (
    SELECT level, vu,
           quantile_cont(latency_ms, 0.5) AS user_median_ms,
           max(latency_ms)                AS user_max_ms
    FROM hold
    WHERE step = $1 AND error = ''
    GROUP BY level, vu
)
SELECT level::INTEGER                          AS level,
       count(*)                                AS users_seen,
       quantile_cont(user_median_ms, 0.95)     AS user_p95_median_ms,
       quantile_cont(user_max_ms, 0.95)        AS user_p95_max_ms
FROM per_user
GROUP BY level
ORDER BY level
