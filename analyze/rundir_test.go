package analyze

import (
	"context"
	"testing"

	"brink"
	"brink/rundir"
)

// writeRun writes a run directory's run.json the way a recorded run does
// (rundir: created, then finished with e) under runsDir, named id, and
// returns its path. The tests then put trace segments in it.
func writeRun(t testing.TB, runsDir, id string, plan brink.Plan, e rundir.Ending) string {
	t.Helper()
	ctx := context.Background()
	w, err := rundir.Create(ctx, rundir.CreateOptions{RunsDir: runsDir, RunID: id, Started: t0, Plan: plan,
		StopRules: brink.DefaultStopRules(), Clock: brink.Clock{Epoch: t0, Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Levels == nil {
		e.Levels = plan.Timeline(t0)
	}
	if err := w.Finish(ctx, e); err != nil {
		t.Fatal(err)
	}
	return w.Dir()
}

// openRun opens a fixture run for the functions that take one.
func openRun(t testing.TB, dir string) *rundir.Run {
	t.Helper()
	r, err := rundir.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func manifestOf(t testing.TB, dir string) *brink.Manifest { return openRun(t, dir).Manifest() }
