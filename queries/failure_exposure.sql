-- failure_exposure: the billing exposure of failures, per level's hold and
-- model: the tokens Bedrock counted (metrics: AWS/Bedrock InputTokenCount
-- and OutputTokenCount, Sum, by the ModelId dimension, datapoints stamped in
-- the hold) less the tokens the traces received (answered requests' usage;
-- answers naming no model count as $1), priced by cost_prices (USD per
-- token). Turns Bedrock answered but the user never saw (a gateway timeout,
-- a write that failed after the model call) show up here. Datapoints are
-- stamped when Bedrock counted, requests when they started, so a turn that
-- straddles the end of a hold can move a few tokens between levels; in a
-- run where no turn failed after Bedrock answered the figure is near zero.
WITH billed AS (
    SELECT w.level,
           regexp_extract(m.dimensions, 'ModelId=([^,]+)', 1)              AS model,
           coalesce(sum(m.value) FILTER (WHERE m.metric = 'InputTokenCount'), 0)  AS input_billed,
           coalesce(sum(m.value) FILTER (WHERE m.metric = 'OutputTokenCount'), 0) AS output_billed
    FROM windows w
    JOIN metrics m
      ON epoch_us(m.ts) >= w.steady_us AND epoch_us(m.ts) < w.end_us
    WHERE m.namespace = 'AWS/Bedrock' AND m.stat = 'Sum'
      AND m.metric IN ('InputTokenCount', 'OutputTokenCount')
    GROUP BY w.level, model
),
received AS (
    SELECT level, coalesce(nullif(model, ''), $1) AS model,
           coalesce(sum(input_tokens), 0)  AS input_received,
           coalesce(sum(output_tokens), 0) AS output_received
    FROM hold
    WHERE error = ''
    -- By the defaulted model, not the raw column: logins and new chats name
    -- no model, and grouping them apart would make a second zero-token row
    -- that the join below pairs with the billed tokens again.
    GROUP BY level, coalesce(nullif(model, ''), $1)
),
gap AS (
    SELECT b.level, b.model,
           greatest(b.input_billed - coalesce(r.input_received, 0), 0)::BIGINT   AS input_tokens,
           greatest(b.output_billed - coalesce(r.output_received, 0), 0)::BIGINT AS output_tokens
    FROM billed b
    LEFT JOIN received r USING (level, model)
)
SELECT g.level::INTEGER                                        AS level,
       sum(g.input_tokens)::BIGINT                             AS input_tokens,
       sum(g.output_tokens)::BIGINT                            AS output_tokens,
       sum(g.input_tokens * p.input_usd + g.output_tokens * p.output_usd ORDER BY g.model) AS usd,
       count(*) FILTER (WHERE p.model IS NULL)                 AS unpriced_models
FROM gap g
LEFT JOIN cost_prices p USING (model)
GROUP BY g.level
ORDER BY g.level
