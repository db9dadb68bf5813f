-- rule_values: per level's hold window, the numbers a stop rule is judged
-- on, for one step ($1; '' means all steps) and one latency percentile ($2):
-- requests, errors, throttled, and the exact percentile (quantile_cont) of
-- the answered requests' latency.
SELECT
    w.level::INTEGER                                          AS level,
    count(h.start)                                            AS requests,
    count(h.start) FILTER (WHERE h.error <> '')               AS errors,
    count(h.start) FILTER (WHERE h.throttled)                 AS throttled,
    quantile_cont(h.latency_ms, $2) FILTER (WHERE h.error = '') AS latency_ms
FROM windows w
LEFT JOIN hold h
  ON h.level = w.level AND ($1 = '' OR h.step = $1)
GROUP BY w.level
ORDER BY w.level
