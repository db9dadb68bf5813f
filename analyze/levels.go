package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"brink"
	"brink/queries"
	"brink/rundir"
)

// stepTables writes analysis/levels.parquet (one row per level and step
// over the holds, from hold_steps for the conversation step) and
// analysis/ramps.parquet (the ramp windows).
func stepTables(ctx context.Context, db *sql.DB, run *rundir.Run, step string, levels []brink.LevelStats) (levelsPath string, err error) {
	for _, t := range []struct {
		table, query, file string
		args               []any
	}{
		{"level_steps", "level_steps", rundir.LevelsFile, []any{step}},
		{"ramps", "ramps", rundir.RampsFile, nil},
	} {
		if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE `+t.table+` AS `+queries.MustGet(t.query), t.args...); err != nil {
			return "", fmt.Errorf("%s table: %w", t.table, err)
		}
		if t.table == "level_steps" {
			if err := markSuspect(ctx, db, "level_steps", levels); err != nil {
				return "", err
			}
		}
		if err := copyParquet(ctx, db, t.table, run, t.file); err != nil {
			return "", err
		}
	}
	return run.Location(rundir.LevelsFile), nil
}

// userLevels adds the slowest-users view to the level rows (of the
// conversation step hold_users was made for).
func userLevels(ctx context.Context, db *sql.DB, levels []brink.LevelStats) error {
	rows, err := db.QueryContext(ctx, queries.MustGet("user_levels"))
	if err != nil {
		return fmt.Errorf("user-level view: %w", err)
	}
	defer rows.Close()
	byLevel := index(levels)
	for rows.Next() {
		var lvl, n int
		var med, mx sql.NullFloat64
		if err := rows.Scan(&lvl, &n, &med, &mx); err != nil {
			return fmt.Errorf("user-level view: %w", err)
		}
		if l := byLevel[lvl]; l != nil {
			l.UserP95MedianMS, l.UserP95MaxMS = ptr(med), ptr(mx)
		}
	}
	return rows.Err()
}

// littlesLaw adds the users Little's law implies, and flags levels where
// they fall short of the target by more than 10%.
func littlesLaw(ctx context.Context, db *sql.DB, levels []brink.LevelStats) error {
	rows, err := db.QueryContext(ctx, queries.MustGet("littles_law"))
	if err != nil {
		return fmt.Errorf("little's law: %w", err)
	}
	defer rows.Close()
	byLevel := index(levels)
	for rows.Next() {
		var lvl int
		var x, r float64
		var z sql.NullFloat64
		var n float64
		if err := rows.Scan(&lvl, &x, &r, &z, &n); err != nil {
			return fmt.Errorf("little's law: %w", err)
		}
		if l := byLevel[lvl]; l != nil {
			l.LittleUsers, l.MeanIdleMS = n, ptr(z)
			l.GeneratorLimited = n < 0.9*float64(l.Users)
		}
	}
	return rows.Err()
}

// inFlight adds each level's requests in flight per second: mean and p99.
func inFlight(ctx context.Context, db *sql.DB, levels []brink.LevelStats) error {
	rows, err := db.QueryContext(ctx, queries.MustGet("in_flight"))
	if err != nil {
		return fmt.Errorf("requests in flight: %w", err)
	}
	defer rows.Close()
	byLevel := index(levels)
	for rows.Next() {
		var lvl int
		var mean, p99 sql.NullFloat64
		if err := rows.Scan(&lvl, &mean, &p99); err != nil {
			return fmt.Errorf("requests in flight: %w", err)
		}
		if l := byLevel[lvl]; l != nil {
			l.InFlightMean, l.InFlightP99 = ptr(mean), ptr(p99)
		}
	}
	return rows.Err()
}

// minWholePeriods is the fewest whole metric periods a hold should hold
// for its platform numbers to rest on more than a datapoint or two.
const minWholePeriods = 3

// levelMetrics joins the collected metrics to the level rows, keeping them
// as the table level_infra (cost reads Lambda's billed invocations there).
// It warns of each level whose hold holds fewer than three whole metric
// periods.
func levelMetrics(ctx context.Context, db *sql.DB, levels []brink.LevelStats) ([]string, error) {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE level_infra AS `+queries.MustGet("level_metrics")); err != nil {
		return nil, fmt.Errorf("align metrics to levels: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT * FROM level_infra ORDER BY level`)
	if err != nil {
		return nil, fmt.Errorf("align metrics to levels: %w", err)
	}
	defer rows.Close()
	byLevel := index(levels)
	var short []string
	period := 0
	for rows.Next() {
		var lvl, n, p int
		var v [16]sql.NullFloat64
		if err := rows.Scan(&lvl, &n, &p, &v[0], &v[1], &v[11], &v[12], &v[2], &v[3], &v[4], &v[5], &v[13], &v[14], &v[15],
			&v[6], &v[7], &v[8], &v[9], &v[10]); err != nil {
			return nil, fmt.Errorf("align metrics to levels: %w", err)
		}
		if l := byLevel[lvl]; l != nil {
			if n < minWholePeriods {
				short = append(short, fmt.Sprintf("%d (%d)", lvl, n))
			}
			period = p
			l.Infra = &brink.InfraStats{MetricPeriods: n, MetricPeriodS: p,
				LambdaMaxConcurrency: ptr(v[0]), LambdaThrottles: ptr(v[1]), ColdStarts: ptr(v[2]),
				DDBConsumedWCUPerS: ptr(v[3]), DDBProvisionedWCU: ptr(v[4]), DDBWriteThrottles: ptr(v[5]),
				BedrockInvocations: ptr(v[6]), BedrockThrottles: ptr(v[7]), BedrockLatencyMS: ptr(v[8]),
				BedrockInputTPM: ptr(v[9]), BedrockOutputTPM: ptr(v[10]),
				LambdaInvocationsPerS: ptr(v[11]), APIGateway4xx: ptr(v[12]),
				DDBKeyRangeThrottles: ptr(v[13]), DDBOnDemandMaxThrottles: ptr(v[14]), DDBAccountThrottles: ptr(v[15]),
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(short) == 0 {
		return nil, nil
	}
	return []string{fmt.Sprintf("platform metrics are %d s datapoints and only those whose whole period lies in a hold count: "+
		"level(s) %s hold fewer than %d whole periods, so their platform numbers rest on little or no data (hold each level at least %d × %d s)",
		period, strings.Join(short, ", "), minWholePeriods, minWholePeriods, period)}, nil
}

func index(levels []brink.LevelStats) map[int]*brink.LevelStats {
	m := make(map[int]*brink.LevelStats, len(levels))
	for i := range levels {
		m[levels[i].Level] = &levels[i]
	}
	return m
}

// firstLimit finds the limit that rose first, level by level: throttles
// from the platform's metrics when collected, else from the traces. A 429
// reaches the client only from API Gateway's own throttling (or a function
// that answers 429 itself): through API Gateway's Lambda proxy integration a
// Lambda throttle is a 500, so the traces' 5xx are a candidate too.
func firstLimit(levels []brink.LevelStats, serverErrors map[int]float64) *brink.LimitSignal {
	for _, l := range levels {
		if in := l.Infra; in != nil {
			for _, c := range []struct {
				name string
				v    *float64
			}{
				{"Lambda throttles", in.LambdaThrottles},
				{"DynamoDB write throttles", in.DDBWriteThrottles},
				{"Bedrock throttles", in.BedrockThrottles},
			} {
				if c.v != nil && *c.v > 0 {
					name := c.name
					if c.name == "DynamoDB write throttles" {
						name += ddbCause(in)
					}
					return &brink.LimitSignal{Signal: name, Level: l.Level, Users: l.Users, Value: *c.v, Source: "cloudwatch"}
				}
			}
			// 429s no service behind it explains, with API Gateway counting
			// client errors: API Gateway's own throttling (account 10,000
			// rps / 5,000 burst, stage and usage-plan limits).
			if v := in.APIGateway4xx; v != nil && *v > 0 && l.AllThrottle > 0 {
				return &brink.LimitSignal{Signal: "API Gateway throttling (HTTP 429, 4XXError)", Level: l.Level, Users: l.Users, Value: *v, Source: "cloudwatch"}
			}
		}
		switch {
		case l.AllThrottle > 0:
			return &brink.LimitSignal{Signal: "throttled requests (HTTP 429)", Level: l.Level, Users: l.Users, Value: l.AllThrottle, Source: "traces"}
		case serverErrors[l.Level] > 0:
			return &brink.LimitSignal{Signal: "server errors (HTTP 5xx; a Lambda throttle reaches the client as 500 through API Gateway)",
				Level: l.Level, Users: l.Users, Value: serverErrors[l.Level], Source: "traces"}
		case l.TimeoutRate > 0:
			return &brink.LimitSignal{Signal: "timeouts", Level: l.Level, Users: l.Users, Value: l.TimeoutRate, Source: "traces"}
		}
	}
	return nil
}

// ddbCause names what DynamoDB's per-cause throttle metrics blame, the
// largest first: " (a hot partition)", " (the on-demand maximum
// throughput)", " (the account's table limit)"; "" when none was counted
// (provisioned capacity, or the metrics were not collected).
func ddbCause(in *brink.InfraStats) string {
	best, name := 0.0, ""
	for _, c := range []struct {
		v    *float64
		name string
	}{
		{in.DDBKeyRangeThrottles, " (a hot partition: key-range throughput)"},
		{in.DDBOnDemandMaxThrottles, " (the table's on-demand maximum throughput)"},
		{in.DDBAccountThrottles, " (the account's table-level throughput limit)"},
	} {
		if c.v != nil && *c.v > best {
			best, name = *c.v, c.name
		}
	}
	return name
}

// serverErrorRates is each level's share of requests (all steps, over the
// hold) answered 5xx other than a 504 timeout.
func serverErrorRates(ctx context.Context, db *sql.DB) (map[int]float64, error) {
	rows, err := db.QueryContext(ctx, queries.MustGet("server_errors"))
	if err != nil {
		return nil, fmt.Errorf("server errors: %w", err)
	}
	defer rows.Close()
	out := map[int]float64{}
	for rows.Next() {
		var lvl int
		var r float64
		if err := rows.Scan(&lvl, &r); err != nil {
			return nil, fmt.Errorf("server errors: %w", err)
		}
		out[lvl] = r
	}
	return out, rows.Err()
}
