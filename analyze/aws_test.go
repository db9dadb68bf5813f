package analyze

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
)

// TestFirstLimitCandidates: a Lambda throttle through API Gateway is a 500,
// so the traces' 5xx are a candidate after 429s; API Gateway's own
// throttling (429s with 4XXError counted and no service throttling behind
// them) is one of its own.
func TestFirstLimitCandidates(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	zero := &brink.InfraStats{LambdaThrottles: f(0), DDBWriteThrottles: f(0), BedrockThrottles: f(0), APIGateway4xx: f(0)}
	apigw := *zero
	apigw.APIGateway4xx = f(12)
	bedrock := apigw
	bedrock.BedrockThrottles = f(3)
	for _, c := range []struct {
		name   string
		levels []brink.LevelStats
		server map[int]float64
		want   string // signal@level/source
	}{
		{"api gateway", []brink.LevelStats{{Level: 0, Infra: zero}, {Level: 1, Infra: &apigw, AllThrottle: 0.1}},
			nil, "API Gateway throttling (HTTP 429, 4XXError)@1/cloudwatch"},
		{"bedrock answers 429 itself", []brink.LevelStats{{Level: 0, Infra: &bedrock, AllThrottle: 0.1}},
			nil, "Bedrock throttles@0/cloudwatch"},
		{"4xx without 429", []brink.LevelStats{{Level: 0, Infra: &apigw}, {Level: 1, TimeoutRate: 0.2}},
			nil, "timeouts@1/traces"},
		{"5xx in the traces", []brink.LevelStats{{Level: 0}, {Level: 1}, {Level: 2, TimeoutRate: 0.1}},
			map[int]float64{1: 0.05}, "server errors (HTTP 5xx; a Lambda throttle reaches the client as 500 through API Gateway)@1/traces"},
		{"dynamodb on-demand cap", []brink.LevelStats{{Level: 0, Infra: &brink.InfraStats{DDBWriteThrottles: f(9), DDBKeyRangeThrottles: f(2),
			DDBOnDemandMaxThrottles: f(7), DDBAccountThrottles: f(0)}}},
			nil, "DynamoDB write throttles (the table's on-demand maximum throughput)@0/cloudwatch"},
		{"dynamodb provisioned", []brink.LevelStats{{Level: 0, Infra: &brink.InfraStats{DDBWriteThrottles: f(9), DDBKeyRangeThrottles: f(0)}}},
			nil, "DynamoDB write throttles@0/cloudwatch"},
		{"429 in the traces", []brink.LevelStats{{Level: 0, AllThrottle: 0.01}}, map[int]float64{0: 0.5}, "throttled requests (HTTP 429)@0/traces"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := firstLimit(c.levels, c.server)
			if got == nil || got.Signal+"@"+string(rune('0'+got.Level))+"/"+got.Source != c.want {
				t.Errorf("first limit %+v, want %s", got, c.want)
			}
		})
	}
}

// TestBilledInvocationsFromMetrics: when Lambda's Invocations were
// collected, cost bills them (scaled from the whole periods to the hold)
// instead of the traces' requests, which cannot tell a throttled 500 from
// a billed one.
func TestBilledInvocationsFromMetrics(t *testing.T) {
	dir, rows := fixtureRun(t)
	m := manifestOf(t, dir)
	// Level 0 holds [10 s, 70 s): 1-second datapoints, 3 invocations a
	// second over its first 30 s and none after: 1.5/s over the hold.
	var ms []brink.Metric
	for s := 10; s < 70; s++ {
		v := 0.0
		if s < 40 {
			v = 3
		}
		ms = append(ms, brink.Metric{RunID: "fixture", Source: brink.SourceCloudWatch, Namespace: "AWS/Lambda", Metric: "Invocations",
			Dimensions: "FunctionName=chat", Stat: "Sum", PeriodS: 1, TS: t0.Add(time.Duration(s) * time.Second), Value: v, Unit: "Count"})
	}
	os.MkdirAll(filepath.Join(dir, "metrics"), 0o755)
	if err := parquet.WriteMetrics(filepath.Join(dir, "metrics", "cloudwatch.parquet"), "fixture", ms); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Level 1 has no Invocations datapoint: the traces' requests that got
	// through and were not answered 429.
	var level1 int64
	w := m.Levels[1]
	for _, r := range rows {
		if !r.Start.Before(w.SteadyStart) && r.Start.Before(w.End) && r.Error != brink.ErrConnect && r.Status != 429 {
			level1++
		}
	}
	c := res.Summary.Cost
	if c == nil || len(c.Levels) != 2 || c.Levels[0].LambdaInvocations != 90 || c.Levels[1].LambdaInvocations != level1 {
		t.Fatalf("billed invocations %+v; want 90 (1.5/s × 60 s) and %v", c.Levels, level1)
	}
	if in := res.Summary.Levels[0].Infra; in == nil || in.LambdaInvocationsPerS == nil || *in.LambdaInvocationsPerS != 1.5 {
		t.Errorf("level 0 infra %+v: want 1.5 invocations/s", in)
	}
	if !strings.Contains(strings.Join(res.Summary.Findings, " "), "Platform metrics are 1 s datapoints") {
		t.Errorf("findings do not say how datapoints were counted: %q", res.Summary.Findings)
	}
}
