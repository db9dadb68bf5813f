package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"brink"
	"brink/pricing"
	"brink/queries"
	"brink/rundir"
)

// Options configure an analysis. Zero values take the defaults.
type Options struct {
	DB   DBOptions
	Step string // the conversation step; default "ask"
	// AllowPartial analyses a sharded run whose shards are not all done
	// (missing or killed): what is there, said in summary.json and the
	// findings. Without it such a run is refused (rundir.ErrShards).
	AllowPartial bool
	// Prices prices the run (brink analyze --prices); nil: the run
	// directory's prices.yaml, else the embedded sheet. A sheet given here
	// that lacks a model the run used is an error, not a warning.
	Prices *pricing.Sheet
	// Now dates the price sheet's staleness check; default time.Now().
	Now time.Time
	// Usage sizes the stack priced; nil: UsageFile (brink analyze --usage),
	// else the brink sim's stack with the API type the metrics show.
	Usage     *pricing.Usage
	UsageFile string
}

// Result is what Run wrote.
type Result struct {
	Summary     *brink.Summary
	LevelsPath  string
	SummaryPath string
}

// Run analyses the run in runDir: it writes analysis/levels.parquet and
// analysis/summary.json and returns the summary.
func Run(ctx context.Context, runDir string, opts Options) (*Result, error) {
	if opts.Step == "" {
		opts.Step = brink.StepAsk
	}
	run, err := rundir.Open(ctx, runDir)
	if err != nil {
		return nil, err
	}
	m := run.Manifest()
	partial, err := run.CheckShards(opts.AllowPartial)
	if err != nil {
		return nil, err
	}
	db, err := Open(ctx, opts.DB)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if m.Aggregated { // imported without per-request rows (imported.go)
		return runImported(ctx, db, run, opts)
	}
	warnings, err := loadRun(ctx, db, run)
	if err != nil {
		return nil, err
	}
	levels, err := levelTable(ctx, db, opts.Step, !m.Plan.Open())
	if err != nil {
		return nil, err
	}
	meas, err := measurement(ctx, db, run, levels)
	if err != nil {
		return nil, err
	}
	levelsPath, err := stepTables(ctx, db, run, opts.Step, levels)
	if err != nil {
		return nil, err
	}
	if err := userLevels(ctx, db, levels); err != nil {
		return nil, err
	}
	if err := littlesLaw(ctx, db, levels); err != nil {
		return nil, err
	}
	if err := inFlight(ctx, db, levels); err != nil {
		return nil, err
	}
	metricsOK, mwarn, err := loadMetrics(ctx, db, run)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, mwarn...)
	cwarn, err := collectWarnings(ctx, run)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, cwarn...)
	if metricsOK {
		lwarn, err := levelMetrics(ctx, db, levels)
		if err != nil {
			return nil, err
		}
		warnings = append(warnings, lwarn...)
	}
	serverErrors, err := serverErrorRates(ctx, db)
	if err != nil {
		return nil, err
	}
	s := &brink.Summary{
		SchemaVersion:    brink.SchemaVersion,
		RunID:            m.RunID,
		Status:           m.EffectiveStatus(),
		Target:           m.Target,
		StartedAt:        m.StartedAt,
		EndedAt:          m.EndedAt,
		TimeScale:        m.TimeScale,
		Plan:             m.Plan,
		StopRules:        m.StopRules,
		Step:             opts.Step,
		Levels:           levels,
		Warnings:         warnings,
		LiveStop:         m.StopReason,
		FirstLimit:       firstLimit(levels, serverErrors),
		Measurement:      meas,
		MetricsCollected: metricsOK,
	}
	for _, l := range levels {
		if l.GeneratorLimited {
			s.Warnings = append(s.Warnings, fmt.Sprintf("level %d: Little's law implies %.1f active users of %d: the generator, not the target, may have been the limit (mean idle %s between requests)",
				l.Level, l.LittleUsers, l.Users, fmtMSPtr(l.MeanIdleMS)))
		}
	}
	if s.Status != m.Status {
		s.Warnings = append(s.Warnings, fmt.Sprintf("run.json says %q but the process that wrote it is gone: read as %s", m.Status, s.Status))
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM traces`).Scan(&s.TotalRequests); err != nil {
		return nil, fmt.Errorf("count traces: %w", err)
	}
	if s.Edge, err = findEdge(ctx, db, m, levels, opts.Step); err != nil {
		return nil, err
	}
	// Only brink run judges stop rules live; imported runs have nothing to agree with.
	if (m.EdgeLevel != nil || s.Edge != nil) && m.Tool == "brink" {
		agree := m.EdgeLevel != nil && s.Edge != nil && *m.EdgeLevel == s.Edge.Level
		s.EdgeAgrees = &agree
		if !agree {
			s.Warnings = append(s.Warnings, edgeDisagreement(m.EdgeLevel, s.Edge))
		}
	}
	curves(s)
	usage, err := usageFor(ctx, run, opts)
	if err != nil {
		return nil, err
	}
	if err := addCostWith(ctx, db, run, s, CostOptions{Prices: opts.Prices, Usage: usage, Strict: opts.Prices != nil, Now: opts.Now}); err != nil {
		return nil, err
	}
	if err := timelineAndDist(ctx, db, s); err != nil {
		return nil, err
	}
	s.Findings = findings(s)
	if len(partial) > 0 {
		s.Partial = fmt.Sprintf("%d of %d shards are not whole and were analysed as they are: %s", len(partial), m.Shards, strings.Join(partial, "; "))
		s.Findings = append([]string{"Partial run: " + s.Partial + "."}, s.Findings...)
	}
	if err := run.WriteSummary(ctx, s); err != nil {
		return nil, err
	}
	return &Result{Summary: s, LevelsPath: levelsPath, SummaryPath: run.Location(rundir.SummaryFile)}, nil
}

func edgeDisagreement(live *int, exact *brink.Edge) string {
	switch {
	case live == nil:
		return fmt.Sprintf("the exact analysis finds the edge at level %d, which the live check during the run did not flag", exact.Level)
	case exact == nil:
		return fmt.Sprintf("the live check stopped the run at level %d, but the exact analysis finds no level that broke a stop rule", *live)
	default:
		return fmt.Sprintf("the live check stopped the run at level %d, the exact analysis puts the edge at level %d", *live, exact.Level)
	}
}

// holdTables makes the two passes over the holds every level figure reads
// (exact percentiles are most of the analysis's time, so each is collected
// once), for the conversation step: queries/hold_users.sql, per level, step
// and user (user_levels, littles_law), then queries/hold_steps.sql, per
// level and step (levels, level_steps, latency_dist, server_errors).
func holdTables(ctx context.Context, db *sql.DB, step string) error {
	for _, table := range []string{"hold_users", "hold_steps"} {
		if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE `+table+` AS `+queries.MustGet(table), step); err != nil {
			return fmt.Errorf("%s table: %w", table, err)
		}
	}
	return nil
}

