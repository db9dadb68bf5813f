-- generator_load: the generator's own load over each level's hold, from
-- its per-second self-measurement (generator/self.jsonl, one file per
-- shard, read as the table self): the worst shard's p95 process CPU (share
-- of the host's cores), mean host steal and worst scheduler latency.
WITH per_file AS (
    SELECT w.level, s.filename,
           quantile_cont(s.process_cpu, 0.95) AS process_cpu,
           avg(s.host_steal) AS host_steal,
           max(s.sched_p99_ms) AS sched_p99_ms
    FROM self s
    JOIN windows w ON epoch_us(s.t) > w.steady_us AND epoch_us(s.t) <= w.end_us
    GROUP BY w.level, s.filename
)
SELECT level, max(process_cpu) AS process_cpu, max(host_steal) AS host_steal, max(sched_p99_ms) AS sched_p99_ms
FROM per_file
GROUP BY level
ORDER BY level
