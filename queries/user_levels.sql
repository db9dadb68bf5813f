-- user_levels: the slowest users, per level's hold window. For each virtual
-- user, the median and the worst of its own answered latencies of the
-- conversation step (hold_users, made for that step); then, across the
-- users of the level, the 95th percentile (quantile_cont) of each: "what
-- does the slowest 5% of users experience?"
SELECT level::INTEGER                     AS level,
       count(*)                           AS users_seen,
       quantile_cont(median_ms, 0.95)     AS user_p95_median_ms,
       quantile_cont(max_ms, 0.95)        AS user_p95_max_ms
FROM hold_users
WHERE median_ms IS NOT NULL
GROUP BY level
ORDER BY level