// levelTable makes the hold tables (holdTables), runs queries/levels.sql
// into the table "levels" and reads it; closed says the run is a closed
// model (an empty hold is then 100% errors).
func levelTable(ctx context.Context, db *sql.DB, step string, closed bool) ([]brink.LevelStats, error) {
	if err := holdTables(ctx, db, step); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE levels AS `+queries.MustGet("levels"), step, closed); err != nil {
		return nil, fmt.Errorf("level table: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT level, users, window_start, window_end, window_s, requests, answered, rps,
		answered_rps, p50_ms, p95_ms, p99_ms, error_rate, throttle_rate, timeout_rate, input_tokens_per_min, output_tokens_per_min,
		all_requests, all_error_rate, all_throttle_rate FROM levels ORDER BY level`)
	if err != nil {
		return nil, fmt.Errorf("level table: %w", err)
	}
	defer rows.Close()
	var out []brink.LevelStats
	for rows.Next() {
		var l brink.LevelStats
		var p50, p95, p99 sql.NullFloat64
		if err := rows.Scan(&l.Level, &l.Users, &l.WindowStart, &l.WindowEnd, &l.WindowS, &l.Requests, &l.Answered, &l.RPS,
			&l.AnsweredRPS, &p50, &p95, &p99, &l.ErrorRate, &l.ThrottleRate, &l.TimeoutRate, &l.InputTPM, &l.OutputTPM,
			&l.AllRequests, &l.AllErrorRate, &l.AllThrottle); err != nil {
			return nil, fmt.Errorf("level table: %w", err)
		}
		l.WindowStart, l.WindowEnd = l.WindowStart.UTC(), l.WindowEnd.UTC()
		l.P50MS, l.P95MS, l.P99MS = ptr(p50), ptr(p95), ptr(p99)
		out = append(out, l)
	}
	return out, rows.Err()
}

func ptr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

// copyParquet writes a table to a Parquet file (zstd) via a temporary name.
func copyParquet(ctx context.Context, db *sql.DB, table string, run *rundir.Run, name string) error {
	path, err := run.Prepare(name)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	q := fmt.Sprintf(`COPY %s TO %s (FORMAT parquet, COMPRESSION zstd, KV_METADATA {'brink.schema_version': '%d', 'brink.kind': %s})`,
		table, quote(tmp), brink.SchemaVersion, quote(table))
	if _, err := db.ExecContext(ctx, q); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return run.Publish(ctx, name)
}

