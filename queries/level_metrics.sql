-- level_metrics: the collected platform metrics (metrics view: CloudWatch
-- and Logs Insights datapoints, docs/schemas.md) aligned to each level's
-- hold window by datapoint timestamp. Counts are summed over the window
-- (and over dimension sets: all tables, all functions), Lambda concurrency
-- is the window's maximum, provisioned capacity the sum over tables of each
-- table's average (comparable with consumed, which is summed over tables),
-- Bedrock latency the mean of its averages, token counts per minute.
WITH provisioned AS (
    SELECT level, sum(wcu) AS wcu
    FROM (
        SELECT w.level, m.dimensions, avg(m.value) AS wcu
        FROM windows w
        JOIN metrics m
          ON epoch_us(m.ts) >= w.steady_us AND epoch_us(m.ts) < w.end_us
        WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'ProvisionedWriteCapacityUnits'
        GROUP BY w.level, m.dimensions
    )
    GROUP BY level
)
SELECT
    w.level::INTEGER AS level,
    max(m.value) FILTER (WHERE m.namespace = 'AWS/Lambda' AND m.metric = 'ConcurrentExecutions' AND m.stat = 'Maximum') AS lambda_max_concurrency,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Lambda' AND m.metric = 'Throttles' AND m.stat = 'Sum')               AS lambda_throttles,
    sum(m.value) FILTER (WHERE m.source = 'logs_insights' AND m.metric = 'cold_starts')                                  AS cold_starts,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'ConsumedWriteCapacityUnits' AND m.stat = 'Sum')
        / ((w.end_us - w.steady_us) / 1e6)                                                                               AS ddb_consumed_wcu_per_s,
    any_value(p.wcu)                                                                                                     AS ddb_provisioned_wcu,
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
LEFT JOIN provisioned p ON p.level = w.level
GROUP BY w.level, w.steady_us, w.end_us
ORDER BY w.level
