package replay

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"brink"
	"brink/sim"
)

// memSink keeps traces in memory.
type memSink struct {
	mu   sync.Mutex
	rows []brink.Trace
}

func (m *memSink) Write(t brink.Trace) error {
	m.mu.Lock()
	m.rows = append(m.rows, t)
	m.mu.Unlock()
	return nil
}

func startSim(t *testing.T, cfg sim.Config, scale float64) (*sim.Sim, string) {
	t.Helper()
	s, err := sim.New(cfg, scale)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func TestRunAgainstSim(t *testing.T) {
	s, url := startSim(t, sim.DefaultConfig(), 0.03)
	clock, found, err := brink.DiscoverClock(context.Background(), http.DefaultClient, url)
	if err != nil || !found {
		t.Fatalf("DiscoverClock: found=%v err=%v", found, err)
	}
	if clock.Scale != 0.03 || !clock.Epoch.Equal(s.Clock().Epoch) {
		t.Fatalf("clock %+v, want the sim's %+v", clock, s.Clock())
	}
	sink := &memSink{}
	plan := brink.Plan{StartUsers: 2, StepUsers: 2, MaxUsers: 6, Ramp: brink.Duration(5 * time.Second), Hold: brink.Duration(40 * time.Second)}
	var reports []LevelReport
	// The error rule only: at time scale 0.03 a 150 ms stall of a busy host
	// is 5 s of scenario latency, while the sim's Lambda limit (36) is far
	// above these 6 users.
	r, err := New(Options{Target: url, RunID: "t1", Plan: plan, Clock: clock, Seed: 3, Sink: sink,
		StopRules: []brink.StopRule{{Metric: brink.RuleErrorRate, Threshold: 0.01}},
		OnLevel:   func(rep LevelReport) { reports = append(reports, rep) }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != brink.StatusCompleted || len(res.Levels) != 3 || len(reports) != 3 {
		t.Fatalf("status %s, %d levels, %d reports; want completed, 3, 3 (%s)", res.Status, len(res.Levels), len(reports), res.StopReason)
	}
	if int64(len(sink.rows)) != res.Requests {
		t.Fatalf("sink got %d rows, result says %d requests", len(sink.rows), res.Requests)
	}
	var auths, asks int
	for _, tr := range sink.rows {
		// Every row is tagged with the level and phase its start time falls in.
		lw := res.Levels[tr.Level]
		inSteady := !tr.Start.Before(lw.SteadyStart) && tr.Start.Before(lw.End)
		inRamp := !tr.Start.Before(lw.RampStart) && tr.Start.Before(lw.SteadyStart)
		if (tr.Phase == brink.PhaseSteady && !inSteady) || (tr.Phase == brink.PhaseRamp && !inRamp && tr.Start.Before(lw.End)) {
			t.Fatalf("row tagged level %d %s starts at %v outside it (%+v)", tr.Level, tr.Phase, tr.Start, lw)
		}
		if int(tr.Users) != lw.Users {
			t.Fatalf("row users %d, level %d has %d", tr.Users, tr.Level, lw.Users)
		}
		switch tr.Step {
		case brink.StepAuth:
			auths++
		case brink.StepAsk:
			asks++
			if tr.Error == "" && (!tr.HasUsage || tr.InputTokens <= 0 || tr.OutputTokens <= 0 || tr.Model != sim.DefaultConfig().Bedrock.ModelID) {
				t.Fatalf("answered ask without usage/model: %+v", tr)
			}
			if tr.Error == "" && tr.LatencyMS < 300 {
				t.Fatalf("ask latency %.1f ms is below the modelled time to first token", tr.LatencyMS)
			}
		}
	}
	if auths != 6 {
		t.Errorf("%d logins, want one per virtual user (6)", auths)
	}
	if got := s.Counters().Turns.Load(); int(got) != asks {
		t.Errorf("sim answered %d turns, client recorded %d asks", got, asks)
	}
	// Live rule values: the error-rate rule saw the hold's requests.
	for i, rep := range reports {
		if rep.Requests == 0 {
			t.Errorf("level %d: no requests in the hold", i)
		}
	}
}

func TestStopRuleEndsRun(t *testing.T) {
	cfg := sim.DefaultConfig()
	// API Gateway's own throttling answers 429 (a Lambda throttle reaches
	// the client as 500 through API Gateway): most requests are throttled.
	cfg.APIGateway.ThrottleRate, cfg.APIGateway.ThrottleBurst = 0.2, 1
	_, url := startSim(t, cfg, 0.01)
	clock, _, _ := brink.DiscoverClock(context.Background(), http.DefaultClient, url)
	sink := &memSink{}
	plan := brink.Plan{StartUsers: 8, StepUsers: 8, MaxUsers: 32, Ramp: brink.Duration(2 * time.Second), Hold: brink.Duration(30 * time.Second)}
	r, err := New(Options{Target: url, RunID: "t2", Plan: plan, Clock: clock, Sink: sink, Think: &Think{Dist: "uniform", Min: time.Second, Max: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != brink.StatusStopped || res.Edge == nil || res.Edge.Window.Index != 0 {
		t.Fatalf("status %s edge %+v; want stopped at level 0", res.Status, res.Edge)
	}
	if res.Edge.Breached.Rule.Metric != brink.RuleErrorRate || res.Edge.Breached.Value <= 0.01 {
		t.Fatalf("breached %+v, want the error-rate rule above 1%%", res.Edge.Breached)
	}
	var thr int
	for _, tr := range sink.rows {
		if tr.Throttled {
			thr++
			if tr.Status != 429 || tr.Error != brink.ErrHTTP429 {
				t.Fatalf("throttled row %+v: want status 429, error http_429", tr)
			}
		}
	}
	if thr == 0 {
		t.Fatal("no throttled request recorded")
	}
}

func TestInterruptIsGraceful(t *testing.T) {
	_, url := startSim(t, sim.DefaultConfig(), 0.01)
	clock, _, _ := brink.DiscoverClock(context.Background(), http.DefaultClient, url)
	sink := &memSink{}
	r, err := New(Options{Target: url, RunID: "t3", Plan: brink.Plan{StartUsers: 4, MaxUsers: 4, Hold: brink.Duration(time.Hour)}, Clock: clock, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	res, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != brink.StatusInterrupted {
		t.Fatalf("status %s, want interrupted", res.Status)
	}
	// Bounded: the grace is the request timeout (30 s scenario = 0.3 s wall).
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("interrupt took %v", d)
	}
	if len(res.Levels) != 1 || !res.Levels[0].End.Equal(res.Ended) {
		t.Fatalf("levels %+v: want the one level cut at the end %v", res.Levels, res.Ended)
	}
}

func TestQuantileMatchesQuantileCont(t *testing.T) {
	// DuckDB: SELECT quantile_cont(x, p) FROM (VALUES (1),(2),(3),(4),(10)) t(x)
	// gives 1 + 0.95*4 position = 3.8 → 4 + 0.8*(10-4) = 8.8 for p = 0.95.
	for _, c := range []struct {
		xs   []float64
		p    float64
		want float64
	}{
		{[]float64{10, 1, 3, 2, 4}, 0.95, 8.8},
		{[]float64{10, 1, 3, 2, 4}, 0.5, 3},
		{[]float64{5}, 0.99, 5},
		{[]float64{1, 2}, 0.25, 1.25},
	} {
		got, ok := Quantile(append([]float64(nil), c.xs...), c.p)
		if !ok || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", c.xs, c.p, got, c.want)
		}
	}
	if _, ok := Quantile(nil, 0.5); ok {
		t.Error("empty: want ok = false")
	}
}
