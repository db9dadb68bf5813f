-- compare_ranks: the ingredients of a Mann–Whitney U test of run 'a'
-- against run 'b' for each metric and user level of cmp_samples (run,
-- metric, users, v): the sample sizes, the sum of run a's ranks in the
-- pooled sample (tied values get the mean of their ranks) and the tie
-- term Σ(t³ − t) over groups of t equal values, which shrinks U's variance.
WITH ranked AS (
    SELECT run, metric, users,
           rank() OVER (PARTITION BY metric, users ORDER BY v)
             + (count(*) OVER (PARTITION BY metric, users, v) - 1) / 2.0 AS r
    FROM cmp_samples
),
ties AS (
    SELECT metric, users, sum(t * t * t - t) AS tie_term
    FROM (SELECT metric, users, v, count(*)::DOUBLE AS t FROM cmp_samples GROUP BY metric, users, v)
    GROUP BY metric, users
)
SELECT r.metric, r.users,
       count(*) FILTER (WHERE r.run = 'a')                 AS n_a,
       count(*) FILTER (WHERE r.run = 'b')                 AS n_b,
       coalesce(sum(r.r) FILTER (WHERE r.run = 'a'), 0)    AS rank_sum_a,
       any_value(t.tie_term)                               AS tie_term
FROM ranked r
JOIN ties t USING (metric, users)
GROUP BY r.metric, r.users
ORDER BY r.metric, r.users
