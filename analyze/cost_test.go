package analyze

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/pricing"
	"brink/rundir"
)

const (
	haiku  = "anthropic.claude-3-haiku-20240307-v1:0"
	micro  = "amazon.nova-micro-v1:0"
	sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0"
)

// costFixtureRun writes a two-level run priced by hand in TestCost: level 0
// (2 users) holds [t0+10s, t0+70s), level 1 (4 users) [t0+80s, t0+140s).
func costFixtureRun(t *testing.T, models map[string]string) string {
	t.Helper()
	plan := brink.Plan{Model: "closed", StartUsers: 2, StepUsers: 2, MaxUsers: 4, Ramp: brink.Duration(10 * time.Second), Hold: brink.Duration(60 * time.Second)}
	dir := writeRun(t, t.TempDir(), "cost", plan, rundir.Ending{Status: brink.StatusCompleted})
	model := func(id string) string {
		if r, ok := models[id]; ok {
			return r
		}
		return id
	}
	var rows []brink.Trace
	add := func(vu int32, session int64, step string, at time.Duration, lat float64, status int32, errc, mdl string, in, out int32) {
		level := int32(0)
		if at >= 70*time.Second {
			level = 1
		}
		tr := brink.Trace{RunID: "cost", VU: vu, Session: session, Step: step, Level: level, Users: 2 * (level + 1), Phase: brink.PhaseSteady,
			Start: t0.Add(at), LatencyMS: lat, TTFBMS: lat / 3, Status: status, Error: errc, Throttled: status == 429, Model: model(mdl)}
		if in > 0 {
			tr.HasUsage, tr.InputTokens, tr.OutputTokens = true, in, out
		}
		rows = append(rows, tr)
	}
	ask := brink.StepAsk
	add(0, 0, ask, 5*time.Second, 1000, 200, "", haiku, 300, 50) // ramp: turn growth only
	// Level 0 hold.
	add(1, 1, brink.StepNewChat, 11*time.Second, 40.5, 201, "", "", 0, 0)
	add(0, 1, ask, 12*time.Second, 1000, 200, "", haiku, 400, 100)
	add(1, 1, ask, 15*time.Second, 2015, 200, "", micro, 500, 200)
	add(0, 1, ask, 20*time.Second, 1000, 200, "", haiku, 600, 120)
	add(0, 1, ask, 30*time.Second, 1000, 200, "", haiku, 800, 80)
	add(1, 1, ask, 40*time.Second, 29000, 504, brink.ErrTimeout, "", 0, 0)
	add(0, 2, ask, 50*time.Second, 20, 429, brink.ErrHTTP429, "", 0, 0)
	add(3, 1, brink.StepNewChat, 55*time.Second, 5, 0, brink.ErrConnect, "", 0, 0)
	add(0, 2, ask, 60*time.Second, 500, 200, "", "", 0, 0) // answered, no usage, no model
	// Level 1 hold.
	add(2, 1, ask, 85*time.Second, 3000, 200, "", sonnet, 1000, 300)
	add(2, 1, ask, 95*time.Second, 3000, 200, "", sonnet, 1500, 500)
	w, err := parquet.NewTraceWriter(filepath.Join(dir, rundir.TracesDir), parquet.TraceOptions{RunID: "cost", MaxRows: 5, FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		w.Write(r)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCost(t *testing.T) {
	dir := costFixtureRun(t, nil)
	res, err := Run(context.Background(), dir, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Summary.Cost
	if c == nil {
		t.Fatalf("no cost; warnings %q", res.Summary.Warnings)
	}
	if len(c.Levels) != 2 {
		t.Fatalf("%d cost levels, want 2", len(c.Levels))
	}
	// Level 0, by hand. Lambda: every request but the connect error and the
	// 429, billed latency − 15 ms rounded up: 26 + 985 + 2000 + 985 + 985 +
	// 28985 + 485 ms.
	l0 := c.Levels[0]
	lambdaS := (26.0 + 985 + 2000 + 985 + 985 + 28985 + 485) / 1000
	in0 := (400+600+800)*0.25/1e6 + 500*0.035/1e6
	out0 := (100+120+80)*1.25/1e6 + 200*0.14/1e6
	lambda0 := 7*0.20/1e6 + lambdaS*1*0.0000166667
	api0 := 8 * 3.50 / 1e6           // a REST API: the sim's stack (DefaultUsage)
	ddb0 := 90 * 0.00065 * 60 / 3600 // provisioned, held for the minute
	total0 := in0 + out0 + lambda0 + api0 + ddb0
	tok0 := []float64{500, 700, 720, 880}
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"user-minutes", l0.UserMinutes, 2},
		{"answered turns", float64(l0.AnsweredTurns), 5},
		{"api requests", float64(l0.APIRequests), 8},
		{"lambda invocations", float64(l0.LambdaInvocations), 7},
		{"lambda seconds", l0.LambdaSeconds, lambdaS},
		{"lambda GB-s", l0.LambdaGBSeconds, lambdaS},
		{"write units", l0.WriteUnits, 35},
		{"input tokens", float64(l0.InputTokens), 2300},
		{"output tokens", float64(l0.OutputTokens), 500},
		{"tokens/turn mean", *l0.TokensPerTurnMean, 700},
		{"tokens/turn p95", *l0.TokensPerTurnP95, quantileCont(tok0, 0.95)},
		{"input/turn mean", *l0.InputTokensPerTurnMean, 575},
		{"output/turn p95", *l0.OutputTokensPerTurnP95, quantileCont([]float64{100, 200, 120, 80}, 0.95)},
		{"LLM input", l0.USD.LLMInput, in0},
		{"LLM output", l0.USD.LLMOutput, out0},
		{"LLM", l0.USD.LLM, in0 + out0},
		{"Lambda", l0.USD.Lambda, lambda0},
		{"API Gateway", l0.USD.APIGateway, api0},
		{"DynamoDB", l0.USD.DynamoDB, ddb0},
		{"total", l0.USD.Total, total0},
		{"total per user-minute", l0.PerUserMinute.Total, total0 / 2},
		{"LLM per user-minute", l0.PerUserMinute.LLM, (in0 + out0) / 2},
		{"per turn", *l0.PerTurnUSD, total0 / 5},
	} {
		if math.Abs(x.got-x.want) > 1e-12*math.Max(1, math.Abs(x.want)) {
			t.Errorf("level 0 %s = %.15g, want %.15g", x.name, x.got, x.want)
		}
	}
	// Models of level 0: the no-usage answer is priced as the default model.
	// Sorted by model id.
	if len(l0.Models) != 2 || l0.Models[1].Model != haiku || l0.Models[1].Turns != 4 || l0.Models[1].InputTokens != 1800 ||
		l0.Models[0].Model != micro || l0.Models[0].OutputTokens != 200 || math.Abs(l0.Models[0].OutputUSD-200*0.14/1e6) > 1e-18 {
		t.Errorf("level 0 models %+v", l0.Models)
	}
	// Level 1: two Sonnet 4 turns, 4 users × 1 minute.
	l1 := c.Levels[1]
	llm1 := 2500*3.00/1e6 + 800*15.00/1e6 // 0.0195
	total1 := llm1 + 2*0.2/1e6 + 5.97*0.0000166667 + 2*3.5/1e6 + ddb0
	if math.Abs(l1.USD.LLM-llm1) > 1e-15 || math.Abs(l1.PerUserMinute.Total-total1/4) > 1e-15 {
		t.Errorf("level 1 LLM %v per user-minute %v, want %v and %v", l1.USD.LLM, l1.PerUserMinute.Total, llm1, total1/4)
	}
	// Turn growth over every answered turn with usage (the ramp's too):
	// turn 1: 300, 400, 500, 1000; turn 2: 600, 1500; turn 3: 800.
	want := []brink.TurnTokens{
		{Turn: 1, Answered: 4, InputTokensMean: 550, OutputTokensMean: 162.5},
		{Turn: 2, Answered: 2, InputTokensMean: 1050, OutputTokensMean: 310},
		{Turn: 3, Answered: 1, InputTokensMean: 800, OutputTokensMean: 80},
	}
	if len(c.TurnGrowth) != 3 {
		t.Fatalf("turn growth %+v", c.TurnGrowth)
	}
	for i, w := range want {
		if c.TurnGrowth[i] != w {
			t.Errorf("turn %d: %+v, want %+v", i+1, c.TurnGrowth[i], w)
		}
	}
	xs := []float64{1, 1, 1, 1, 2, 2, 3}
	ys := []float64{300, 400, 500, 1000, 600, 1500, 800}
	if got, want := *c.InputTokensPerTurn, slope(xs, ys); math.Abs(got-want) > 1e-9 {
		t.Errorf("input tokens per turn %v, want %v", got, want)
	}
	// Level 0 broke the error rule (3 of 9 requests): it is the baseline.
	if c.BaselineLevel != 0 || c.FailureExposure != nil || c.PriceSheet != "embedded" || c.Assumptions.WriteUnitsPerTurn != 7 {
		t.Errorf("baseline %d exposure %v sheet %q assumptions %+v", c.BaselineLevel, c.FailureExposure, c.PriceSheet, c.Assumptions)
	}
	found := false
	for _, f := range res.Summary.Findings {
		if strings.Contains(f, "an active user cost $") && strings.Contains(f, "At 2 users (level 0)") {
			found = true
		}
	}
	if !found {
		t.Errorf("no cost finding in %q", res.Summary.Findings)
	}
	// cost.parquet keeps full precision.
	db, _ := Open(context.Background(), DBOptions{})
	defer db.Close()
	var n int
	var pum float64
	if err := db.QueryRow(`SELECT count(*), max(total_usd_per_user_minute) FILTER (WHERE level = 0) FROM read_parquet(?)`,
		filepath.Join(dir, rundir.CostFile)).Scan(&n, &pum); err != nil {
		t.Fatal(err)
	}
	if n != 2 || pum != l0.PerUserMinute.Total {
		t.Errorf("cost.parquet: %d rows, level 0 per user-minute %v; want 2 and %v", n, pum, l0.PerUserMinute.Total)
	}
	// A what-if from this summary: the baseline is level 0's turns.
	b, err := pricing.BaselineFrom(res.Summary, -1)
	if err != nil {
		t.Fatal(err)
	}
	if b.Users != 2 || b.TurnsPerUserMinute != 2.5 || b.APIRequestsPerTurn != 8.0/5 || len(b.Limits) == 0 || b.Limits[0].Users != 2 {
		t.Errorf("baseline %+v", b)
	}
}

// slope is the least-squares slope of y over x.
func slope(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i] / float64(len(xs))
		my += ys[i] / float64(len(ys))
	}
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	return sxy / sxx
}

