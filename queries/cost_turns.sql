-- cost_turns: how input tokens grow with a conversation's length. A turn's
-- number is its place among the step-$1 requests of its virtual user's
-- session (vu, session), by start time, failed ones included; the run's
-- answered turns with usage, every phase, are averaged per turn number.
-- Numbering turns sorts every session; on a huge run only the sessions with
-- hash(vu, session) % $2 = 0 are numbered ($2 = 1: all of them), whole
-- sessions, so the per-turn means stay unbiased. The least-squares slope of
-- input tokens over turn number is computed by the caller from these rows
-- (answered and input_tokens_sum per turn are its sufficient statistics).
WITH asks AS (
    SELECT error, input_tokens, output_tokens,
           row_number() OVER (PARTITION BY vu, session ORDER BY start, latency_ms) AS turn
    FROM traces
    WHERE step = $1 AND hash(vu, session) % $2::UBIGINT = 0
)
SELECT turn::INTEGER                    AS turn,
       count(*)                         AS answered,
       avg(input_tokens)                AS input_tokens_mean,
       coalesce(avg(output_tokens), 0)  AS output_tokens_mean,
       sum(input_tokens)::DOUBLE        AS input_tokens_sum
FROM asks
WHERE error = '' AND input_tokens IS NOT NULL
GROUP BY turn
ORDER BY turn
