-- level_steps: one row per level and step over the level's hold window
-- (from hold_steps, the one pass over the holds, for conversation step $1):
-- requests, requests/s, sessions/min (each virtual user's sessions seen in
-- the window: its session numbers run consecutively), exact percentiles
-- (quantile_cont) of answered latency and time to first byte, error,
-- throttle and timeout rates, and token rates. This is
-- analysis/levels.parquet.
SELECT
    level,
    step,
    users,
    window_s,
    requests, answered,
    requests / window_s                          AS rps,
    sessions / (window_s / 60)                   AS sessions_per_min,
    -- q holds nine percentiles for step $1 (brink.LatencyProbs), four for the rest
    CASE WHEN step = $1 THEN q[5] ELSE q[1] END  AS p50_ms,
    CASE WHEN step = $1 THEN q[7] ELSE q[2] END  AS p90_ms,
    CASE WHEN step = $1 THEN q[8] ELSE q[3] END  AS p95_ms,
    CASE WHEN step = $1 THEN q[9] ELSE q[4] END  AS p99_ms,
    max_ms,
    qt[1] AS ttfb_p50_ms, qt[2] AS ttfb_p95_ms,
    errors / requests                            AS error_rate,
    throttled / requests                         AS throttle_rate,
    timeouts / requests                          AS timeout_rate,
    coalesce(input_tokens, 0) / (window_s / 60)  AS input_tokens_per_min,
    coalesce(output_tokens, 0) / (window_s / 60) AS output_tokens_per_min
FROM hold_steps
ORDER BY level, step
