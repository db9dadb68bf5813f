package brink

import (
	"os"
	"testing"
	"time"
)

func TestDefaultPlanTimeline(t *testing.T) {
	p := DefaultPlan()
	if n := p.Levels(); n != 20 {
		t.Fatalf("default plan levels = %d, want 20 (10..200 by 10)", n)
	}
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	tl := p.Timeline(start)
	l3 := tl[3]
	if l3.Users != 40 {
		t.Errorf("level 3 users = %d, want 40", l3.Users)
	}
	// Each level is 2 min ramp + 5 min hold: level 3 ramps from 21 min.
	if want := start.Add(21 * time.Minute); !l3.RampStart.Equal(want) {
		t.Errorf("level 3 ramp start = %v, want %v", l3.RampStart, want)
	}
	if want := start.Add(23 * time.Minute); !l3.SteadyStart.Equal(want) {
		t.Errorf("level 3 steady start = %v, want %v", l3.SteadyStart, want)
	}
	if want := start.Add(28 * time.Minute); !l3.End.Equal(want) {
		t.Errorf("level 3 end = %v, want %v", l3.End, want)
	}
	if d := p.Duration(); d != 140*time.Minute {
		t.Errorf("plan duration = %v, want 140m", d)
	}
}

func TestPlanValidate(t *testing.T) {
	for name, p := range map[string]Plan{
		"zero start":    {StartUsers: 0, MaxUsers: 10, Hold: Duration(time.Minute)},
		"max below":     {StartUsers: 20, MaxUsers: 10, Hold: Duration(time.Minute)},
		"no hold":       {StartUsers: 1, MaxUsers: 10},
		"open model":    {Model: "open", StartUsers: 1, MaxUsers: 10, Hold: Duration(time.Minute)},
		"negative step": {StartUsers: 1, StepUsers: -1, MaxUsers: 10, Hold: Duration(time.Minute)},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestEffectiveStatus(t *testing.T) {
	m := &Manifest{Status: StatusRunning, PID: os.Getpid()}
	if s := m.EffectiveStatus(); s != StatusRunning {
		t.Errorf("own process: %s, want running", s)
	}
	m.PID = 1 << 30 // no such process
	if s := m.EffectiveStatus(); s != StatusInterrupted {
		t.Errorf("dead process: %s, want interrupted", s)
	}
}

func TestStopRuleString(t *testing.T) {
	r := DefaultStopRules()
	if got := r[0].String(); got != "error_rate (all steps) > 1%" {
		t.Errorf("got %q", got)
	}
	if got := r[1].String(); got != "p95 ask latency > 5000 ms" {
		t.Errorf("got %q", got)
	}
}

func TestPluralAndRoundDuration(t *testing.T) {
	if Plural(1, "level") != "1 level" || Plural(2, "level") != "2 levels" || Plural(0, "level") != "0 levels" {
		t.Error("plural")
	}
	for in, want := range map[time.Duration]time.Duration{
		20*time.Second + 103654:     20 * time.Second,
		1500*time.Millisecond + 400: 1500 * time.Millisecond,
		2 * time.Minute:             2 * time.Minute,
	} {
		if got := RoundDuration(in); got != want {
			t.Errorf("RoundDuration(%v) = %v, want %v", in, got, want)
		}
	}
}
