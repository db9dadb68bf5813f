-- server_errors: each level's share of requests (all steps, over the hold)
-- answered with a 5xx other than a 504 timeout (error class http_5xx), from
-- hold_steps (the one pass over the holds). Through API Gateway's Lambda
-- proxy integration a throttled invocation reaches the client as 500, so
-- this is where a Lambda throttle shows in the traces.
SELECT level,
       sum(server_errors) / sum(requests)::DOUBLE AS server_error_rate
FROM hold_steps
GROUP BY level
ORDER BY level