func TestCostUnknownModel(t *testing.T) {
	dir := costFixtureRun(t, map[string]string{micro: "acme.mystery-v1"})
	res, err := Run(context.Background(), dir, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Cost != nil {
		t.Fatal("an unpriced model: want no cost section")
	}
	w := strings.Join(res.Summary.Warnings, "\n")
	if !strings.Contains(w, `model "acme.mystery-v1" has no price`) || !strings.Contains(w, haiku) {
		t.Errorf("warnings %q: want the unknown model and the known ids", w)
	}
}

func TestCostOptions(t *testing.T) {
	// On-demand DynamoDB, arm Lambda of 512 MB billed a fixed 100 ms, REST API.
	dir := costFixtureRun(t, nil)
	db, _ := Open(context.Background(), DBOptions{})
	defer db.Close()
	run := openRun(t, dir)
	if _, err := loadRun(context.Background(), db, run); err != nil {
		t.Fatal(err)
	}
	u := pricing.DefaultUsage()
	u.DynamoDBMode, u.LambdaArch, u.LambdaMemoryMB, u.LambdaDuration, u.APIGatewayType = pricing.OnDemand, pricing.ArchARM, 512, 100*time.Millisecond, pricing.APIREST
	cs, err := runCost(context.Background(), db, brink.StepAsk, pricing.Default(), u)
	if err != nil {
		t.Fatal(err)
	}
	l0 := cs.Levels[0]
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"dynamodb", l0.USD.DynamoDB, 5 * 7 * 0.625 / 1e6},
		{"lambda", l0.USD.Lambda, 7*0.2/1e6 + 7*0.1*0.5*0.0000133334},
		{"api", l0.USD.APIGateway, 8 * 3.5 / 1e6},
	} {
		if math.Abs(x.got-x.want) > 1e-15 {
			t.Errorf("%s = %.15g, want %.15g", x.name, x.got, x.want)
		}
	}
}

