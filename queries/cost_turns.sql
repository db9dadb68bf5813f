-- cost_turns: how input tokens grow with a conversation's length. A turn's
-- number is its place among the step-$1 requests of its virtual user's
-- session (vu, session), by start time, failed ones included; the run's
-- answered turns with usage, every phase, are averaged per turn number.
-- Each row also carries the least-squares slope of input tokens over turn
-- number (tokens each turn adds to the prompt), NULL with one turn number.
WITH asks AS (
    SELECT error, input_tokens, output_tokens,
           row_number() OVER (PARTITION BY vu, session ORDER BY start, latency_ms) AS turn
    FROM traces
    WHERE step = $1
),
ok AS (
    SELECT * FROM asks WHERE error = '' AND input_tokens IS NOT NULL
),
fit AS (
    SELECT regr_slope(input_tokens, turn) AS slope FROM ok
)
SELECT turn::INTEGER             AS turn,
       count(*)                  AS answered,
       avg(input_tokens)         AS input_tokens_mean,
       coalesce(avg(output_tokens), 0) AS output_tokens_mean,
       any_value(fit.slope)      AS slope
FROM ok CROSS JOIN fit
GROUP BY turn
ORDER BY turn
