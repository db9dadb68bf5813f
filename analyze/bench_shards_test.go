package analyze

import (
	"context"
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

// makeShardedCopy writes the rows of the big run in dir again as a run of
// n shards (user v on shard v mod n), once, kept beside it.
func makeShardedCopy(b *testing.B, dir string, n int) string {
	ctx := context.Background()
	id := filepath.Base(dir) + "-shards"
	out := filepath.Join(filepath.Dir(dir), id)
	if _, err := os.Stat(filepath.Join(out, "shards", "0.json")); err == nil {
		if r, err := rundir.Open(ctx, out); err == nil && r.Manifest().Status != brink.StatusInterrupted {
			return out
		}
	}
	os.RemoveAll(out)
	src, err := rundir.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	m := src.Manifest()
	files, _ := src.TraceFiles(ctx)
	writers := make([]*rundir.Writer, n)
	sinks := make([]*parquet.TraceWriter, n)
	for i := range n {
		w, err := rundir.Create(ctx, rundir.CreateOptions{RunsDir: filepath.Dir(dir), RunID: id, Started: m.StartedAt, Plan: m.Plan,
			StopRules: m.StopRules, Clock: m.Clock(), Shard: i, Shards: n, StartAt: m.StartedAt})
		if err != nil {
			b.Fatal(err)
		}
		writers[i] = w
		if sinks[i], err = parquet.NewTraceWriter(w.Path(w.TracesDir()), parquet.TraceOptions{RunID: id, FlushEvery: time.Hour,
			Stored: func(path string, rows int64) error { return w.Segment(ctx, path, rows) }}); err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range files {
		rows, err := parquet.ReadTraces(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		for _, tr := range rows {
			sinks[int(tr.VU)%n].Write(tr)
		}
	}
	for i := range n {
		if err := sinks[i].Close(); err != nil {
			b.Fatal(err)
		}
		if err := writers[i].Finish(ctx, rundir.Ending{Ended: *m.EndedAt, Status: brink.StatusCompleted, Levels: m.Levels}); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// analyzeChild analyses dir in a child process: wall time, peak RSS.
func analyzeChild(b *testing.B, dir string) (time.Duration, int64) {
	os.RemoveAll(filepath.Join(dir, "analysis"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BRINK_ANALYZE_CHILD="+dir)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
}

// BenchmarkAnalyze10MSharded analyses the same 10M rows stored as 8 shards
// and unsharded, side by side (each twice, the faster counts), and reports
// the ratio; the target is at most 1.2.
func BenchmarkAnalyze10MSharded(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 10M-row run")
	}
	dir := makeBigRun(b, 10_000_000)
	sharded := makeShardedCopy(b, dir, 8)
	b.ResetTimer()
	for range b.N {
		// Peak RSS is not reported here: Linux carries a parent's peak into
		// a child it execs, and this process held the rows it resharded.
		best := func(d string) time.Duration {
			w1, _ := analyzeChild(b, d)
			w2, _ := analyzeChild(b, d)
			return min(w1, w2)
		}
		one, eight := best(dir), best(sharded)
		ratio := eight.Seconds() / one.Seconds()
		b.ReportMetric(one.Seconds(), "unsharded-wall-s")
		b.ReportMetric(eight.Seconds(), "8-shards-wall-s")
		b.ReportMetric(ratio, "ratio")
		b.Logf("10M rows: unsharded %v, 8 shards %v: %.2fx", one.Round(time.Millisecond), eight.Round(time.Millisecond), ratio)
		if ratio > 1.2 {
			b.Errorf("8 shards analyse in %.2fx the unsharded time; target 1.2", ratio)
		}
	}
}
