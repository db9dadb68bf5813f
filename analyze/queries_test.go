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

	"brink/queries"
)

// TestQueriesGolden runs each level query on the fixture run and compares
// its rows with a golden CSV (go test -update rewrites them). The numbers
// themselves are checked against independent computations in
// TestAnalyzeFixture and TestSlowestUsersAndLittlesLaw; this pins the SQL.
func TestQueriesGolden(t *testing.T) {
	dir, _ := fixtureRun(t)
	ctx := context.Background()
	db, err := Open(ctx, DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := loadRun(ctx, db, openRun(t, dir)); err != nil {
		t.Fatal(err)
	}
	// Metrics: a Lambda throttle in level 0's hold, concurrency in both,
	// Bedrock tokens in level 1, one datapoint outside every hold, and two
	// tables' provisioned capacity (30 and 10, one read twice): 40 in all.
	at := func(d time.Duration) string { return "TIMESTAMPTZ '" + t0.Add(d).Format(time.RFC3339) + "'" }
	if _, err := db.Exec(`CREATE VIEW metrics AS SELECT * FROM (VALUES
		('cloudwatch', 'AWS/Lambda', 'Throttles', '', 'Sum', ` + at(20*time.Second) + `, 3.0),
		('cloudwatch', 'AWS/Lambda', 'ConcurrentExecutions', '', 'Maximum', ` + at(30*time.Second) + `, 7.0),
		('cloudwatch', 'AWS/Lambda', 'ConcurrentExecutions', '', 'Maximum', ` + at(90*time.Second) + `, 12.0),
		('cloudwatch', 'AWS/Bedrock', 'InputTokenCount', '', 'Sum', ` + at(95*time.Second) + `, 6000.0),
		('cloudwatch', 'AWS/Bedrock', 'InputTokenCount', '', 'Sum', ` + at(75*time.Second) + `, 999.0),
		('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=a', 'Average', ` + at(20*time.Second) + `, 30.0),
		('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=a', 'Average', ` + at(21*time.Second) + `, 30.0),
		('cloudwatch', 'AWS/DynamoDB', 'ProvisionedWriteCapacityUnits', 'TableName=b', 'Average', ` + at(20*time.Second) + `, 10.0),
		('logs_insights', '/aws/lambda/chat', 'cold_starts', '', 'Sum', ` + at(15*time.Second) + `, 2.0)
	) v(source, namespace, metric, dimensions, stat, ts, value)`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"levels", "levels", []any{"ask"}},
		{"level_steps", "level_steps", nil},
		{"ramps", "ramps", nil},
		{"user_levels", "user_levels", []any{"ask"}},
		{"littles_law", "littles_law", nil},
		{"in_flight", "in_flight", nil},
		{"rule_values_all", "rule_values", []any{"", 0.5}},
		{"rule_values_ask_p95", "rule_values", []any{"ask", 0.95}},
		{"level_metrics", "level_metrics", nil},
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
