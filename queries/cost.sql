-- cost: one row per level over its hold (steady) window: what it cost, by
-- component, from the tokens the traces received and the requests they made.
-- $1 is the conversation step (e.g. 'ask'). Besides traces and windows it
-- reads two tables analyze registers:
--   cost_prices  (model, input_usd, output_usd): USD per token of each model
--                answered turns name (or of default_model when they name none);
--   cost_models  per level and model, the turns' tokens and dollars
--                (queries/cost_models.sql);
--   cost_params  one row: default_model, lambda_ms (NULL: measured),
--                overhead_ms, lambda_gb, lambda_request_usd, gb_second_usd,
--                api_request_usd, dynamodb_mode, write_units_per_turn,
--                read_units_per_turn, wcu, rcu, wcu_hour_usd, rcu_hour_usd,
--                write_unit_usd, read_unit_usd.
-- Answered turns: step $1 without error. Tokens are the response's usage
-- (NULL usage counts as a turn without tokens). API Gateway requests: every
-- request that got through (error <> 'connect'); Lambda invocations:
-- Lambda's own Invocations metric over the hold when collected (the table
-- level_infra, lambda_invocations_per_s × the hold; a throttled invocation
-- is not billed, and through API Gateway it reaches the client as a 500
-- the traces cannot tell from others), else those not answered 429; each billed for
-- lambda_ms, or its latency minus the gateway's overhead, rounded up to the
-- millisecond. DynamoDB: write/read units per answered turn (on_demand), or
-- the provisioned capacity held through the window (provisioned).
-- The hold is read in one pass, an aggregation (no CTE of its rows is kept:
-- on 10M rows that spilled to disk and took most of the time); the
-- per-model dollars come from cost_models.
WITH p AS (SELECT * FROM cost_params),
w AS (
    SELECT level, users, steady_us, end_us, (end_us - steady_us) / 1e6 AS window_s
    FROM windows
),
t AS NOT MATERIALIZED (
    SELECT h.level, h.error, h.status, h.latency_ms, h.input_tokens, h.output_tokens,
           coalesce(nullif(h.model, ''), p.default_model) AS model,
           h.input_tokens + h.output_tokens AS tokens,
           -- an answered turn of a priced model
           h.step = $1 AND h.error = '' AND coalesce(nullif(h.model, ''), p.default_model) IN (SELECT model FROM cost_prices) AS turn
    FROM hold h
    CROSS JOIN p
),
req AS (
    SELECT level,
        count(*) FILTER (WHERE error <> 'connect')                  AS api_requests,
        count(*) FILTER (WHERE error <> 'connect' AND status <> 429) AS lambda_invocations,
        coalesce(sum(coalesce(p.lambda_ms, ceil(greatest(latency_ms - p.overhead_ms, 0))))
                 FILTER (WHERE error <> 'connect' AND status <> 429), 0) / 1000.0 AS lambda_seconds,
        count(*) FILTER (WHERE turn)                                 AS answered_turns,
        coalesce(sum(input_tokens) FILTER (WHERE turn), 0)           AS input_tokens,
        coalesce(sum(output_tokens) FILTER (WHERE turn), 0)          AS output_tokens,
        avg(tokens) FILTER (WHERE turn)                              AS tokens_per_turn_mean,
        quantile_cont(tokens, 0.95) FILTER (WHERE turn)              AS tokens_per_turn_p95,
        avg(input_tokens) FILTER (WHERE turn)                        AS input_tokens_per_turn_mean,
        quantile_cont(input_tokens, 0.95) FILTER (WHERE turn)        AS input_tokens_per_turn_p95,
        avg(output_tokens) FILTER (WHERE turn)                       AS output_tokens_per_turn_mean,
        quantile_cont(output_tokens, 0.95) FILTER (WHERE turn)       AS output_tokens_per_turn_p95
    FROM t CROSS JOIN p
    GROUP BY level
),
-- Dollars from integer token sums per model (the table cost_models, made
-- first from the same turns), added in model order, so the result does not
-- depend on the order threads summed rows in.
usd AS (
    SELECT level,
        sum(input_usd ORDER BY model)  AS llm_input_usd,
        sum(output_usd ORDER BY model) AS llm_output_usd
    FROM cost_models
    GROUP BY level
),
tk AS (
    SELECT req.*, coalesce(u.llm_input_usd, 0) AS llm_input_usd, coalesce(u.llm_output_usd, 0) AS llm_output_usd
    FROM req
    LEFT JOIN usd u USING (level)
    WHERE req.answered_turns > 0
),
usage AS (
    SELECT
        w.level::INTEGER                               AS level,
        w.users::INTEGER                               AS users,
        w.window_s                                     AS window_s,
        w.users * w.window_s / 60                      AS user_minutes,
        coalesce(tk.answered_turns, 0)                 AS answered_turns,
        coalesce(req.api_requests, 0)                  AS api_requests,
        coalesce(round(li.lambda_invocations_per_s * w.window_s)::BIGINT, req.lambda_invocations, 0) AS lambda_invocations,
        coalesce(req.lambda_seconds, 0)                AS lambda_seconds,
        coalesce(req.lambda_seconds, 0) * p.lambda_gb  AS lambda_gb_seconds,
        coalesce(tk.answered_turns, 0) * p.write_units_per_turn AS write_units,
        coalesce(tk.answered_turns, 0) * p.read_units_per_turn  AS read_units,
        coalesce(tk.input_tokens, 0)::BIGINT           AS input_tokens,
        coalesce(tk.output_tokens, 0)::BIGINT          AS output_tokens,
        tk.tokens_per_turn_mean, tk.tokens_per_turn_p95,
        tk.input_tokens_per_turn_mean, tk.input_tokens_per_turn_p95,
        tk.output_tokens_per_turn_mean, tk.output_tokens_per_turn_p95,
        coalesce(tk.llm_input_usd, 0)                  AS llm_input_usd,
        coalesce(tk.llm_output_usd, 0)                 AS llm_output_usd
    FROM w
    CROSS JOIN p
    LEFT JOIN req USING (level)
    LEFT JOIN tk USING (level)
    LEFT JOIN level_infra li USING (level)
),
priced AS (
    SELECT u.*,
        u.llm_input_usd + u.llm_output_usd             AS llm_usd,
        u.lambda_invocations * p.lambda_request_usd + u.lambda_gb_seconds * p.gb_second_usd AS lambda_usd,
        CASE WHEN p.dynamodb_mode = 'provisioned'
             THEN (p.wcu * p.wcu_hour_usd + p.rcu * p.rcu_hour_usd) * u.window_s / 3600
             ELSE u.write_units * p.write_unit_usd + u.read_units * p.read_unit_usd
        END                                            AS dynamodb_usd,
        u.api_requests * p.api_request_usd             AS api_gateway_usd
    FROM usage u CROSS JOIN p
),
total AS (
    SELECT *, llm_usd + lambda_usd + dynamodb_usd + api_gateway_usd AS total_usd
    FROM priced
)
SELECT *,
    llm_input_usd   / nullif(user_minutes, 0) AS llm_input_usd_per_user_minute,
    llm_output_usd  / nullif(user_minutes, 0) AS llm_output_usd_per_user_minute,
    llm_usd         / nullif(user_minutes, 0) AS llm_usd_per_user_minute,
    lambda_usd      / nullif(user_minutes, 0) AS lambda_usd_per_user_minute,
    dynamodb_usd    / nullif(user_minutes, 0) AS dynamodb_usd_per_user_minute,
    api_gateway_usd / nullif(user_minutes, 0) AS api_gateway_usd_per_user_minute,
    total_usd       / nullif(user_minutes, 0) AS total_usd_per_user_minute,
    total_usd       / nullif(answered_turns, 0) AS usd_per_answered_turn
FROM total
ORDER BY level
