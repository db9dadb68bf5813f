package cloudwatch

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultSpecs(t *testing.T) {
	for name, s := range map[string]Spec{"aws": DefaultSpec(), "sim": SimSpec()} {
		series := s.Series()
		seen := map[string]bool{}
		for _, sr := range series {
			if seen[sr.Key()] {
				t.Errorf("%s: %s asked twice", name, sr.Key())
			}
			seen[sr.Key()] = true
		}
		if len(series) < 40 {
			t.Errorf("%s: only %d series", name, len(series))
		}
	}
	sim := SimSpec()
	if sim.HighResolution || DefaultSpec().HighResolution {
		t.Error("neither spec asks for high resolution: AWS/* metrics are 1-minute data (in the sim as in AWS)")
	}
	if keys := keysOf(sim.Series()); keys["AWS/DynamoDB ConsumedReadCapacityUnits {TableName=chat-messages} Sum"] {
		t.Error("the sim spec excludes read metrics")
	}
}

func keysOf(series []Series) map[string]bool {
	m := map[string]bool{}
	for _, s := range series {
		m[s.Key()] = true
	}
	return m
}

// TestSeriesStatistics checks the statistic chosen for each kind of metric
// and the 4xx/5xx names of REST and HTTP APIs.
func TestSeriesStatistics(t *testing.T) {
	rest, err := ParseSpec("s.yaml", []byte("api: {kind: rest, name: chat, stage: prod}\nlambda: {functions: [f]}\nbedrock: {models: [m]}\ndynamodb: {tables: [t], operations: [PutItem]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	k := keysOf(rest.Series())
	for _, want := range []string{
		"AWS/ApiGateway 4XXError {ApiName=chat,Stage=prod} Sum",
		"AWS/ApiGateway 5XXError {ApiName=chat,Stage=prod} Sum",
		"AWS/ApiGateway Latency {ApiName=chat,Stage=prod} p99",
		"AWS/Lambda ConcurrentExecutions {FunctionName=f} Maximum",
		"AWS/Lambda Duration {FunctionName=f} Average",
		"AWS/Lambda Duration {FunctionName=f} p95",
		"AWS/Lambda Throttles {FunctionName=f} Sum",
		"AWS/Bedrock InputTokenCount {ModelId=m} Sum",
		"AWS/DynamoDB ThrottledRequests {Operation=PutItem,TableName=t} Sum",
		"AWS/DynamoDB WriteThrottleEvents {TableName=t} Sum",
	} {
		if !k[want] {
			t.Errorf("REST spec does not ask for %s", want)
		}
	}
	if k["AWS/Lambda ConcurrentExecutions {FunctionName=f} Sum"] || k["AWS/Lambda Throttles {FunctionName=f} Average"] {
		t.Error("a gauge summed or a count averaged")
	}
	http, err := ParseSpec("s.yaml", []byte("api: {kind: http, id: abc123, stage: $default}\nlatency_stats: [p50]\n"))
	if err != nil {
		t.Fatal(err)
	}
	k = keysOf(http.Series())
	if !k["AWS/ApiGateway 4xx {ApiId=abc123,Stage=$default} Sum"] || !k["AWS/ApiGateway 5xx {ApiId=abc123,Stage=$default} Sum"] ||
		!k["AWS/ApiGateway Latency {ApiId=abc123,Stage=$default} p50"] || k["AWS/ApiGateway 4XXError {ApiId=abc123,Stage=$default} Sum"] {
		t.Errorf("HTTP API series: %v", k)
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"lambda:\n  functoins: [f]\n", `s.yaml:2:3: unknown key "functoins" (did you mean "functions"?)`},
		{"api: {kind: graphql, name: x, stage: p}\n", `s.yaml: api.kind "graphql": want rest`},
		{"api: {kind: http, name: x, stage: p}\n", "s.yaml: api: an http API is named by id"},
		{"api: {kind: rest, name: x}\n", "s.yaml: api.stage: required"},
		{"latency_stats: [p95, median]\n", `s.yaml: latency_stats: "median" is not a statistic`},
		{"lambda: {functions: [a, b], log_groups: [g]}\n", "s.yaml: lambda.log_groups: 1 groups for 2 functions"},
		{"dynamodb: {tables: [t, t]}\n", `s.yaml: dynamodb.tables: "t" is listed twice`},
		{"logs_insights: {bin: 1500ms}\n", `s.yaml: logs_insights.bin: "1500ms": want whole seconds`},
		{"logs_insights: {query: stats count(*)}\n", "s.yaml: logs_insights.query: must contain {bin}"},
		{"high_resolution: maybe\n", "s.yaml:1:18:"},
		{"", "s.yaml: the file is empty"},
	} {
		_, err := ParseSpec("s.yaml", []byte(c.in))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: err %v, want %q", c.in, err, c.want)
		}
	}
}

