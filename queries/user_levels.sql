-- user_levels: the slowest users, per level's hold window. For each virtual
-- user, the median and the worst of its own answered latencies of step $1;
-- then, across the users of the level, the 95th percentile (quantile_cont)
-- of each: "what does the slowest 5% of users experience?"
WITH per_user AS (
    SELECT w.level, tr.vu,
           quantile_cont(tr.latency_ms, 0.5) AS user_median_ms,
           max(tr.latency_ms)                AS user_max_ms
    FROM windows w
    JOIN traces tr
      ON epoch_us(tr.start) >= w.steady_us AND epoch_us(tr.start) < w.end_us
    WHERE tr.step = $1 AND tr.error = ''
    GROUP BY w.level, tr.vu
)
SELECT level::INTEGER                          AS level,
       count(*)                                AS users_seen,
       quantile_cont(user_median_ms, 0.95)     AS user_p95_median_ms,
       quantile_cont(user_max_ms, 0.95)        AS user_p95_max_ms
FROM per_user
GROUP BY level
ORDER BY level
