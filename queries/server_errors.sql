-- server_errors: each level's share of requests (all steps, over the hold)
-- answered with a 5xx other than a 504 timeout (error class http_5xx).
-- Through API Gateway's Lambda proxy integration a throttled invocation
-- reaches the client as 500, so this is where a Lambda throttle shows in
-- the traces.
SELECT level::INTEGER AS level,
       count(*) FILTER (WHERE error = 'http_5xx') / count(*)::DOUBLE AS server_error_rate
FROM hold
GROUP BY level
ORDER BY level