// TestCostSizing: the sizing priced comes from a usage file (--usage), or
// else the sim's stack with the API type the collected metrics show, and
// the findings say which.
func TestCostSizing(t *testing.T) {
	ctx := context.Background()
	// A usage file: an HTTP API, a 512 MB arm function, on-demand tables.
	dir := costFixtureRun(t, nil)
	path := filepath.Join(t.TempDir(), "usage.yaml")
	os.WriteFile(path, []byte("api_gateway: {type: http}\nlambda: {memory_mb: 512, architecture: arm}\n"+
		"dynamodb: {mode: on_demand, write_units_per_turn: 7}\n"), 0o644)
	res, err := Run(ctx, dir, Options{Now: fixtureNow, UsageFile: path})
	if err != nil {
		t.Fatal(err)
	}
	l0 := res.Summary.Cost.Levels[0]
	lambdaS := (26.0 + 985 + 2000 + 985 + 985 + 28985 + 485) / 1000
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"API Gateway", l0.USD.APIGateway, 8 * 1.00 / 1e6},
		{"Lambda", l0.USD.Lambda, 7*0.20/1e6 + lambdaS*0.5*0.0000133334},
		{"DynamoDB", l0.USD.DynamoDB, 35 * 0.625 / 1e6},
	} {
		if math.Abs(x.got-x.want) > 1e-15 {
			t.Errorf("usage file: %s = %.15g, want %.15g", x.name, x.got, x.want)
		}
	}
	want := "Infrastructure is priced for usage file " + path + ": HTTP API, 512 MB arm Lambda, DynamoDB on-demand (7 write, 0 read units a turn)."
	if !slices.Contains(res.Summary.Findings, want) {
		t.Errorf("findings %q lack %q", res.Summary.Findings, want)
	}
	if _, err := Run(ctx, dir, Options{Now: fixtureNow, UsageFile: filepath.Join(t.TempDir(), "none.yaml")}); err == nil || !strings.Contains(err.Error(), "usage file") {
		t.Errorf("a missing usage file: %v", err)
	}
	// No usage file, and collect asked an HTTP API's series (ApiId) that had
	// datapoints: priced as an HTTP API, and said so.
	dir = costFixtureRun(t, nil)
	if err := openRun(t, dir).WriteJSON(ctx, rundir.CollectFile, map[string]any{"asked": []map[string]any{
		{"namespace": "AWS/ApiGateway", "metric": "Count", "dimensions": "ApiId=a1b2,Stage=prod", "datapoints": 3}}}); err != nil {
		t.Fatal(err)
	}
	res, err = Run(ctx, dir, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Summary.Cost.Levels[0].USD.APIGateway; math.Abs(got-8*1.00/1e6) > 1e-15 {
		t.Errorf("API Gateway %v, want an HTTP API's %v", got, 8*1.00/1e6)
	}
	if z := res.Summary.Cost.Assumptions.Sizing; !strings.HasSuffix(z, "the API type from the collected metrics (ApiId: an HTTP API)") {
		t.Errorf("sizing %q", z)
	}
}
