-- rule_values: per level's hold window, the numbers a stop rule is judged
-- on, for one step ($1; '' means all steps) and one latency percentile ($2):
-- requests, errors, throttled, and the exact percentile (quantile_cont) of
-- the answered requests' latency.
SELECT
    w.level::INTEGER                                                   AS level,
    count(tr.start)                                                    AS requests,
    count(tr.start) FILTER (WHERE tr.error <> '')                      AS errors,
    count(tr.start) FILTER (WHERE tr.throttled)                        AS throttled,
    quantile_cont(tr.latency_ms, $2) FILTER (WHERE tr.error = '')      AS latency_ms
FROM windows w
LEFT JOIN traces tr
  ON epoch_us(tr.start) >= w.steady_us AND epoch_us(tr.start) < w.end_us
 AND ($1 = '' OR tr.step = $1)
GROUP BY w.level
ORDER BY w.level
