package analyze

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"brink"
	"brink/record"
	"brink/sim"
)

// A generator stalled for 400 ms of wall time in level 1's hold (20 s of
// scenario time at scale 0.05, as a busy host stalls it): analysis marks
// level 1 suspect, names the lag, says the run is degraded and leaves the
// level out of the fits, and the findings say so first.
func TestStalledGeneratorIsSuspect(t *testing.T) {
	if testing.Short() {
		t.Skip("a recorded run: skipped under -short")
	}
	s, err := sim.New(sim.DefaultConfig(), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	plan := brink.Plan{Model: "closed", StartUsers: 3, StepUsers: 3, MaxUsers: 6, Ramp: brink.Duration(5 * time.Second), Hold: brink.Duration(60 * time.Second)}
	var once sync.Once
	var stallAt time.Time
	flow, sessions, err := record.Inputs{Seed: 1}.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var start time.Time
	res, err := record.Run(context.Background(), record.Options{Target: srv.URL, RunsDir: t.TempDir(), Plan: plan, Seed: 1,
		Rules: []brink.StopRule{}, Flow: flow, Sessions: sessions,
		OnStart: func(st record.Started) { start = st.Clock.Now() },
		BeforeSend: func(scheduled time.Time) {
			// 20 s into level 1's hold ([70 s, 130 s)), every send waits
			// until 400 ms of wall time have passed, as in a host stall.
			if scheduled.Sub(start) > 90*time.Second {
				once.Do(func() { stallAt = time.Now() })
				time.Sleep(time.Until(stallAt.Add(400 * time.Millisecond)))
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if stallAt.IsZero() {
		t.Fatal("the stall never happened")
	}
	ares, err := Run(context.Background(), res.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := ares.Summary
	m := sum.Measurement
	if m == nil || m.Verdict != brink.VerdictDegraded || !containsInt(m.SuspectLevels, 1) {
		t.Fatalf("measurement %+v: want degraded with level 1 suspect", m)
	}
	l1 := sum.Levels[1]
	if l1.Verdict != brink.VerdictSuspect || l1.LagP99MS == nil || !strings.Contains(l1.VerdictReason, "behind its schedule") {
		t.Fatalf("level 1: verdict %s (%s), lag p99 %v", l1.Verdict, l1.VerdictReason, l1.LagP99MS)
	}
	if *l1.LagP99MS < 1000 {
		t.Errorf("level 1's p99 lag %.0f ms: the sends queued behind a 400 ms wall stall (8 s of scenario time) should show", *l1.LagP99MS)
	}
	said := false
	for _, f := range sum.Findings {
		said = said || strings.HasPrefix(f, "6 users (level 1) is suspect: the generator fell")
	}
	// Level 0 may be suspect too on a busy machine: only the stall is certain.
	if !said || !strings.Contains(sum.KneeNote, "suspect level(s) left out") {
		t.Fatalf("findings %q, knee note %q", sum.Findings, sum.KneeNote)
	}
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}
