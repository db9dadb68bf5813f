-- level_metrics: the collected platform metrics (metrics view: CloudWatch
-- and Logs Insights datapoints, docs/schemas.md) aligned to each level's
-- hold window. A datapoint stands for its whole period [ts, ts + period_s):
-- it counts for a level only when that whole period lies in the hold, so a
-- 1-minute datapoint never carries the next level's ramp. Rates divide by
-- the span those whole periods cover (metric_periods × metric_period_s),
-- not by the hold. Provisioned capacity is a setting, not a load: its
-- datapoints count when they overlap the hold at all (they are 5-minute
-- data). Counts are summed over the whole periods (and over dimension
-- sets: all tables, all functions), Lambda concurrency is their maximum,
-- provisioned capacity the sum over tables of each table's average
-- (comparable with consumed, which is summed over tables), Bedrock latency
-- the mean of its averages, token counts per minute, DynamoDB's
-- per-cause throttle events (reads and writes, tables and indexes) by
-- cause, Lambda invocations
-- (what Lambda bills) per second. Cold starts count SnapStart restores too.
WITH period AS (
    -- The CloudWatch period of the load metrics (the finest collected).
    SELECT coalesce(min(period_s) FILTER (WHERE source = 'cloudwatch'), min(period_s)) AS p
    FROM metrics
),
spans AS (
    -- Whole periods of that length inside each hold; periods are aligned to
    -- the epoch, as CloudWatch aligns them.
    SELECT w.level, w.steady_us, w.end_us, period.p,
           greatest(0, floor((w.end_us - ceil(w.steady_us / (period.p * 1e6)) * (period.p * 1e6)) / (period.p * 1e6)))::INTEGER AS n
    FROM windows w, period
),
whole AS (
    SELECT s.level, m.*
    FROM spans s
    JOIN metrics m
      ON epoch_us(m.ts) >= s.steady_us AND epoch_us(m.ts) + m.period_s * 1e6 <= s.end_us
),
provisioned AS (
    SELECT level, sum(wcu) AS wcu
    FROM (
        SELECT s.level, m.dimensions, avg(m.value) AS wcu
        FROM spans s
        JOIN metrics m
          ON epoch_us(m.ts) < s.end_us AND epoch_us(m.ts) + m.period_s * 1e6 > s.steady_us
        WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'ProvisionedWriteCapacityUnits'
        GROUP BY s.level, m.dimensions
    )
    GROUP BY level
)
SELECT
    s.level::INTEGER AS level,
    s.n AS metric_periods,
    s.p::INTEGER AS metric_period_s,
    max(m.value) FILTER (WHERE m.namespace = 'AWS/Lambda' AND m.metric = 'ConcurrentExecutions' AND m.stat = 'Maximum') AS lambda_max_concurrency,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Lambda' AND m.metric = 'Throttles' AND m.stat = 'Sum')               AS lambda_throttles,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Lambda' AND m.metric = 'Invocations' AND m.stat = 'Sum')
        / nullif(s.n * s.p, 0)                                                                                           AS lambda_invocations_per_s,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/ApiGateway' AND m.metric IN ('4XXError', '4xx') AND m.stat = 'Sum')   AS api_gateway_4xx,
    sum(m.value) FILTER (WHERE m.source = 'logs_insights' AND m.metric IN ('cold_starts', 'restores'))                   AS cold_starts,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'ConsumedWriteCapacityUnits' AND m.stat = 'Sum')
        / nullif(s.n * s.p, 0)                                                                                           AS ddb_consumed_wcu_per_s,
    any_value(pr.wcu)                                                                                                    AS ddb_provisioned_wcu,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric = 'WriteThrottleEvents' AND m.stat = 'Sum')     AS ddb_write_throttles,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric IN ('WriteKeyRangeThroughputThrottleEvents', 'ReadKeyRangeThroughputThrottleEvents') AND m.stat = 'Sum')
                                                                                                                         AS ddb_key_range_throttles,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric IN ('WriteMaxOnDemandThroughputThrottleEvents', 'ReadMaxOnDemandThroughputThrottleEvents') AND m.stat = 'Sum')
                                                                                                                         AS ddb_on_demand_max_throttles,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/DynamoDB' AND m.metric IN ('WriteAccountLimitThrottleEvents', 'ReadAccountLimitThrottleEvents') AND m.stat = 'Sum')
                                                                                                                         AS ddb_account_limit_throttles,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'Invocations' AND m.stat = 'Sum')              AS bedrock_invocations,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'InvocationThrottles' AND m.stat = 'Sum')      AS bedrock_throttles,
    avg(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'InvocationLatency' AND m.stat = 'Average')    AS bedrock_latency_ms,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'InputTokenCount' AND m.stat = 'Sum')
        / nullif(s.n * s.p / 60.0, 0)                                                                                    AS bedrock_input_tpm,
    sum(m.value) FILTER (WHERE m.namespace = 'AWS/Bedrock' AND m.metric = 'OutputTokenCount' AND m.stat = 'Sum')
        / nullif(s.n * s.p / 60.0, 0)                                                                                    AS bedrock_output_tpm
FROM spans s
LEFT JOIN whole m ON m.level = s.level
LEFT JOIN provisioned pr ON pr.level = s.level
GROUP BY s.level, s.n, s.p
ORDER BY s.level
