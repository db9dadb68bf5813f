package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/queries"
	"brink/rundir"
)

// fixtureDB is a database with the fixture run loaded (loadRun), closed
// when the test ends.
func fixtureDB(t *testing.T) *sql.DB {
	t.Helper()
	dir, _ := fixtureRun(t)
	db, err := Open(context.Background(), DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := loadRun(context.Background(), db, openRun(t, dir)); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestQueriesGolden runs each level query on the fixture run and compares
// its rows with a golden CSV (go test -update rewrites them). The numbers
// themselves are checked against independent computations in
// TestAnalyzeFixture and TestSlowestUsersAndLittlesLaw; this pins the SQL.
func TestQueriesGolden(t *testing.T) {
	ctx := context.Background()
	db := fixtureDB(t)
	// Metrics: a Lambda throttle in level 0's hold, concurrency in both,
	// Bedrock tokens in level 1, one datapoint outside every hold, and two
	// tables' provisioned capacity (30 and 10, one read twice): 40 in all.
	// Level 0: 30 Lambda invocations (0.5/s); level 1: 3 API Gateway 4XXError.
	// All are 1-second datapoints: 60 whole periods in each 60 s hold.
	at := func(d time.Duration) string { return "TIMESTAMPTZ '" + t0.Add(d).Format(time.RFC3339) + "'" }
	if _, err := db.Exec(`CREATE VIEW metrics AS SELECT * FROM (VALUES
		('cloudwatch', 'AWS/Lambda', 'Throttles', '', 'Sum', 1, ` + at(20*time.Second) + `, 3.0),
		('cloudwatch', 'AWS/Lambda', 'ConcurrentExecutions', '', 'Maximum', 1, ` + at(30*time.Second) + `, 7.0),
		('cloudwatch', 'AWS/Lambda', 'ConcurrentExecutions', '', 'Maximum', 1, ` + at(90*time.Second) + `, 12.0),
		('cloudwatch', 'AWS/Bedrock', 'InputTokenCount', '', 'Sum', 1, ` + at(95*time.Second) + `, 6000.0),
		('cloudwatch', 'AWS/Bedrock', 'InputTokenCount', '', 'Sum', 1, ` + at(75*time.Second) + `, 999.0),
		('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=a', 'Average', 1, ` + at(20*time.Second) + `, 30.0),
		('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=a', 'Average', 1, ` + at(21*time.Second) + `, 30.0),
		('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=b', 'Average', 1, ` + at(20*time.Second) + `, 10.0),
		('cloudwatch', 'AWS/Lambda', 'Invocations', '', 'Sum', 1, ` + at(25*time.Second) + `, 30.0),
		('cloudwatch', 'AWS/ApiGateway', '4XXError', '', 'Sum', 1, ` + at(100*time.Second) + `, 3.0),
		('logs_insights', '/aws/lambda/chat', 'cold_starts', '', 'Sum', 1, ` + at(15*time.Second) + `, 2.0)
	) v(source, namespace, metric, dimensions, stat, period_s, ts, value)`); err != nil {
		t.Fatal(err)
	}
	// The two passes over the holds the level queries read.
	if err := holdTables(ctx, db, "ask"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"hold_users", "hold_users", []any{"ask"}},
		{"hold_steps", "hold_steps", []any{"ask"}},
		{"levels", "levels", []any{"ask", true}},
		{"level_steps", "level_steps", []any{"ask"}},
		{"latency_dist", "latency_dist", []any{"ask"}},
		{"ramps", "ramps", nil},
		{"user_levels", "user_levels", nil},
		{"littles_law", "littles_law", nil},
		{"in_flight", "in_flight", nil},
		{"rule_values_all", "rule_values", []any{"", 0.5}},
		{"rule_values_ask_p95", "rule_values", []any{"ask", 0.95}},
		{"level_metrics", "level_metrics", nil},
		{"server_errors", "server_errors", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, err := db.QueryContext(ctx, queries.MustGet(c.query), c.args...)
			if err != nil {
				t.Fatal(err)
			}
			got := csvOf(t, rows)
			path := filepath.Join("testdata", "queries", c.name+".golden.csv")
			if *update {
				os.WriteFile(path, []byte(got), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", c.name, path, got)
			}
		})
	}
}

func csvOf(t *testing.T, rows *sql.Rows) string {
	t.Helper()
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	b.WriteString(strings.Join(cols, ",") + "\n")
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				cells[i] = "NULL"
			case time.Time:
				cells[i] = x.UTC().Format(time.RFC3339Nano)
			case float64:
				cells[i] = fmt.Sprintf("%.10g", x)
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLevelMetricsWholePeriods lines 1-minute datapoints up with holds that
// do not start on a minute: a datapoint counts only when its whole minute
// lies in the hold, and rates divide by the whole minutes' span.
func TestLevelMetricsWholePeriods(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	us := func(d time.Duration) int64 { return t0.Add(d).UnixMicro() }
	at := func(d time.Duration) string { return "TIMESTAMPTZ '" + t0.Add(d).Format(time.RFC3339) + "'" }
	// Level 0 holds [0:30, 3:50): whole minutes 1:00, 2:00 (3:00 runs to 4:00, past the end).
	// Level 1 holds [4:20, 8:00): whole minutes 5:00, 6:00, 7:00.
	if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE windows AS SELECT * FROM (VALUES
		(0, 10, %d::BIGINT, %d::BIGINT, %d::BIGINT), (1, 20, %d::BIGINT, %d::BIGINT, %d::BIGINT)) v(level, users, ramp_us, steady_us, end_us)`,
		us(0), us(30*time.Second), us(230*time.Second), us(230*time.Second), us(260*time.Second), us(480*time.Second))); err != nil {
		t.Fatal(err)
	}
	var vals []string
	// Throttles: 1 in each minute 0..7, except minute 3 (level 1's ramp) which has 50.
	// Consumed WCU: 600 a minute (10/s) in every minute.
	for m := range 8 {
		thr := 1.0
		if m == 3 {
			thr = 50
		}
		vals = append(vals, fmt.Sprintf("('cloudwatch', 'AWS/Lambda', 'Throttles', '', 'Sum', 60, %s, %g)", at(time.Duration(m)*time.Minute), thr),
			fmt.Sprintf("('cloudwatch', 'AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'TableName=a', 'Sum', 60, %s, 600.0)", at(time.Duration(m)*time.Minute)))
	}
	// Provisioned capacity: 5-minute data, 90 then 120: counted where it overlaps.
	vals = append(vals, "('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=a', 'Average', 300, "+at(0)+", 90.0)",
		"('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=a', 'Average', 300, "+at(5*time.Minute)+", 120.0)")
	if _, err := db.Exec(`CREATE VIEW metrics AS SELECT * FROM (VALUES ` + strings.Join(vals, ",\n") +
		`) v(source, namespace, metric, dimensions, stat, period_s, ts, value)`); err != nil {
		t.Fatal(err)
	}
	levels := []brink.LevelStats{{Level: 0, Users: 10}, {Level: 1, Users: 20}}
	warn, err := levelMetrics(ctx, db, levels)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		level, periods int
		throttles, wcu float64
		provisioned    float64
	}{
		{0, 2, 2, 10, 90},             // minutes 1, 2; provisioned: only the first 5 minutes overlap
		{1, 3, 3, 10, (90 + 120) / 2}, // minutes 5, 6, 7 (not 3, the ramp's 50); both 5-minute points overlap
	} {
		in := levels[c.level].Infra
		if in == nil || in.MetricPeriods != c.periods || in.MetricPeriodS != 60 || *in.LambdaThrottles != c.throttles ||
			*in.DDBConsumedWCUPerS != c.wcu || *in.DDBProvisionedWCU != c.provisioned {
			t.Errorf("level %d: %+v; want %d periods, %v throttles, %v WCU/s, %v provisioned", c.level, in, c.periods, c.throttles, c.wcu, c.provisioned)
		}
	}
	if len(warn) != 1 || !strings.Contains(warn[0], "level(s) 0 (2) hold fewer than 3 whole periods") {
		t.Errorf("warnings %q, want one naming level 0 with 2 whole periods", warn)
	}
}

// TestCollectWarningsReachFindings leaves a Logs Insights failure in the
// fixture run's collect.json, as brink collect writes it, and checks that
// the summary carries it as a warning and says in the findings that cold
// starts are unknown rather than zero.
func TestCollectWarningsReachFindings(t *testing.T) {
	dir, _ := fixtureRun(t)
	w := "Logs Insights: StartQuery: access denied (AccessDeniedException: no): allow logs:StartQuery for these credentials: no cold starts collected for /aws/lambda/chat (the metrics are kept)"
	if err := openRun(t, dir).WriteJSON(context.Background(), rundir.CollectFile, map[string]any{"warnings": []string{w}}); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), dir, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range res.Summary.Warnings {
		found = found || x == "collect: "+w
	}
	if !found {
		t.Errorf("warnings %q lack the collect warning", res.Summary.Warnings)
	}
	want := "Cold starts are incomplete or unknown (not zero): Logs Insights failed in collect (StartQuery: access denied"
	found = false
	for _, f := range res.Summary.Findings {
		found = found || strings.HasPrefix(f, want)
	}
	if !found {
		t.Errorf("findings %q lack %q", res.Summary.Findings, want)
	}
}

// A hold that saw no request: in a closed model its all-step error rate is
// 100% (a target that answered nothing), in an open model 0 over none.
func TestLevelsEmptyHold(t *testing.T) {
	ctx := context.Background()
	db := fixtureDB(t)
	// Level 1's hold loses its requests.
	if _, err := db.Exec(`CREATE TABLE hold0 AS SELECT * FROM hold WHERE level = 0; CREATE OR REPLACE VIEW hold AS SELECT * FROM hold0`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		closed bool
		want   float64
	}{{true, 1}, {false, 0}} {
		levels, err := levelTable(ctx, db, "ask", c.closed)
		if err != nil {
			t.Fatal(err)
		}
		if len(levels) != 2 || levels[1].AllRequests != 0 || levels[1].AllErrorRate != c.want || levels[0].AllErrorRate != 1.0/22 {
			t.Errorf("closed %v: levels %+v, want level 1 at %v over no request and level 0 unchanged", c.closed, levels, c.want)
		}
	}
}
