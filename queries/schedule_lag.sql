-- schedule_lag: how far behind its own schedule the generator sent each
-- level's hold requests (all steps): start − scheduled, scenario ms, where
-- scheduled is when a request was meant to start (the end of its think
-- time, its user's ramp slot, its arrival). Runs from before brink recorded
-- scheduled for the closed model have none (NULL figures, 0 rows).
SELECT level,
       count(scheduled) AS scheduled_rows,
       quantile_cont(epoch_us(start) - epoch_us(scheduled), 0.99) / 1000.0 AS lag_p99_ms,
       max(epoch_us(start) - epoch_us(scheduled)) / 1000.0 AS lag_max_ms
FROM hold
GROUP BY level
ORDER BY level
