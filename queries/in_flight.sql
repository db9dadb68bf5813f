-- in_flight: per level's hold window, the requests in flight (all steps)
-- second by second: for each whole second of the hold, the time requests
-- that started in the hold spent in flight during it, in seconds (the
-- second's mean concurrency; a request runs from start for latency_ms).
-- Seconds with no request in flight count as 0. Returns each level's mean
-- and p99 (quantile_cont) over its seconds: a synchronous API runs one
-- Lambda invocation per request in flight, so the p99 second is what
-- Lambda concurrency must hold, not the mean.
WITH secs AS (
    SELECT w.level, s.sec
    FROM windows w, range(w.steady_us // 1000000, w.end_us // 1000000) AS s(sec)
    WHERE w.end_us // 1000000 > w.steady_us // 1000000
),
spans AS (
    SELECT level, epoch_us(start) AS s_us, epoch_us(start) + (latency_ms * 1000)::BIGINT AS e_us
    FROM hold
    WHERE latency_ms > 0
),
busy AS (
    SELECT sp.level, t.sec,
           sum(least(sp.e_us, (t.sec + 1) * 1000000) - greatest(sp.s_us, t.sec * 1000000)) AS busy_us
    FROM spans sp, range(sp.s_us // 1000000, (sp.e_us - 1) // 1000000 + 1) AS t(sec)
    GROUP BY sp.level, t.sec
)
-- Sums stay in whole microseconds until the end, so the figures do not
-- depend on the order parallel threads add them in.
SELECT s.level::INTEGER                                          AS level,
       sum(coalesce(b.busy_us, 0)) / count(*) / 1e6              AS in_flight_mean,
       quantile_cont(coalesce(b.busy_us, 0) / 1e6, 0.99)         AS in_flight_p99
FROM secs s
LEFT JOIN busy b USING (level, sec)
GROUP BY s.level
ORDER BY s.level
