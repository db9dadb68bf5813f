-- littles_law: per level's hold window, Little's law for a closed system,
-- N = X (R + Z): throughput X (requests/s, all steps), mean response time R
-- and mean idle time Z between a user's requests (think time and whatever
-- the generator added), measured from the traces. The users it implies,
-- X (R + Z), next to the level's target users: well below it means users
-- were idle for longer than they should have been — the generator, not
-- the target, was the limit. Idle gaps over 10 minutes (a stopped user)
-- are left out.
WITH t AS (
    SELECT w.level, tr.vu, epoch_us(tr.start) AS s_us, tr.latency_ms,
           lead(epoch_us(tr.start)) OVER (PARTITION BY w.level, tr.vu ORDER BY tr.start, tr.latency_ms) AS next_us
    FROM windows w
    JOIN traces tr
      ON epoch_us(tr.start) >= w.steady_us AND epoch_us(tr.start) < w.end_us
),
g AS (
    SELECT level, latency_ms,
           CASE WHEN next_us IS NOT NULL
                 AND (next_us - s_us) / 1e3 - latency_ms BETWEEN 0 AND 600000
                THEN (next_us - s_us) / 1e3 - latency_ms END AS idle_ms
    FROM t
)
SELECT g.level::INTEGER                                  AS level,
       count(*) / any_value((w.end_us - w.steady_us) / 1e6) AS throughput_rps,
       avg(latency_ms)                                   AS mean_response_ms,
       avg(idle_ms)                                      AS mean_idle_ms,
       count(*) / any_value((w.end_us - w.steady_us) / 1e6)
         * (avg(latency_ms) + coalesce(avg(idle_ms), 0)) / 1000 AS implied_users
FROM g JOIN windows w USING (level)
GROUP BY g.level
ORDER BY g.level
