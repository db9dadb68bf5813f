-- in_flight: per level's hold window, the requests in flight (all steps)
-- second by second: for each whole second of the hold, the time requests
-- that started in the hold spent in flight during it, in seconds (the
-- second's mean concurrency; a request runs from start for latency_ms).
-- Seconds with no request in flight count as 0. Returns each level's mean
-- and p99 (quantile_cont) over its seconds: a synchronous API runs one
-- Lambda invocation per request in flight, so the p99 second is what
-- Lambda concurrency must hold, not the mean.
--
-- Without a row per request and second: B(t), the busy time of a level's
-- requests before instant t, is Σ over requests starting before t of
-- (t − start) less Σ over those ending before t of (t − end). So counts
-- and sums of starts and of ends per second, accumulated second by second,
-- give B at each whole second, and a second's busy time is B(sec + 1) −
-- B(sec): exact integer microseconds, one pass over the hold, however long
-- the requests run.
WITH secs AS (
    SELECT w.level, w.steady_us // 1000000 AS first_sec, s.sec
    FROM windows w, range(w.steady_us // 1000000, w.end_us // 1000000) AS s(sec)
    WHERE w.end_us // 1000000 > w.steady_us // 1000000
),
spans AS (
    SELECT level, epoch_us(start) AS s_us, epoch_us(start) + (latency_ms * 1000)::BIGINT AS e_us
    FROM hold
    WHERE latency_ms > 0
),
-- One aggregation of the hold: requests by the second they start and the
-- second they end (a few pairs per second), split into edges below.
pairs AS MATERIALIZED (
    SELECT level, s_us // 1000000 AS s_sec, e_us // 1000000 AS e_sec,
           count(*) AS n, sum(s_us)::HUGEINT AS sum_s, sum(e_us)::HUGEINT AS sum_e
    FROM spans
    GROUP BY level, s_us // 1000000, e_us // 1000000
),
edges AS (
    -- Each start and end in the second it falls in (times in µs).
    SELECT level, s_sec AS sec, sum(n) AS n_start, sum(sum_s) AS sum_start, 0 AS n_end, 0::HUGEINT AS sum_end
    FROM pairs GROUP BY level, s_sec
    UNION ALL
    SELECT level, e_sec AS sec, 0, 0::HUGEINT, sum(n), sum(sum_e)
    FROM pairs GROUP BY level, e_sec
),
per_sec AS (
    SELECT level, sec, sum(n_start) AS n_start, sum(sum_start) AS sum_start, sum(n_end) AS n_end, sum(sum_end) AS sum_end
    FROM edges GROUP BY level, sec
),
-- The edges before each second of the hold, and of the second after it:
-- edges before the hold's first second are none (a request starts in the
-- hold), so accumulating over the hold's seconds counts them all.
bounds AS (
    SELECT s.level, s.sec,
           sum(coalesce(p.n_start, 0)) OVER w AS n_start, sum(coalesce(p.sum_start, 0)) OVER w AS sum_start,
           sum(coalesce(p.n_end, 0)) OVER w AS n_end, sum(coalesce(p.sum_end, 0)) OVER w AS sum_end
    FROM secs s
    LEFT JOIN per_sec p USING (level, sec)
    WINDOW w AS (PARTITION BY s.level ORDER BY s.sec ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
-- B at the end of each second t = (sec + 1) s, from the edges up to sec;
-- B at its start is the previous second's (0 at the hold's first second).
busy AS (
    SELECT level, sec,
           n_start * ((sec + 1) * 1000000) - sum_start - (n_end * ((sec + 1) * 1000000) - sum_end) AS b_end
    FROM bounds
),
per AS (
    SELECT level, sec, b_end - coalesce(lag(b_end) OVER (PARTITION BY level ORDER BY sec), 0) AS busy_us
    FROM busy
)
-- Sums stay in whole microseconds until the end, so the figures do not
-- depend on the order parallel threads add them in.
SELECT level::INTEGER                              AS level,
       (sum(busy_us) / count(*) / 1e6)::DOUBLE     AS in_flight_mean,
       quantile_cont((busy_us / 1e6)::DOUBLE, 0.99) AS in_flight_p99
FROM per
GROUP BY level
ORDER BY level
