package analyze

import (
	"math"
	"strings"
	"testing"

	"brink"
)

// Levels shaped like kneed's published cases: throughput x = 0..9 →
// [0,60,80,85,...] (knee at index 2) and p95 [1,2,3,4,5,10,15,20,40,100]
// (knee at index 7), scaled to users 10..100.
func TestCurvesFindKneesAndWarning(t *testing.T) {
	thr := []float64{0, 60, 80, 85, 90, 95, 96, 97, 98, 99}
	p95 := []float64{1, 2, 3, 4, 5, 10, 15, 20, 40, 100}
	s := &brink.Summary{StopRules: brink.DefaultStopRules()}
	for i := range thr {
		v := p95[i] * 100
		l := brink.LevelStats{Level: i, Users: (i + 1) * 10, WindowS: 60, AnsweredRPS: thr[i], P95MS: &v}
		if i >= 8 {
			l.AllErrorRate = 0.05 // errors pass 1% at 90 users
		}
		s.Levels = append(s.Levels, l)
	}
	curves(s)
	if s.ThroughputKnee == nil || s.ThroughputKnee.Users != 30 || s.ThroughputKnee.Value != 80 {
		t.Errorf("throughput knee %+v, want 30 users (index 2), 80", s.ThroughputKnee)
	}
	if s.LatencyKnee == nil || s.LatencyKnee.Users != 80 || s.LatencyKnee.Value != 2000 {
		t.Errorf("latency knee %+v, want 80 users (index 7), 2000 ms", s.LatencyKnee)
	}
	if s.LatencyWarningUsers == nil || *s.LatencyWarningUsers != 10 {
		t.Errorf("latency warning %v, want 10 users (knee 80, errors at 90)", s.LatencyWarningUsers)
	}
	if s.USL == nil {
		t.Fatal("no USL fit")
	}
}

// A USL curve with known parameters is recovered through the summary.
func TestCurvesUSL(t *testing.T) {
	const sigma, kappa, lambda = 0.05, 0.002, 1.5
	s := &brink.Summary{}
	for i, n := range []float64{10, 20, 30, 40, 50, 60, 70} {
		x := lambda * n / (1 + sigma*(n-1) + kappa*n*(n-1))
		s.Levels = append(s.Levels, brink.LevelStats{Level: i, Users: int(n), WindowS: 60, AnsweredRPS: x})
	}
	curves(s)
	u := s.USL
	if u == nil || math.Abs(u.Sigma-sigma) > 1e-6 || math.Abs(u.Kappa-kappa) > 1e-7 || math.Abs(u.Lambda-lambda) > 1e-6 {
		t.Fatalf("USL %+v, want sigma %v kappa %v lambda %v", u, sigma, kappa, lambda)
	}
	if want := math.Sqrt((1 - sigma) / kappa); u.PeakN == nil || math.Abs(*u.PeakN-want) > 1e-4 {
		t.Fatalf("peak %v, want %v", u.PeakN, want)
	}
}

func TestOpenModelFindingsSayRate(t *testing.T) {
	v := 6000.0
	s := &brink.Summary{Plan: brink.Plan{Model: "open", StartRate: 60, MaxRate: 60}, StopRules: brink.DefaultStopRules(),
		Levels: []brink.LevelStats{{Level: 0, Users: 60, WindowS: 60, P95MS: &v}}}
	for _, f := range findings(s) {
		if strings.Contains(f, " users") {
			t.Errorf("open-model finding %q counts users", f)
		}
	}
	if f := findings(s)[1]; !strings.Contains(f, "60 new sessions/min") {
		t.Errorf("finding %q: want the rate", f)
	}
}

// Issue 18 item 6: p95 latency 10.3, 4.4, 6.7, 4.0 s at 10..40 users gave
// "knee at 40 users". The curve falls 5.9 s of its 6.3 s range between 10
// and 20 users: no clear knee, and the note says where.
func TestCurvesNonMonotoneLatencyHasNoKnee(t *testing.T) {
	s := &brink.Summary{StopRules: brink.DefaultStopRules()}
	for i, sec := range []float64{10.3, 4.4, 6.7, 4.0} {
		v := sec * 1000
		s.Levels = append(s.Levels, brink.LevelStats{Level: i, Users: (i + 1) * 10, WindowS: 60, AnsweredRPS: float64(i+1) * 2, P95MS: &v})
	}
	curves(s)
	if s.LatencyKnee != nil {
		t.Errorf("latency knee %+v on a curve that falls", s.LatencyKnee)
	}
	want := "p95 latency has no clear knee: it falls from 10.30 s at 10 users to 4.40 s at 20 users"
	if !strings.Contains(s.KneeNote, want) {
		t.Errorf("knee note %q, want it to say %q", s.KneeNote, want)
	}
}

// Issue 18 item 7: the ask step's error rate (1.09%) and all steps' (0.90%)
// are two rates; the finding uses the stop rule's definition (all steps by
// default) and says which, with the figure.
func TestFindingsNameTheErrorRate(t *testing.T) {
	v := 1000.0
	s := &brink.Summary{Step: brink.StepAsk, StopRules: brink.DefaultStopRules(), Levels: []brink.LevelStats{
		{Level: 0, Users: 10, WindowS: 60, P95MS: &v, ErrorRate: 0.0109, AllErrorRate: 0.0090},
	}}
	got := strings.Join(closedFindings(s), "\n")
	if want := "The error rate of all steps (the stop rule's) stayed at or under 1% up to 10 users (at most 0.90%)."; !strings.Contains(got, want) {
		t.Errorf("findings %q\nwant %q", got, want)
	}
	s.StopRules[0].Step = brink.StepAsk
	got = strings.Join(closedFindings(s), "\n")
	if want := `The error rate of "ask" requests (the stop rule's) first exceeded 1% at level 0 (10 users): 1.09%`; !strings.Contains(got, want) {
		t.Errorf("findings %q\nwant %q", got, want)
	}
}
