-- hold_users: the one pass over the holds per virtual user that
-- hold_steps (sessions), user_levels and littles_law read. One row per
-- level, step and virtual user over the level's hold window, for the
-- conversation step $1:
--   requests, latency_sum_ms (all its requests' latency), sessions (its
--   session numbers run consecutively: last − first + 1), first_start_us and
--   last_start_us (its first and last request start), last_key and
--   last_latency_ms (of its requests, the one that started last, the slowest
--   of those starting together: key = start µs × 10⁹ + latency µs),
--   median_ms and max_ms (of its answered latencies of step $1; NULL for
--   other steps).
SELECT level::INTEGER                                                          AS level,
       step::VARCHAR                                                           AS step,
       vu,
       count(*)                                                                AS requests,
       sum(latency_ms)                                                         AS latency_sum_ms,
       max(session) - min(session) + 1                                         AS sessions,
       min(epoch_us(start))                                                    AS first_start_us,
       max(epoch_us(start))                                                    AS last_start_us,
       max(epoch_us(start)::HUGEINT * 1000000000 + (latency_ms * 1000)::BIGINT) AS last_key,
       arg_max(latency_ms, epoch_us(start)::HUGEINT * 1000000000 + (latency_ms * 1000)::BIGINT) AS last_latency_ms,
       quantile_cont(latency_ms, 0.5) FILTER (WHERE step = $1 AND error = '')  AS median_ms,
       max(latency_ms) FILTER (WHERE step = $1 AND error = '')                 AS max_ms,
       any_value(window_s)                                                     AS window_s
FROM hold
GROUP BY level, step, vu
ORDER BY level, step, vu