// findEdge recomputes the stop rules exactly over each level's hold window,
// in level order, and returns the first level that broke one.
func findEdge(ctx context.Context, db *sql.DB, m *brink.Manifest, levels []brink.LevelStats, step string) (*brink.Edge, error) {
	type key struct {
		step string
		p    float64
	}
	values := map[key]map[int]ruleValues{}
	for _, r := range m.StopRules {
		if _, _, known := fromLevel(r, brink.LevelStats{}, step); known || !windowRule(r) {
			continue // the level table has it, or it is not judged per hold
		}
		k := key{r.Step, r.Percentile}
		if _, ok := values[k]; ok {
			continue
		}
		v, err := queryRuleValues(ctx, db, r.Step, r.Percentile)
		if err != nil {
			return nil, err
		}
		values[k] = v
	}
	complete := map[int]bool{}
	for _, lw := range m.Levels {
		complete[lw.Index] = lw.End.Sub(lw.SteadyStart) >= m.Plan.Hold.Std()-time.Millisecond
	}
	for _, l := range levels {
		if !complete[l.Level] {
			continue // a hold cut short is no evidence either way
		}
		for _, r := range m.StopRules {
			val, ok, known := fromLevel(r, l, step)
			if !known {
				val, ok = values[key{r.Step, r.Percentile}][l.Level].value(r)
			}
			if ok && r.Breached(val) {
				return &brink.Edge{Level: l.Level, Users: l.Users, Rule: r.String(), Value: val, Threshold: r.Threshold}, nil
			}
		}
	}
	return nil, nil
}

// windowRule: the rule is judged on each level's hold window.
func windowRule(r brink.StopRule) bool {
	return r.Metric == brink.RuleErrorRate || r.Metric == brink.RuleThrottleRate || r.Metric == brink.RuleLatency
}

// fromLevel reads a rule's value off the level table when the table has it
// (the default rules: all-step error rate, the conversation step's rates
// and its p50/p95/p99), saving a pass over the traces. known is false for
// any other rule, which queries/rule_values.sql answers.
func fromLevel(r brink.StopRule, l brink.LevelStats, step string) (v float64, ok, known bool) {
	switch {
	case r.Metric == brink.RuleErrorRate && r.Step == "":
		return l.AllErrorRate, l.AllRequests > 0 || l.AllErrorRate == 1, true // 1 over none: levelTable
	case r.Metric == brink.RuleThrottleRate && r.Step == "":
		return l.AllThrottle, l.AllRequests > 0, true
	case r.Metric == brink.RuleErrorRate && r.Step == step:
		return l.ErrorRate, l.Requests > 0, true
	case r.Metric == brink.RuleThrottleRate && r.Step == step:
		return l.ThrottleRate, l.Requests > 0, true
	case r.Metric == brink.RuleLatency && r.Step == step:
		var p *float64
		switch r.Percentile {
		case 0.5:
			p = l.P50MS
		case 0.95:
			p = l.P95MS
		case 0.99:
			p = l.P99MS
		default:
			return 0, false, false
		}
		if p == nil {
			return 0, false, true
		}
		return *p, true, true
	}
	return 0, false, false
}

type ruleValues struct {
	requests, errors, throttled int64
	latency                     sql.NullFloat64
}

func (v ruleValues) value(r brink.StopRule) (float64, bool) {
	switch r.Metric {
	case brink.RuleErrorRate:
		return float64(v.errors) / float64(v.requests), v.requests > 0
	case brink.RuleThrottleRate:
		return float64(v.throttled) / float64(v.requests), v.requests > 0
	case brink.RuleLatency:
		return v.latency.Float64, v.latency.Valid
	}
	return 0, false
}

func queryRuleValues(ctx context.Context, db *sql.DB, step string, p float64) (map[int]ruleValues, error) {
	if p <= 0 || p > 1 {
		p = 0.5 // unused by rate rules; quantile_cont needs a valid fraction
	}
	rows, err := db.QueryContext(ctx, queries.MustGet("rule_values"), step, p)
	if err != nil {
		return nil, fmt.Errorf("stop rule values: %w", err)
	}
	defer rows.Close()
	out := map[int]ruleValues{}
	for rows.Next() {
		var lvl int
		var v ruleValues
		if err := rows.Scan(&lvl, &v.requests, &v.errors, &v.throttled, &v.latency); err != nil {
			return nil, fmt.Errorf("stop rule values: %w", err)
		}
		out[lvl] = v
	}
	return out, rows.Err()
}

func fmtMSPtr(v *float64) string {
	if v == nil {
		return "unknown"
	}
	return fmt.Sprintf("%.0f ms", *v)
}
