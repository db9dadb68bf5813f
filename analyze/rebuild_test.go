package analyze

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/rundir"
)

// rebuildSeed is run.json of a closed-model run killed in level 2's repeat.
func rebuildSeed(t testing.TB) []byte {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	plan := brink.DefaultPlan()
	tl := plan.Timeline(t0)
	rep := tl[2]
	rep.RepeatedHold = &brink.Span{Start: rep.SteadyStart, End: rep.End}
	rep.SteadyStart, rep.End = rep.End, rep.End.Add(plan.Hold.Std())
	b, err := json.Marshal(brink.Manifest{SchemaVersion: brink.SchemaVersion, Tool: "brink", RunID: "r", StartedAt: t0,
		Status: brink.StatusRunning, Plan: plan, StopRules: brink.DefaultStopRules(), TimeScale: 1, Epoch: t0,
		Levels: tl[:2], Repeating: &rep})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A run.json is outside input: whatever it says, reading it and rebuilding
// a killed run's timeline from it ends, without a panic, in a bounded
// timeline cut at the last request.
func FuzzRebuildLevels(f *testing.F) {
	seed := rebuildSeed(f)
	last := time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC).UnixMicro()
	f.Add(seed, last)
	f.Add([]byte(strings.Replace(string(seed), `"max_users":200`, `"max_users":9000000000000000000`, 1)), last)
	f.Add([]byte(strings.Replace(string(seed), `"model":"closed"`, `"model":"open","start_rate":1e-300,"step_rate":1e-300,"max_rate":1e300`, 1)), last)
	f.Add([]byte(strings.Replace(string(seed), `"index":2`, `"index":-1`, 1)), int64(0))
	f.Add([]byte(strings.Replace(string(seed), `"run_id":"r"`, `"run_id":"r","shards":3`, 1)), last)
	f.Fuzz(func(t *testing.T, data []byte, lastUS int64) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, rundir.ManifestFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		run, err := rundir.Open(context.Background(), dir)
		if err != nil {
			return // refused with an error: fine
		}
		m := run.Manifest()
		at := time.UnixMicro(lastUS).UTC()
		levels, note := rebuildLevels(m, brink.StatusInterrupted, at)
		if note == "" {
			if len(levels) != len(m.Levels) {
				t.Fatalf("unchanged timeline of %d levels, run.json has %d", len(levels), len(m.Levels))
			}
			return
		}
		if len(levels) > max(m.Plan.Levels(), len(m.Levels)+1) {
			t.Fatalf("%d levels rebuilt from a plan of %d and %d judged", len(levels), m.Plan.Levels(), len(m.Levels))
		}
		for _, lw := range levels {
			if lw.End.After(at) {
				t.Fatalf("level %d ends %v, after the last request %v", lw.Index, lw.End, at)
			}
		}
	})
}

// A run.json whose plan has no level or more than brink.MaxLevels, or that
// claims more than brink.MaxShards generators, is refused when read,
// naming the file and the fields, before anything lays the plan out or
// opens a manifest per shard.
func TestManifestPlanOfTooManyLevels(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{`"max_users":200`, `"max_users":1000000000`, "start_users 10 to max_users 1000000000 by step_users 10 is more than 10000 levels"},
		{`"max_users":200`, `"max_users":-5`, "start_users 10, step_users 10, max_users -5 make no level"},
		{`"run_id":"r"`, `"run_id":"r","shards":100000000`, "shards 100000000: want 0 to 10000 generators"},
	} {
		dir := t.TempDir()
		data := strings.Replace(string(rebuildSeed(t)), c.from, c.to, 1)
		if err := os.WriteFile(filepath.Join(dir, rundir.ManifestFile), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := rundir.Open(context.Background(), dir)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), rundir.ManifestFile) {
			t.Errorf("%s: %v, want an error naming run.json and %q", c.to, err, c.want)
		}
	}
	if err := (brink.Plan{StartUsers: 1, StepUsers: 1, MaxUsers: 1 << 40, Hold: brink.Duration(time.Minute)}).Validate(); err == nil ||
		!strings.Contains(err.Error(), "raise step_users") {
		t.Errorf("a plan of 2^40 levels: %v, want refused", err)
	}
}
