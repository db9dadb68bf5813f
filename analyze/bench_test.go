package analyze

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/rundir"
)

// TestMain lets the benchmark analyse in a child process, so its peak RSS
// is the analysis's alone.
func TestMain(m *testing.M) {
	if dir := os.Getenv("BRINK_SCAN_CHILD"); dir != "" {
		if err := scanThenAnalyze(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if dir := os.Getenv("BRINK_ANALYZE_CHILD"); dir != "" {
		if _, err := Run(context.Background(), dir, Options{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// makeBigRun writes a run of n trace rows over 20 levels (10..200 users),
// once: it is kept in the temp directory for later benchmark runs.
func makeBigRun(b *testing.B, n int) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("brink-bench-run-%d", n))
	if _, err := os.Stat(filepath.Join(dir, "run.json")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	t0 := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	plan := brink.DefaultPlan()
	tl := plan.Timeline(t0)
	end := t0.Add(plan.Duration())
	run, err := rundir.Create(context.Background(), rundir.CreateOptions{RunsDir: filepath.Dir(dir), RunID: filepath.Base(dir),
		Started: t0, Plan: plan, StopRules: brink.DefaultStopRules(), Clock: brink.Clock{Epoch: t0, Scale: 1}})
	if err != nil {
		b.Fatal(err)
	}
	w, err := parquet.NewTraceWriter(run.Path(rundir.TracesDir), parquet.TraceOptions{RunID: "bench", FlushEvery: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	benchRows(n, plan, t0, func(i int, tr brink.Trace) {
		w.Write(tr)
		if i%1_000_000 == 999_999 {
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	})
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := run.Finish(context.Background(), rundir.Ending{Ended: end, Status: brink.StatusCompleted, Levels: tl}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// makeShardedRun writes a run of n trace rows like makeBigRun's as a run
// of the given shards (user v on shard v mod shards), once, kept in the
// temp directory.
func makeShardedRun(b *testing.B, n, shards int) string {
	ctx := context.Background()
	id := fmt.Sprintf("brink-bench-run-%d-%dshards", n, shards)
	dir := filepath.Join(os.TempDir(), id)
	if _, err := os.Stat(filepath.Join(dir, "shards", "0.json")); err == nil {
		if r, err := rundir.Open(ctx, dir); err == nil && r.Manifest().Status == brink.StatusCompleted {
			return dir
		}
	}
	os.RemoveAll(dir)
	t0 := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	plan := brink.DefaultPlan()
	tl := plan.Timeline(t0)
	end := t0.Add(plan.Duration())
	writers := make([]*rundir.Writer, shards)
	sinks := make([]*parquet.TraceWriter, shards)
	for i := range shards {
		w, err := rundir.Create(ctx, rundir.CreateOptions{RunsDir: filepath.Dir(dir), RunID: id, Started: t0, Plan: plan,
			StopRules: brink.DefaultStopRules(), Clock: brink.Clock{Epoch: t0, Scale: 1}, Shard: i, Shards: shards, StartAt: t0})
		if err != nil {
			b.Fatal(err)
		}
		writers[i] = w
		if sinks[i], err = parquet.NewTraceWriter(w.Path(w.TracesDir()), parquet.TraceOptions{RunID: id, FlushEvery: time.Hour,
			Stored: func(path string, rows int64) error { return w.Segment(ctx, path, rows) }}); err != nil {
			b.Fatal(err)
		}
	}
	benchRows(n, plan, t0, func(_ int, tr brink.Trace) { sinks[int(tr.VU)%shards].Write(tr) })
	for i := range shards {
		if err := sinks[i].Close(); err != nil {
			b.Fatal(err)
		}
		if err := writers[i].Finish(ctx, rundir.Ending{Ended: end, Status: brink.StatusCompleted, Levels: tl}); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// benchRows makes n trace rows spread evenly over the plan's timeline:
// four asks to a login and a new chat, latency growing with the users,
// throttles growing with the level.
func benchRows(n int, plan brink.Plan, t0 time.Time, emit func(i int, tr brink.Trace)) {
	tl := plan.Timeline(t0)
	rng := rand.New(rand.NewPCG(1, 2))
	total := plan.Duration()
	steps := []string{brink.StepAuth, brink.StepNewChat, brink.StepAsk, brink.StepAsk, brink.StepAsk, brink.StepAsk}
	for i := range n {
		at := time.Duration(float64(total) * float64(i) / float64(n))
		lvl := int(at / (plan.Ramp.Std() + plan.Hold.Std()))
		start := t0.Add(at)
		phase := brink.PhaseRamp
		if !start.Before(tl[lvl].SteadyStart) {
			phase = brink.PhaseSteady
		}
		users := tl[lvl].Users
		tr := brink.Trace{RunID: "bench", VU: int32(rng.IntN(users)), Session: int64(i / 20), Step: steps[i%len(steps)],
			Level: int32(lvl), Users: int32(users), Phase: phase, Start: start,
			LatencyMS: 800 + rng.ExpFloat64()*float64(400+10*users), TTFBMS: 300 + rng.Float64()*200, Status: 200,
			BytesSent: 60, BytesReceived: 900}
		if rng.IntN(1000) < lvl {
			tr.Status, tr.Error, tr.Throttled = 429, brink.ErrHTTP429, true
		}
		if tr.Step == brink.StepAsk && tr.Error == "" {
			tr.HasUsage, tr.InputTokens, tr.OutputTokens, tr.Model = true, int32(400+rng.IntN(2000)), int32(100+rng.IntN(300)), "anthropic.claude-3-haiku-20240307-v1:0"
		}
		emit(i, tr)
	}
}

// BenchmarkAnalyze10M analyses a generated 10-million-row run in a child
// process and reports its wall time and peak RSS (targets: 10 s, 1.5 GiB).
func BenchmarkAnalyze10M(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 10M-row run")
	}
	dir := makeBigRun(b, 10_000_000)
	b.ResetTimer()
	for range b.N {
		os.RemoveAll(filepath.Join(dir, "analysis"))
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "BRINK_ANALYZE_CHILD="+dir)
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
		if wall > 10*time.Second || rss > 1536*1024 {
			b.Errorf("analyze of 10M rows: %v wall, %d MiB peak RSS; targets 10 s and 1536 MiB", wall, rss/1024)
		}
	}
}
