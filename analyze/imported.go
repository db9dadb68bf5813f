package analyze

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"brink/rundir"

	"brink"
	"brink/queries"
)

// runImported analyses an aggregated run: one imported from a tool that
// keeps no per-request rows (Locust's CSV). Its levels come from
// analysis/levels_imported.parquet instead of the traces, so its percentiles
// are whatever the tool gave (approximate) and the summary says so; the edge
// of failure is judged on those level rows. It writes analysis/levels.parquet
// (the columns and types of a traced run's, NULL where the source has no
// data) and analysis/summary.json.
func runImported(ctx context.Context, db *sql.DB, run *rundir.Run, opts Options) (*Result, error) {
	m := run.Manifest()
	src, err := run.Fetch(ctx, rundir.ImportedLevelsFile)
	if err != nil {
		return nil, fmt.Errorf("%s: run.json says the run is aggregated but its level table is missing (%v): import it again with brink import", src, errors.Unwrap(err))
	}
	meta := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT decode(key), decode(value) FROM parquet_kv_metadata(?)`, src)
	if err != nil {
		return nil, fmt.Errorf("%s: not a whole Parquet file: %v", src, firstLine(err.Error()))
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%s: metadata: %w", src, err)
		}
		meta[k] = v
	}
	rows.Close()
	if v := meta["brink.schema_version"]; v != strconv.Itoa(brink.SchemaVersion) {
		return nil, fmt.Errorf("%s: schema version %q is not one this brink reads (%d)", src, v, brink.SchemaVersion)
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE imported AS SELECT * FROM read_parquet(`+quote(src)+`)`); err != nil {
		return nil, fmt.Errorf("read %s: %w", src, err)
	}
	// levels.parquet has a traced run's columns and types (one row per
	// level, for the conversation step); what the source lacks is NULL.
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE levels AS `+queries.MustGet("levels_imported"), opts.Step); err != nil {
		return nil, fmt.Errorf("read %s: %w", src, err)
	}
	levels, unknownRates, notes, err := importedLevels(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", src, err)
	}
	// The source keeps no schedule or generator measurement: the verdict is unknown.
	for i := range levels {
		levels[i].Verdict = brink.VerdictUnknown
	}
	if err := markSuspect(ctx, db, "levels", levels); err != nil {
		return nil, err
	}
	levelsPath := run.Location(rundir.LevelsFile)
	if err := copyParquet(ctx, db, "levels", run, rundir.LevelsFile); err != nil {
		return nil, err
	}
	var warnings []string
	if w := meta["brink.warnings"]; w != "" {
		if err := json.Unmarshal([]byte(w), &warnings); err != nil {
			return nil, fmt.Errorf("%s: metadata brink.warnings: %w", src, err)
		}
	}
	s := &brink.Summary{
		SchemaVersion: brink.SchemaVersion, RunID: m.RunID, Status: m.EffectiveStatus(), Target: m.Target,
		StartedAt: m.StartedAt, EndedAt: m.EndedAt, TimeScale: m.TimeScale, Plan: m.Plan, StopRules: m.StopRules,
		Step: opts.Step, Levels: levels, Warnings: warnings, LiveStop: m.StopReason,
	}
	s.TotalRequests, _ = strconv.ParseInt(meta["brink.total_requests"], 10, 64)
	s.Approximate = []string{
		fmt.Sprintf("levels[].p50_ms, p95_ms, p99_ms: from %s's aggregated percentiles, not from per-request rows (see warnings)", m.Flow.Name),
		"latency_knee, the latency stop rule and latency findings: drawn from those percentiles",
	}
	if unknownRates {
		s.Approximate = append(s.Approximate, "levels[].throttle_rate, timeout_rate, all_throttle_rate: unknown per level, shown as 0")
	}
	for i, n := range notes {
		if n != "" {
			s.Warnings = append(s.Warnings, fmt.Sprintf("level %d: %s", levels[i].Level, n))
		}
	}
	s.Measurement = &brink.Measurement{Verdict: brink.VerdictUnknown, SuspectLevels: []int{}, Thresholds: brink.DefaultThresholds(),
		Note: "imported from " + m.Flow.Name + ": the source keeps no schedule or generator measurement, so the instrument's verdict is unknown"}
	s.Edge = importedEdge(m, levels, unknownRates, opts.Step)
	curves(s)
	s.Findings = append([]string{fmt.Sprintf("Imported from %s without per-request rows: the level table's percentiles are approximate.", m.Flow.Name)}, findings(s)...)
	if err := run.WriteSummary(ctx, s); err != nil {
		return nil, err
	}
	return &Result{Summary: s, LevelsPath: levelsPath, SummaryPath: run.Location(rundir.SummaryFile)}, nil
}

func importedLevels(ctx context.Context, db *sql.DB) (levels []brink.LevelStats, unknownRates bool, notes []string, err error) {
	rows, err := db.QueryContext(ctx, `SELECT level, users, window_start, window_end, window_s, requests, answered, rps,
		answered_rps, p50_ms, p95_ms, p99_ms, error_rate, coalesce(throttle_rate, 0), coalesce(timeout_rate, 0), input_tokens_per_min,
		output_tokens_per_min, all_requests, all_error_rate, coalesce(all_throttle_rate, 0),
		throttle_rate IS NULL OR timeout_rate IS NULL OR all_throttle_rate IS NULL, coalesce(notes, '')
		FROM imported ORDER BY level`)
	if err != nil {
		return nil, false, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l brink.LevelStats
		var p50, p95, p99 sql.NullFloat64
		var unknown bool
		var note string
		if err := rows.Scan(&l.Level, &l.Users, &l.WindowStart, &l.WindowEnd, &l.WindowS, &l.Requests, &l.Answered, &l.RPS,
			&l.AnsweredRPS, &p50, &p95, &p99, &l.ErrorRate, &l.ThrottleRate, &l.TimeoutRate, &l.InputTPM, &l.OutputTPM,
			&l.AllRequests, &l.AllErrorRate, &l.AllThrottle, &unknown, &note); err != nil {
			return nil, false, nil, err
		}
		l.WindowStart, l.WindowEnd = l.WindowStart.UTC(), l.WindowEnd.UTC()
		l.P50MS, l.P95MS, l.P99MS = ptr(p50), ptr(p95), ptr(p99)
		unknownRates = unknownRates || unknown
		levels = append(levels, l)
		notes = append(notes, note)
	}
	return levels, unknownRates, notes, rows.Err()
}

// importedEdge judges the stop rules on imported level rows, in level
// order: error rates from the rows' rates, latency rules from their p50,
// p95 or p99 when the rule asks for one of those. A rule the rows cannot
// answer (a throttle rule without throttle counts, another percentile, a
// step that is not the conversation's) is skipped.
func importedEdge(m *brink.Manifest, levels []brink.LevelStats, unknownRates bool, step string) *brink.Edge {
	complete := map[int]bool{}
	for _, lw := range m.Levels {
		complete[lw.Index] = lw.End.Sub(lw.SteadyStart) >= m.Plan.Hold.Std()-time.Millisecond
	}
	for _, l := range levels {
		if !complete[l.Level] {
			continue
		}
		for _, r := range m.StopRules {
			var v *float64
			switch {
			case r.Metric == brink.RuleErrorRate && r.Step == "" && l.AllRequests > 0:
				v = &l.AllErrorRate
			case r.Metric == brink.RuleErrorRate && r.Step == step && l.Requests > 0:
				v = &l.ErrorRate
			case r.Metric == brink.RuleThrottleRate && !unknownRates && r.Step == "" && l.AllRequests > 0:
				v = &l.AllThrottle
			case r.Metric == brink.RuleLatency && r.Step == step:
				v = map[float64]*float64{0.5: l.P50MS, 0.95: l.P95MS, 0.99: l.P99MS}[r.Percentile]
			}
			if v != nil && r.Breached(*v) {
				return &brink.Edge{Level: l.Level, Users: l.Users, Rule: r.String(), Value: *v, Threshold: r.Threshold}
			}
		}
	}
	return nil
}
