-- cost_models: per level and model, the answered turns of step $1 in the
-- hold window, their tokens and what they cost (cost_prices, USD per token;
-- answers that name no model count as $2, the default model).
WITH t AS (
    SELECT w.level, tr.input_tokens, tr.output_tokens,
           coalesce(nullif(tr.model, ''), $2) AS model
    FROM windows w
    JOIN traces tr
      ON epoch_us(tr.start) >= w.steady_us AND epoch_us(tr.start) < w.end_us
    WHERE tr.step = $1 AND tr.error = ''
)
SELECT t.level::INTEGER                                      AS level,
       t.model                                               AS model,
       count(*)                                              AS turns,
       coalesce(sum(t.input_tokens), 0)::BIGINT              AS input_tokens,
       coalesce(sum(t.output_tokens), 0)::BIGINT             AS output_tokens,
       coalesce(sum(t.input_tokens * pr.input_usd), 0)       AS input_usd,
       coalesce(sum(t.output_tokens * pr.output_usd), 0)     AS output_usd
FROM t
JOIN cost_prices pr USING (model)
GROUP BY t.level, t.model
ORDER BY t.level, t.model
