-- sim_lateness: the brink sim's lateness over each level's hold, from its
-- per-second self-measurement (sim/self.parquet, read as the view
-- sim_self: Brink/Sim Lateness p99, Maximum and SampleCount, ServiceTime
-- p50, one row per second and statistic). A second counts for a level when
-- its whole period lies in the hold. The sim keeps a sketch per second,
-- not the turns, so the hold's p99 lateness is the 0.99 quantile of the
-- seconds' p99s weighted by their turns, and the modelled conversation time
-- the turn-weighted median of the seconds' p50 service times.
WITH secs AS (
    SELECT w.level, m.ts,
           max(m.value) FILTER (WHERE m.metric = 'Lateness' AND m.stat = 'p99')         AS p99,
           max(m.value) FILTER (WHERE m.metric = 'Lateness' AND m.stat = 'Maximum')     AS mx,
           max(m.value) FILTER (WHERE m.metric = 'Lateness' AND m.stat = 'SampleCount') AS n,
           max(m.value) FILTER (WHERE m.metric = 'ServiceTime' AND m.stat = 'p50')      AS svc
    FROM sim_self m
    JOIN windows w ON epoch_us(m.ts) >= w.steady_us AND epoch_us(m.ts) + m.period_s * 1e6 <= w.end_us
    WHERE m.namespace = 'Brink/Sim'
    GROUP BY w.level, m.ts
),
ranked AS (
    SELECT level, n, p99, mx, svc,
           sum(n) OVER (PARTITION BY level ORDER BY p99 ROWS UNBOUNDED PRECEDING) / sum(n) OVER (PARTITION BY level) AS cum_p99,
           sum(n) OVER (PARTITION BY level ORDER BY svc ROWS UNBOUNDED PRECEDING) / sum(n) OVER (PARTITION BY level) AS cum_svc
    FROM secs
    WHERE n > 0
)
SELECT level,
       sum(n)::BIGINT                                  AS turns,
       min(p99) FILTER (WHERE cum_p99 >= 0.99)         AS lateness_p99_ms,
       max(mx)                                         AS lateness_max_ms,
       min(svc) FILTER (WHERE cum_svc >= 0.5)          AS service_p50_ms
FROM ranked
GROUP BY level
ORDER BY level
