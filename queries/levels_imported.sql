-- levels_imported: analysis/levels.parquet for a run imported without
-- per-request rows (Locust), with the columns and types of a traced run's
-- (level_steps): one row per level for the conversation step $1, from the
-- imported level table (relation imported). What the source cannot give is
-- NULL: sessions_per_min, p90_ms, max_ms, ttfb_p50_ms, ttfb_p95_ms, and
-- throttle_rate and timeout_rate when the source does not split failures
-- (docs/import.md).
SELECT
    level::INTEGER                  AS level,
    $1::VARCHAR                     AS step,
    users::INTEGER                  AS users,
    window_s::DOUBLE                AS window_s,
    requests::BIGINT                AS requests,
    answered::BIGINT                AS answered,
    rps::DOUBLE                     AS rps,
    NULL::DOUBLE                    AS sessions_per_min,
    p50_ms::DOUBLE                  AS p50_ms,
    NULL::DOUBLE                    AS p90_ms,
    p95_ms::DOUBLE                  AS p95_ms,
    p99_ms::DOUBLE                  AS p99_ms,
    NULL::DOUBLE                    AS max_ms,
    NULL::DOUBLE                    AS ttfb_p50_ms,
    NULL::DOUBLE                    AS ttfb_p95_ms,
    error_rate::DOUBLE              AS error_rate,
    throttle_rate::DOUBLE           AS throttle_rate,
    timeout_rate::DOUBLE            AS timeout_rate,
    input_tokens_per_min::DOUBLE    AS input_tokens_per_min,
    output_tokens_per_min::DOUBLE   AS output_tokens_per_min
FROM imported
ORDER BY level
