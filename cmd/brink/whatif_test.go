package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/pricing"
	"brink/replay"
	"brink/rundir"
)

// whatifRun writes a run whose summary's cost baseline is: 10 users over a
// 2-minute hold, 40 answered turns (2 per user-minute), 48 requests and
// invocations, 120 Lambda seconds (3 per turn), Claude 3 Haiku at 1000 input
// and 200 output tokens a turn; the edge of failure at 80 users.
func whatifRun(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	plan := brink.Plan{Model: "closed", StartUsers: 10, StepUsers: 10, MaxUsers: 10, Hold: brink.Duration(2 * time.Minute)}
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	w, err := rundir.Create(ctx, rundir.CreateOptions{RunsDir: t.TempDir(), RunID: "w", Started: t0, Plan: plan, Clock: brink.Clock{Epoch: t0, Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(ctx, rundir.Ending{Status: brink.StatusCompleted}); err != nil {
		t.Fatal(err)
	}
	p50 := 3000.0 // the baseline level's median answer, 3 s
	s := &brink.Summary{SchemaVersion: brink.SchemaVersion, RunID: "w", Plan: plan,
		Levels: []brink.LevelStats{{Level: 0, Users: 10, WindowS: 120, P50MS: &p50}},
		Edge:   &brink.Edge{Level: 7, Users: 80},
		Cost: &brink.CostSummary{Currency: "USD", PriceSheet: "embedded", Assumptions: pricing.DefaultUsage().Assumptions(),
			Levels: []brink.LevelCost{{Level: 0, Users: 10, WindowS: 120, UserMinutes: 20, AnsweredTurns: 40, APIRequests: 48,
				LambdaInvocations: 48, LambdaSeconds: 120, InputTokens: 40000, OutputTokens: 8000,
				Models: []brink.ModelTokens{{Model: "anthropic.claude-3-haiku-20240307-v1:0", Turns: 40, InputTokens: 40000, OutputTokens: 8000}}}}}}
	if err := w.WriteSummary(ctx, s); err != nil {
		t.Fatal(err)
	}
	return w.Dir()
}

func TestWhatIfViral(t *testing.T) {
	dir := whatifRun(t)
	code, out, errs := brinkMain(t, "whatif", "--run", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"viral x10 users, x2 engagement", "viral x100 users, x2 engagement", "edge of failure 80 users: beyond by 120", "whatif.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "analysis", "whatif.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w pricing.WhatIf
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.Results) != 3 {
		t.Fatalf("%d results, want 3", len(w.Results))
	}
	// Per turn by hand: Haiku 1000 in + 200 out, 1.2 requests and
	// invocations, 3 Lambda s at 1 GB, REST API requests (DefaultUsage: the
	// sim's stack). DynamoDB (provisioned, the analysis's model): the 90
	// WCU billed by the hour, or the units a second the scenario needs
	// when more (×100: 4000/60 × 7 = 466.7).
	perTurn := 1000*0.25/1e6 + 200*1.25/1e6 + 1.2*0.2/1e6 + 3*0.0000166667 + 1.2*3.5/1e6
	ddbHour := 90 * 0.00065
	x10 := w.Results[1] // 100 users × 4 turns a minute
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"measured per day", w.Results[0].PerDay.Total, 10*2*1440*perTurn + 24*ddbHour},
		{"x10 per hour", x10.PerHour.Total, 400*60*perTurn + ddbHour},
		{"x10 per day", x10.PerDay.Total, 400*1440*perTurn + 24*ddbHour},
		{"x100 per day", w.Results[2].PerDay.Total, 4000*1440*perTurn + 24*(4000.0/60*7)*0.00065},
		{"x100 tokens/min", w.Results[2].TokensPerMinute, 4000 * 1200},
		{"x100 lambda concurrency (mean: no per-second peak measured)", w.Results[2].LambdaConcurrency, 4000.0 / 60 * 3},
	} {
		if math.Abs(c.got-c.want) > 1e-9*c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestWhatIfFlags(t *testing.T) {
	dir := whatifRun(t)
	code, out, errs := brinkMain(t, "whatif", "--run", dir, "--json", "--dau", "14400", "--sessions-per-day", "1", "--session-minutes", "10",
		"--model", "amazon.nova-lite-v1:0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var w pricing.WhatIf
	if err := json.Unmarshal([]byte(out), &w); err != nil {
		t.Fatal(err)
	}
	r := w.Results[1] // 14,400 DAU × 10 min ÷ 1440 = 100 users
	if r.ConcurrentUsers != 100 || math.Abs(r.PerTurn.LLM-(1000*0.06+200*0.24)/1e6) > 1e-15 {
		t.Errorf("users %v, LLM per turn %v", r.ConcurrentUsers, r.PerTurn.LLM)
	}
	if code, _, errs := brinkMain(t, "whatif", "--run", dir, "--model", "acme.x"); code != 1 || !strings.Contains(errs, "amazon.nova-micro-v1:0") {
		t.Errorf("unknown model: exit %d %s", code, errs)
	}
	if code, _, _ := brinkMain(t, "whatif", "--run", dir, "--users-x", "2", "--scenarios", "x.yaml"); code != 2 {
		t.Errorf("flags and a file: exit %d, want 2", code)
	}
	if code, _, _ := brinkMain(t, "whatif", "--run", dir, "--cache-hit-rate", "3"); code != 2 {
		t.Errorf("cache hit rate 3: exit %d, want 2", code)
	}
	// A stated human engagement: one question a minute instead of the run's 2.
	code, out, errs = brinkMain(t, "whatif", "--run", dir, "--json", "--engagement", "1")
	if code != 0 {
		t.Fatalf("--engagement 1: exit %d: %s", code, errs)
	}
	w = pricing.WhatIf{}
	if err := json.Unmarshal([]byte(out), &w); err != nil || w.Results[1].TurnsPerUserMinute != 1 || w.Results[1].LoadEquivalentUsers != 5 {
		t.Errorf("--engagement 1: %v, turns/user-min %v, load %v; want 1 and 5 users", err, w.Results[1].TurnsPerUserMinute, w.Results[1].LoadEquivalentUsers)
	}
	// --engagement corpus: one question per (the built-in corpus's mean
	// recorded think time + the level's 3 s median answer).
	code, out, errs = brinkMain(t, "whatif", "--run", dir, "--json", "--engagement", "corpus")
	if code != 0 {
		t.Fatalf("--engagement corpus: exit %d: %s", code, errs)
	}
	var sum time.Duration
	gaps := replay.DefaultCorpus().RecordedGaps()
	for _, g := range gaps {
		sum += g
	}
	want := 60 / (sum.Seconds()/float64(len(gaps)) + 3)
	w = pricing.WhatIf{}
	if err := json.Unmarshal([]byte(out), &w); err != nil || math.Abs(w.Results[1].TurnsPerUserMinute-want) > 1e-9 ||
		!strings.HasPrefix(w.Results[1].Notes[0], "engagement: ") {
		t.Errorf("--engagement corpus: %v, turns/user-min %v (want %v), notes %q", err, w.Results[1].TurnsPerUserMinute, want, w.Results[1].Notes)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--engagement", "0"}, "--engagement 0: want questions per active user per minute above 0"},
		{[]string{"--engagement", "lots"}, `invalid value "lots" for flag -engagement: want questions per active user per minute (e.g. 1) or corpus`},
		{[]string{"--engagement", "1", "--engagement-x", "2"}, "--engagement 1 and --engagement-x 2: give one"},
		{[]string{"--hours-per-day", "25"}, "--hours-per-day 25: want hours in (0, 24]"},
		{[]string{"--hours-per-day", "0"}, "--hours-per-day 0: want hours in (0, 24]"},
	} {
		if code, _, errs := brinkMain(t, append([]string{"whatif", "--run", dir}, c.args...)...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, code, errs, c.want)
		}
	}
	if code, out, _ := brinkMain(t, "whatif", "--print-prices"); code != 0 || !strings.Contains(out, "meta.llama3-3-70b-instruct-v1:0") {
		t.Errorf("--print-prices: exit %d", code)
	}
}

func TestCostEstimate(t *testing.T) {
	// 10, 20, 30 users, 2 min ramp, 5 min hold: 390 user-minutes × 6 turns.
	got := pricing.DescribePlanEstimate(brink.Plan{Model: "closed", StartUsers: 10, StepUsers: 10, MaxUsers: 30,
		Ramp: brink.Duration(2 * time.Minute), Hold: brink.Duration(5 * time.Minute)})
	if !strings.Contains(got, "390 user-minutes × 6.0 turns each = 2340 turns") || !strings.Contains(got, "LLM $0.99") {
		t.Errorf("estimate %q", got)
	}
}
