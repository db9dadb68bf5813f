-- level_metrics: the collected platform metrics (metrics view: CloudWatch
-- and Logs Insights datapoints, docs/schemas.md) aligned to each level's
-- hold window by datapoint timestamp. Counts are summed over the window
-- (and over dimension sets: all tables, all functions), Lambda concurrency
-- is the window's maximum, provisioned capacity its average, Bedrock
-- latency the mean of its averages, token counts per minute.
SELECT
    w.level::INTEGER AS level,
    max(m.value) FILTER (WHERE m.namespace = 'AWS/Lambda' AND m.metric = 'ConcurrentExecutions' AND m.stat = 'Maximum') AS lambda_max_concurrency,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Lambda' AND m.metric = 'Throttles' AND m.stat = 'Sum')               AS lambda_throttles,
    sum(m.value) FILTER (WHERE m.source = 'logs_insights' AND m.metric = 'cold_starts')                                  AS cold_starts,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'ConsumedWriteCapacityUnits' AND m.stat = 'Sum')
        / ((w.end_us - w.steady_us) / 1e6)                                                                               AS ddb_consumed_wcu_per_s,
    avg(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'ProvisionedWriteCapacityUnits')             AS ddb_provisioned_wcu,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'WriteThrottleEvents' AND m.stat = 'Sum')     AS ddb_write_throttles,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'Invocations' AND m.stat = 'Sum')              AS bedrock_invocations,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'InvocationThrottles' AND m.stat = 'Sum')      AS bedrock_throttles,
    avg(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'InvocationLatency' AND m.stat = 'Average')    AS bedrock_latency_ms,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'InputTokenCount' AND m.stat = 'Sum')
        / ((w.end_us - w.steady_us) / 6e7)                                                                               AS bedrock_input_tpm,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'OutputTokenCount' AND m.stat = 'Sum')
        / ((w.end_us - w.steady_us) / 6e7)                                                                               AS bedrock_output_tpm
FROM windows w
LEFT JOIN metrics m
  ON epoch_us(m.ts) >= w.steady_us AND epoch_us(m.ts) < w.end_us
GROUP BY w.level, w.steady_us, w.end_us
ORDER BY w.level
