-- compare_samples: the raw values brink report --compare tests, for one
-- run (the relations of that run are loaded): each answered request's
-- latency of the conversation step $2 in a level's hold (metric
-- 'latency_ms'), and each user's LLM spend per minute of the hold (metric
-- 'usd_per_user_minute': the user's answered $2 tokens priced by
-- cmp_prices, answers naming no model as $3, over window_s / 60; a user
-- with requests but no answered turn spent 0). $1 names the run ('a' or
-- 'b'). Levels are keyed by users, as the comparison matches them.
SELECT $1 AS run, 'latency_ms' AS metric, users::INTEGER AS users, latency_ms AS v
FROM hold
WHERE step = $2 AND error = ''
UNION ALL
SELECT $1, 'usd_per_user_minute', h.users::INTEGER,
       coalesce(sum(h.input_tokens * p.input_usd + h.output_tokens * p.output_usd)
                FILTER (WHERE h.step = $2 AND h.error = ''), 0) / (any_value(h.window_s) / 60)
FROM hold h
LEFT JOIN cmp_prices p ON p.model = coalesce(nullif(h.model, ''), $3)
GROUP BY h.users, h.vu
