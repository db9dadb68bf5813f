package sim

import (
	"context"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// runQuery runs a Logs Insights query through the SDK's client.
func (c *cwSim) runQuery(t *testing.T, q string) [][]types.ResultField {
	t.Helper()
	cl := c.logsClient()
	from, to := c.window()
	start, err := cl.StartQuery(context.Background(), &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String(c.s.LogGroup()),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix()), QueryString: aws.String(q)})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	res, err := cl.GetQueryResults(context.Background(), &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
	if err != nil || res.Status != types.QueryStatusComplete {
		t.Fatalf("%s: %v, status %s", q, err, res.Status)
	}
	return res.Results
}

func field(row []types.ResultField, name string) (float64, bool) {
	for _, f := range row {
		if aws.ToString(f.Field) == name {
			v, err := strconv.ParseFloat(aws.ToString(f.Value), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// TestLogsInsightsSubset runs the common capacity queries and checks each
// against the REPORT lines the sim kept, computed here in plain Go.
func TestLogsInsightsSubset(t *testing.T) {
	cfg := fastModel()
	cfg.Lambda.IdleTimeout = 20 * time.Second
	c := newCWSim(t, cfg)
	c.traffic(t)
	time.Sleep(c.s.clock.WallDuration(40 * time.Second))
	c.traffic(t)
	ev := c.s.logs.snapshot(time.Time{}, time.Now().Add(1000*time.Hour))
	var durs, inits []float64
	for _, e := range ev {
		durs = append(durs, e.Duration)
		if e.InitDuration > 0 {
			inits = append(inits, e.InitDuration)
		}
	}
	slices.Sort(durs)

	// AWS's memory sample query: bytes, divided down to MB.
	rows := c.runQuery(t, `filter @type = "REPORT"
		| stats max(@memorySize / 1000 / 1000) as provisionedMemoryMB, max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB, count(*) as n`)
	var maxUsed int
	for _, e := range ev {
		maxUsed = max(maxUsed, e.MaxMemoryMB)
	}
	if len(rows) != 1 {
		t.Fatalf("memory query: %d rows, want 1", len(rows))
	}
	if v, _ := field(rows[0], "provisionedMemoryMB"); v != 1024 {
		t.Errorf("provisionedMemoryMB %v, want 1024", v)
	}
	if v, _ := field(rows[0], "maxMemoryUsedMB"); v != float64(maxUsed) {
		t.Errorf("maxMemoryUsedMB %v, want %d", v, maxUsed)
	}
	if v, _ := field(rows[0], "n"); v != float64(len(ev)) {
		t.Errorf("count %v, want %d", v, len(ev))
	}

	// Cold starts: filter with ispresent, avg, default column names.
	rows = c.runQuery(t, `filter @type = "REPORT" and ispresent(@initDuration) | stats count(*) as cold, avg(@initDuration), pct(@duration, 50)`)
	if v, _ := field(rows[0], "cold"); v != float64(len(inits)) || len(inits) < 2 {
		t.Errorf("cold starts %v, want %d", v, len(inits))
	}
	if v, ok := field(rows[0], "avg(@initDuration)"); !ok || math.Abs(v-sum(inits)/float64(len(inits))) > 1e-9 {
		t.Errorf("avg(@initDuration) %v (%v), want %v", v, ok, sum(inits)/float64(len(inits)))
	}

	// Latency per bin, sorted by the bin, newest first, limited.
	rows = c.runQuery(t, `stats pct(@duration, 95) as p95, count(*) as n by bin(10s) | sort bin(10s) desc | limit 3`)
	if len(rows) != 3 {
		t.Fatalf("limit 3: %d rows", len(rows))
	}
	var prev string
	for i, r := range rows {
		bin := aws.ToString(r[0].Value)
		if aws.ToString(r[0].Field) != "bin(10s)" || (i > 0 && bin >= prev) {
			t.Errorf("row %d: bin %q after %q: want bin(10s) descending", i, bin, prev)
		}
		prev = bin
	}

	// A filter on a number, then the raw lines, newest first.
	slow := durs[len(durs)*3/4]
	rows = c.runQuery(t, `fields @timestamp, @duration, @requestId | filter @duration > `+strconv.FormatFloat(slow, 'f', -1, 64)+` | sort @duration desc | limit 5`)
	var want []float64
	for _, d := range slices.Backward(durs) {
		if d > slow && len(want) < 5 {
			want = append(want, d)
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("%d slow lines, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if v, _ := field(r, "@duration"); v != want[i] || len(r) != 3 {
			t.Errorf("line %d: %v (%d fields), want @duration %v", i, r, len(r), want[i])
		}
	}
	rows = c.runQuery(t, `filter @message like /Init Duration/ or @duration < 0 | stats count(*) as n`)
	if v, _ := field(rows[0], "n"); v != float64(len(inits)) {
		t.Errorf("like /regex/: %v lines, want %d", v, len(inits))
	}
}

func TestDescribeLogGroups(t *testing.T) {
	c := newCWSim(t, fastModel())
	cl := c.logsClient()
	out, err := cl.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 1 || aws.ToString(out.LogGroups[0].LogGroupName) != c.s.LogGroup() ||
		aws.ToString(out.LogGroups[0].LogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:"+c.s.LogGroup() {
		t.Errorf("log groups %+v", out.LogGroups)
	}
	out, err = cl.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/ecs/")})
	if err != nil || len(out.LogGroups) != 0 {
		t.Errorf("another prefix: %v, %d groups", err, len(out.LogGroups))
	}
}

// FuzzInsightsQuery: no query text panics the parser or the evaluator.
func FuzzInsightsQuery(f *testing.F) {
	for _, q := range []string{supportedQuery, `fields @timestamp | sort @timestamp desc | limit 20`,
		`filter (@duration > 1 or not ispresent(@initDuration)) and @message like "x" | stats pct(@duration, 99) by bin(1m)`,
		`filter @message like /a(b/`, `stats sum(@duration / 0)`, `filter "unterminated`} {
		f.Add(q)
	}
	ev := []LogEvent{{Time: time.Unix(1_800_000_000, 0), Type: "REPORT", Message: "REPORT x", Duration: 12, MemorySizeMB: 128, MaxMemoryMB: 70}}
	f.Fuzz(func(t *testing.T, q string) {
		if p, err := parseInsights(q); err == nil {
			p.run(ev, 100)
		}
	})
}
