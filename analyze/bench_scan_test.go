package analyze

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"brink/rundir"
)

// childFigures is what a child process reports: the single exact-percentile
// scan's wall time and the analysis's, in the same process, one after the
// other.
type childFigures struct {
	ScanS    float64 `json:"scan_s"`
	AnalyzeS float64 `json:"analyze_s"`
	Rows     int64   `json:"rows"`
	// HWMKiB is the child's own peak RSS (VmHWM): unlike rusage's maxrss,
	// it does not carry over the peak of the parent that forked it.
	HWMKiB int64 `json:"hwm_kib"`
}

// vmHWM is this process's peak RSS in KiB from /proc/self/status; 0 where
// there is none.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// singleScan is the yardstick: one exact-percentile scan of the run's trace
// files by DuckDB, quantile_cont of answered latency per level and step,
// as levels.parquet's percentiles are. It returns the groups' answered rows.
func singleScan(ctx context.Context, dir string) (int64, error) {
	run, err := rundir.Open(ctx, dir)
	if err != nil {
		return 0, err
	}
	files, err := run.TraceFiles(ctx)
	if err != nil {
		return 0, err
	}
	db, err := Open(ctx, DBOptions{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	// The percentiles are summed so that DuckDB cannot drop them as unused.
	var n int64
	var sum float64
	err = db.QueryRowContext(ctx, `SELECT sum(n)::BIGINT, sum(q[1] + q[2] + q[3] + q[4]) FROM (
		SELECT level, step, count(*) AS n, quantile_cont(latency_ms, [0.50, 0.90, 0.95, 0.99]) AS q
		FROM read_parquet(`+quoteList(files)+`) WHERE error = '' GROUP BY level, step)`).Scan(&n, &sum)
	if err == nil && !(sum > 0) {
		err = fmt.Errorf("percentiles sum to %v", sum)
	}
	return n, err
}

// scanThenAnalyze is the child's work: the scan, then the analysis, each
// timed; with BRINK_TIMINGS=1 the analysis's statements go to stderr.
func scanThenAnalyze(dir string) error {
	ctx := context.Background()
	var f childFigures
	start := time.Now()
	n, err := singleScan(ctx, dir)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	f.ScanS, f.Rows = time.Since(start).Seconds(), n
	var tm *Timings
	if os.Getenv("BRINK_TIMINGS") != "" {
		tm = &Timings{}
	}
	start = time.Now()
	if _, err := Run(ctx, dir, Options{DB: DBOptions{Timings: tm}}); err != nil {
		return err
	}
	f.AnalyzeS = time.Since(start).Seconds()
	if tm != nil {
		tm.Write(os.Stderr)
	}
	f.HWMKiB = vmHWM()
	return json.NewEncoder(os.Stdout).Encode(f)
}

// scanChild runs scanThenAnalyze in a fresh process, returning its figures
// and peak RSS in MiB: its own VmHWM, as Linux carries a parent's peak into
// the maxrss of a child it execs, and the parent may have generated the rows.
func scanChild(b *testing.B, dir string) (childFigures, int64) {
	os.RemoveAll(filepath.Join(dir, "analysis"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BRINK_SCAN_CHILD="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	var f childFigures
	if err := json.Unmarshal(out, &f); err != nil {
		b.Fatalf("child said %q: %v", out, err)
	}
	if f.HWMKiB > 0 {
		return f, f.HWMKiB / 1024
	}
	return f, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
}

// BenchmarkAnalyzeVsScan10M analyses a 10M-row run and, in the same child
// process, times one exact-percentile scan of the same files: the analysis
// should take at most 5× the scan, in at most 768 MiB peak RSS.
func BenchmarkAnalyzeVsScan10M(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 10M-row run")
	}
	dir := makeBigRun(b, 10_000_000)
	b.ResetTimer()
	for range b.N {
		f, rss := scanChild(b, dir)
		reportScan(b, "10M", f, rss, 5, 768)
	}
}

// BenchmarkAnalyze100M analyses a 100M-row run stored as eight shards
// (BRINK_BENCH_100M=1: it writes ~2 GB and takes minutes): at most 4 GiB
// peak RSS.
func BenchmarkAnalyze100M(b *testing.B) {
	if os.Getenv("BRINK_BENCH_100M") == "" {
		b.Skip("set BRINK_BENCH_100M=1 to generate and analyse a 100M-row run of eight shards")
	}
	dir := makeShardedRun(b, 100_000_000, 8)
	b.ResetTimer()
	for range b.N {
		f, rss := scanChild(b, dir)
		reportScan(b, "100M", f, rss, 0, 4096) // its target is memory alone
	}
}

// reportScan prints the figures and fails above maxRatio times the scan
// (0: the ratio is not judged) or above maxMiB of peak RSS.
func reportScan(b *testing.B, what string, f childFigures, rssMiB int64, maxRatio float64, maxMiB int64) {
	ratio := f.AnalyzeS / f.ScanS
	b.ReportMetric(f.AnalyzeS, "analyze-s")
	b.ReportMetric(f.ScanS, "scan-s")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(rssMiB), "peak-RSS-MiB")
	b.Logf("%s rows: analysis %.2f s, one exact-percentile scan %.2f s (%d answered rows): %.1fx; peak RSS %d MiB",
		what, f.AnalyzeS, f.ScanS, f.Rows, ratio, rssMiB)
	if maxRatio > 0 && ratio > maxRatio {
		b.Errorf("%s rows: analysis %.1fx one scan; target %gx", what, ratio, maxRatio)
	}
	if rssMiB > maxMiB {
		b.Errorf("%s rows: %d MiB peak RSS; target %d MiB", what, rssMiB, maxMiB)
	}
}
