-- cost_models: per level and model, the answered turns of step $1 in the
-- hold window, their tokens and what they cost (cost_prices, USD per token;
-- answers that name no model count as $2, the default model).
WITH t AS (
    SELECT h.level, h.input_tokens, h.output_tokens,
           coalesce(nullif(h.model, ''), $2) AS model
    FROM hold h
    WHERE h.step = $1 AND h.error = ''
)
SELECT t.level::INTEGER                                      AS level,
       t.model                                               AS model,
       count(*)                                              AS turns,
       coalesce(sum(t.input_tokens), 0)::BIGINT              AS input_tokens,
       coalesce(sum(t.output_tokens), 0)::BIGINT             AS output_tokens,
       -- integer token sums times the price: exact, whatever the summing order
       coalesce(sum(t.input_tokens), 0) * any_value(pr.input_usd)   AS input_usd,
       coalesce(sum(t.output_tokens), 0) * any_value(pr.output_usd) AS output_usd
FROM t
JOIN cost_prices pr USING (model)
GROUP BY t.level, t.model
ORDER BY t.level, t.model
