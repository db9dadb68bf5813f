-- littles_law: per level's hold window (from hold_users, the per-user pass), Little's law for a closed system,
-- N = X (R + Z): throughput X (requests/s, all steps), mean response time R
-- and mean idle time Z between a user's requests (think time and whatever
-- the generator added), measured from the traces. A virtual user sends one
-- request at a time, so its idle time over the window is the span from its
-- first to its last request start less the latencies of all but the last
-- (of requests starting together, the slowest counts as the last);
-- Z is that summed over users, per gap. The users it implies, X (R + Z),
-- next to the level's target users: well below means users were idle for
-- longer than they should have been — the generator, not the target, was
-- the limit.
WITH per_user AS (
    -- hold_users has a row per level, step and user: a user's rows across steps
    SELECT level, vu,
           sum(requests)                                               AS n,
           sum(latency_sum_ms)                                         AS lat_ms,
           (max(last_start_us) - min(first_start_us)) / 1e3
             - (sum(latency_sum_ms) - arg_max(last_latency_ms, last_key)) AS idle_ms,
           any_value(window_s)                                         AS window_s
    FROM hold_users
    GROUP BY level, vu
),
lv AS (
    SELECT level,
           sum(n)                                     AS n,
           sum(lat_ms) / sum(n)                       AS mean_response_ms,
           sum(idle_ms) / nullif(sum(n) - count(*), 0) AS mean_idle_ms,
           any_value(window_s)                        AS window_s
    FROM per_user
    GROUP BY level
)
SELECT level::INTEGER                                                     AS level,
       n / window_s                                                       AS throughput_rps,
       mean_response_ms,
       mean_idle_ms,
       n / window_s * (mean_response_ms + coalesce(mean_idle_ms, 0)) / 1000 AS implied_users
FROM lv
ORDER BY level