func TestPeriod(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		age  time.Duration
		high bool
		want int32
	}{
		{time.Hour, true, 1}, {3 * time.Hour, true, 1}, {3*time.Hour + time.Second, true, 60},
		{time.Hour, false, 60}, {15 * day, false, 60}, {15*day + time.Minute, false, 300},
		{63 * day, true, 300}, {64 * day, false, 3600}, {400 * day, false, 3600},
	} {
		if got := Period(c.age, c.high); got != c.want {
			t.Errorf("Period(%v, %v) = %d, want %d", c.age, c.high, got, c.want)
		}
	}
	// The start is rounded down to the period before its age is judged.
	now := time.Date(2026, 12, 1, 12, 0, 10, 5e8, time.UTC)
	for _, c := range []struct {
		start time.Time
		high  bool
		want  int32
	}{
		{now.Add(-15*day + 30*time.Second), false, 300},          // 12:00:40 rounds to 12:00:00, 15 d + 10.5 s ago
		{now.Add(-15*day + 50*time.Second), false, 60},           // 12:01:00.5 rounds to 12:01:00, inside 15 d
		{now.Add(-3*time.Hour + 200*time.Millisecond), true, 60}, // rounds to a second 3 h + 0.5 s ago
		{now.Add(-3*time.Hour + time.Second), true, 1},
		{now.Add(-63*day + 4*time.Minute), false, 3600}, // 12:04:10 rounds to 12:00:00, past 63 d
		{now.Add(-time.Hour), false, 60},
	} {
		if got := PeriodFor(now, c.start, c.high); got != c.want {
			t.Errorf("PeriodFor(now, now-%v, %v) = %d, want %d", now.Sub(c.start), c.high, got, c.want)
		}
	}
	for d, want := range map[time.Duration]string{time.Second: "1s", 90 * time.Second: "90s", time.Minute: "1m", 5 * time.Minute: "5m", 2 * time.Hour: "2h"} {
		if got := formatBin(d); got != want {
			t.Errorf("formatBin(%v) = %s, want %s", d, got, want)
		}
	}
}

// FuzzParseSpec: any input either fails with a message naming the file, or
// gives a valid spec whose series are unique and well formed.
func FuzzParseSpec(f *testing.F) {
	f.Add(DefaultSpecYAML())
	f.Add(simSpecYAML)
	f.Add([]byte("api: {kind: http, id: x, stage: s}\nlatency_stats: [p99.9]\nlogs_insights: {bin: 30s, query: 'x by bin({bin})'}\n"))
	f.Add([]byte("lambda: {functions: [a], log_groups: [b]}\nexclude: [Duration]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("parsed spec does not validate: %v", err)
		}
		seen := map[string]bool{}
		for _, sr := range s.Series() {
			if seen[sr.Key()] || !validStat(sr.Stat) || sr.Namespace == "" || sr.Metric == "" {
				t.Fatalf("bad or repeated series %s", sr.Key())
			}
			seen[sr.Key()] = true
		}
		if len(s.logGroups()) != len(s.Lambda.Functions) {
			t.Fatalf("%d log groups for %d functions", len(s.logGroups()), len(s.Lambda.Functions))
		}
	})
}
