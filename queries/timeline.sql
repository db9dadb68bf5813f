-- timeline: the run over scenario time, in buckets of $2 seconds counted
-- from $1 (the run's start, microseconds since the Unix epoch), ramps and
-- holds alike, for the conversation step $3. Per bucket: requests/s of all
-- steps, answered requests/s of step $3 (throughput), failed requests/s of
-- all steps, the exact p95 (quantile_cont) of answered $3 latency, and the
-- level (with its target users and phase) whose window — ramp start to hold
-- end — the bucket starts in (NULL outside every level). Buckets without a
-- request are absent. A request counts in the bucket it started in.
WITH b AS (
    SELECT ((epoch_us(start) - $1) // ($2 * 1000000))::BIGINT             AS bucket,
           count(*)                                                       AS requests,
           count(*) FILTER (WHERE error <> '')                            AS errors,
           count(*) FILTER (WHERE step = $3 AND error = '')               AS answered,
           quantile_cont(latency_ms, 0.95) FILTER (WHERE step = $3 AND error = '') AS p95_ms
    FROM traces
    WHERE epoch_us(start) >= $1
    GROUP BY bucket
),
t AS (
    SELECT *, $1 + bucket * $2 * 1000000 AS t_us FROM b
)
SELECT
    (t.bucket * $2)::DOUBLE                                          AS offset_s,
    CASE WHEN t.t_us < w.end_us THEN w.level END::INTEGER            AS level,
    coalesce(CASE WHEN t.t_us < w.end_us THEN w.users END, 0)::INTEGER AS users,
    CASE WHEN w.level IS NULL OR t.t_us >= w.end_us THEN ''
         WHEN t.t_us < w.steady_us THEN 'ramp' ELSE 'steady' END     AS phase,
    t.requests / $2                                                  AS rps,
    t.answered / $2                                                  AS answered_rps,
    t.errors / $2                                                    AS error_rps,
    t.p95_ms                                                         AS p95_ms
FROM t
ASOF LEFT JOIN windows w ON t.t_us >= w.ramp_us
ORDER BY t.bucket
