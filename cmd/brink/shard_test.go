package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/rundir"
	"brink/rundir/s3store/fakes3"
	"brink/sim"
)

// shardArgs are the flags of one shard of the test plan: 12 users +12 per
// level up to 48, against a sim whose Lambda concurrency (36) throttles the
// last level, so the default stop rules find the edge there.
func shardArgs(target, runs string) []string {
	return []string{"run", "--target", target, "--runs-dir", runs, "--start-users", "12", "--step-users", "12",
		"--max-users", "36", "--ramp", "10s", "--hold", "300s", "--flush-every", "200ms", "--quiet",
		"--max-p95", "0"} // the error rule only: a busy host stretches latency, not Lambda's limit
}

// startShards starts n shards of one run as child processes (the test
// binary acting as brink), a second apart, with one start time.
func startShards(t *testing.T, n int, target, runs, runID string, startAt time.Time, extra ...string) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for i := range n {
		args := append(append(shardArgs(target, runs), extra...), "--shard", fmt.Sprintf("%d/%d", i, n), "--run-id", runID,
			"--start-at", startAt.Format(time.RFC3339Nano))
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "BRINK_TEST_AS_MAIN=1")
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
			if t.Failed() {
				t.Logf("shard %d stderr:\n%s", i, errb.String())
			}
		})
		cmds = append(cmds, cmd)
		time.Sleep(time.Second)
	}
	return cmds
}

// shardSim serves a sim whose Lambda concurrency limit is 12.
func shardSim(t *testing.T) *httptest.Server {
	t.Helper()
	cfg := sim.DefaultConfig()
	cfg.Lambda.ConcurrencyLimit = 12
	_, srv := simServer(t, cfg, 0.02)
	return srv
}

// simServer serves a sim of cfg at time scale scale for the test.
func simServer(t *testing.T, cfg sim.Config, scale float64) (*sim.Sim, *httptest.Server) {
	t.Helper()
	s, err := sim.New(cfg, scale)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv
}

// holdRows counts the trace rows that started in each level's hold.
func holdRows(t *testing.T, files []string) (map[int32]int, map[int32]map[int32]bool) {
	t.Helper()
	rows, users := map[int32]int{}, map[int32]map[int32]bool{}
	for _, f := range files {
		ts, err := parquet.ReadTraces(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range ts {
			if tr.Phase != brink.PhaseSteady {
				continue
			}
			rows[tr.Level]++
			if users[tr.Level] == nil {
				users[tr.Level] = map[int32]bool{}
			}
			users[tr.Level][tr.VU] = true
		}
	}
	return rows, users
}

// Three shards as separate processes make one run: every shard ends
// stopped (exit 3) by one stop decision, every user runs on the shard v
// mod 3, the merged analysis has the plan's users per level, and each
// user's ramp slot is the one it has when one process runs the same plan against
// the same sim.
func TestShardsMakeOneRun(t *testing.T) {
	if testing.Short() {
		t.Skip("three generator processes and a reference run: skipped under -short")
	}
	srv := shardSim(t)
	runs := t.TempDir()
	cmds := startShards(t, 3, srv.URL, runs, "sharded-1", time.Now().Add(3*time.Second))
	for i, c := range cmds {
		if err := c.Wait(); err == nil || c.ProcessState.ExitCode() != exitStopped {
			t.Fatalf("shard %d: %v, want exit 3 (the edge was found)", i, err)
		}
	}
	dir := filepath.Join(runs, "sharded-1")
	r, err := rundir.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.ReadStop(context.Background())
	if err != nil {
		t.Fatalf("no stop decision: %v", err)
	}
	for i, sm := range r.Shards() {
		if sm == nil || sm.Status != brink.StatusStopped || len(sm.Files) == 0 {
			t.Fatalf("shard %d manifest %+v: want stopped with its segments listed", i, sm)
		}
		for _, f := range sm.Files {
			if !strings.HasPrefix(f, fmt.Sprintf("traces/shard=%d/part-", i)) {
				t.Errorf("shard %d lists %s", i, f)
			}
		}
	}
	code, out, errs := brinkMain(t, "analyze", "--run", dir, "--json")
	if code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, errs)
	}
	files, _ := r.TraceFiles(context.Background())
	rows, users := holdRows(t, files)
	for lvl, vus := range users {
		want := 12 * (int(lvl) + 1)
		if int(lvl) <= d.Level && len(vus) != want { // a level past the stop was cut short
			t.Errorf("level %d: %d users ran, want %d", lvl, len(vus), want)
		}
	}
	for _, f := range files {
		ts, _ := parquet.ReadTraces(context.Background(), f)
		for _, tr := range ts {
			if want := fmt.Sprintf("shard=%d", tr.VU%3); !strings.Contains(f, want) {
				t.Fatalf("user %d ran in %s, want %s", tr.VU, f, want)
			}
		}
	}
	var sum brink.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	// One stop decision, read by every reader: run.json's edge is its level.
	// The exact analysis over the union is the authority and may disagree:
	// a shard judged only its share live.
	if m := r.Manifest(); m.EdgeLevel == nil || *m.EdgeLevel != d.Level || m.Status != brink.StatusStopped || len(sum.Levels) == 0 {
		t.Errorf("merged run: status %s, edge %v, analysed edge %+v; stop decision at level %d", m.Status, m.EdgeLevel, sum.Edge, d.Level)
	}

	// The same plan from one process against the same sim.
	one := t.TempDir()
	if code, _, errs := brinkMain(t, shardArgs(srv.URL, one)...); code != exitStopped {
		t.Fatalf("one process: exit %d: %s", code, errs)
	}
	oneFiles, _ := filepath.Glob(filepath.Join(one, "*", "traces", "part-*.parquet"))
	oneRows, _ := holdRows(t, oneFiles)
	// The plan is the same to the microsecond: each user's ramp slot (its
	// first request's intended start) is the same offset from the run's
	// start in both. How many requests fit in a hold depends on how busy
	// the machine is (three processes against one), so the row counts are
	// only a sanity bound.
	oneDirs, _ := filepath.Glob(filepath.Join(one, "*"))
	oneRun, err := rundir.Open(context.Background(), oneDirs[0])
	if err != nil {
		t.Fatal(err)
	}
	sharded, single := firstSlots(t, files, r.Manifest().StartedAt), firstSlots(t, oneFiles, oneRun.Manifest().StartedAt)
	for vu, off := range single {
		// Traces keep whole microseconds: a slot's offset from a start
		// that is not whole can come out 1 µs either way.
		if got, ok := sharded[vu]; ok && (got-off > time.Microsecond || off-got > time.Microsecond) {
			t.Errorf("user %d: first request meant for start+%v in the sharded run, start+%v in one process", vu, got, off)
		}
	}
	if len(sharded) < 12 || len(single) < 12 {
		t.Errorf("%d users in the sharded run, %d in one process", len(sharded), len(single))
	}
	for lvl := int32(0); lvl < int32(d.Level); lvl++ {
		if diff := math.Abs(float64(rows[lvl]-oneRows[lvl])) / float64(oneRows[lvl]); diff > 0.25 {
			t.Errorf("level %d: %d hold rows from three shards, %d from one process (%.1f%% apart)", lvl, rows[lvl], oneRows[lvl], 100*diff)
		}
	}
}

// firstSlots is each user's earliest intended start, as an offset from the
// run's start.
func firstSlots(t *testing.T, files []string, start time.Time) map[int32]time.Duration {
	t.Helper()
	out := map[int32]time.Duration{}
	for _, f := range files {
		ts, err := parquet.ReadTraces(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range ts {
			off := tr.Scheduled.Sub(start).Truncate(time.Microsecond)
			if cur, ok := out[tr.VU]; !ok || off < cur {
				out[tr.VU] = off
			}
		}
	}
	return out
}

// A shard killed mid-run: analyze names it and refuses; --allow-partial
// analyses what is there and says so.
func TestKilledShard(t *testing.T) {
	if testing.Short() {
		t.Skip("generator processes: skipped under -short")
	}
	srv := shardSim(t)
	runs := t.TempDir()
	cmds := startShards(t, 2, srv.URL, runs, "killed-1", time.Now().Add(2*time.Second), "--hold", "60s")
	dir := filepath.Join(runs, "killed-1")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var sm brink.ShardManifest
		b, err := os.ReadFile(filepath.Join(dir, "shards", "1.json"))
		if err == nil && json.Unmarshal(b, &sm) == nil && len(sm.Files) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("shard 1 stored no segment in 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmds[1].Process.Kill()
	cmds[1].Wait()
	cmds[0].Wait()
	code, _, errs := brinkMain(t, "analyze", "--run", dir)
	if code != exitFailed || !strings.Contains(errs, "shard 1 did not finish") || !strings.Contains(errs, "--allow-partial") {
		t.Fatalf("analyze of a run with a killed shard: exit %d: %s", code, errs)
	}
	code, out, errs := brinkMain(t, "analyze", "--run", dir, "--allow-partial", "--json")
	if code != 0 {
		t.Fatalf("--allow-partial: exit %d: %s", code, errs)
	}
	var sum brink.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum.Partial, "1 of 2 shards") || !strings.HasPrefix(sum.Findings[0], "Partial run:") || sum.TotalRequests == 0 {
		t.Fatalf("partial analysis: partial %q, first finding %q, %d requests", sum.Partial, sum.Findings[0], sum.TotalRequests)
	}
}

// A shard that starts past the shared start and its grace refuses, saying
// by how much; a malformed --shard is a usage error.
func TestLateAndMalformedShards(t *testing.T) {
	runs := t.TempDir()
	code, _, errs := brinkMain(t, append(shardArgs("http://127.0.0.1:1", runs), "--shard", "1/2", "--run-id", "late-1",
		"--start-at", time.Now().Add(-time.Minute).Format(time.RFC3339))...)
	if code != exitFailed || !strings.Contains(errs, "after --start-at") || !strings.Contains(errs, "grace") {
		t.Fatalf("late shard: exit %d: %s", code, errs)
	}
	if ents, _ := os.ReadDir(runs); len(ents) != 0 {
		t.Fatalf("a late shard left %v in the runs directory", ents)
	}
	for _, bad := range []string{"3/3", "-1/2", "a/b", "1"} {
		code, _, errs := brinkMain(t, append(shardArgs("http://127.0.0.1:1", runs), "--shard", bad, "--run-id", "x",
			"--start-at", time.Now().Format(time.RFC3339))...)
		if code != exitUsage || !strings.Contains(errs, "--shard") {
			t.Errorf("--shard %s: exit %d: %s", bad, code, errs)
		}
	}
	if code, _, errs := brinkMain(t, append(shardArgs("http://127.0.0.1:1", runs), "--shard", "0/2", "--run-id", "x")...); code != exitUsage || !strings.Contains(errs, "--start-at") {
		t.Errorf("--shard without --start-at: exit %d: %s", code, errs)
	}
	if code, _, errs := brinkMain(t, append(shardArgs("http://127.0.0.1:1", runs), "--run-id", "a/b")...); code != exitUsage || !strings.Contains(errs, "--run-id") {
		t.Errorf("--run-id a/b: exit %d: %s", code, errs)
	}
	if code, _, errs := brinkMain(t, append(shardArgs("http://127.0.0.1:1", runs), "--shard", "0/2", "--run-id", "x", "--strict-measurement",
		"--start-at", time.Now().Format(time.RFC3339))...); code != exitUsage || !strings.Contains(errs, "--strict-measurement with --shard 0/2") {
		t.Errorf("--strict-measurement with --shard 0/2: exit %d: %s", code, errs)
	}
}

// Three shards write one run into S3 (an in-process gofakes3); analyze and
// report read and write it there, through the manifests, never a listing.
func TestShardsInS3(t *testing.T) {
	if testing.Short() {
		t.Skip("generator processes: skipped under -short")
	}
	fakes3.Start(t, "perf")
	srv := shardSim(t)
	cmds := startShards(t, 3, srv.URL, "s3://perf/team/chat", "s3-1", time.Now().Add(3*time.Second), "--hold", "60s")
	for i, c := range cmds {
		if err := c.Wait(); err != nil && c.ProcessState.ExitCode() != exitStopped {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
	run := "s3://perf/team/chat/s3-1"
	code, out, errs := brinkMain(t, "analyze", "--run", run, "--json")
	if code != 0 {
		t.Fatalf("analyze %s: exit %d: %s", run, code, errs)
	}
	var sum brink.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	r, err := rundir.Open(context.Background(), run)
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.TraceFiles(context.Background())
	if err != nil || len(files) == 0 {
		t.Fatalf("trace files of %s: %v %v", run, files, err)
	}
	_, users := holdRows(t, files)
	for _, l := range sum.Levels {
		if got := len(users[int32(l.Level)]); got != l.Users || l.Users != 12*(l.Level+1) {
			t.Errorf("level %d: %d users in the traces, %d in the analysis, want %d", l.Level, got, l.Users, 12*(l.Level+1))
		}
	}
	if code, out, errs := brinkMain(t, "report", "--run", run, "--format", "md,json"); code != 0 || !strings.Contains(out, run+"/report/summary.md") {
		t.Fatalf("report: exit %d: %s%s", code, out, errs)
	}
	if b, err := r.ReadFile(context.Background(), rundir.ReportMarkdownFile); err != nil || !strings.Contains(string(b), "s3-1") {
		t.Fatalf("report/summary.md in S3: %v", err)
	}
}

// Two shards of brink attack split the connections (v mod 2) and the rate,
// write one run, and every row says the attack's 5 connections.
func TestShardedAttack(t *testing.T) {
	if testing.Short() {
		t.Skip("generator processes: skipped under -short")
	}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer target.Close()
	runs := t.TempDir()
	start := time.Now().Add(2 * time.Second).Format(time.RFC3339Nano)
	var cmds []*exec.Cmd
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "attack", "--target", target.URL, "--connections", "5", "--duration", "500ms", "--rate", "200",
			"--runs-dir", runs, "--shard", fmt.Sprintf("%d/2", i), "--start-at", start, "--run-id", "atk-1")
		cmd.Env = append(os.Environ(), "BRINK_TEST_AS_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("attack shard %d: %v", i, err)
		}
	}
	r, err := rundir.Open(context.Background(), filepath.Join(runs, "atk-1"))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, sm := range r.Shards() {
		vus := map[int32]bool{}
		for _, f := range sm.Files {
			ts, _ := parquet.ReadTraces(context.Background(), r.Path(f))
			for _, tr := range ts {
				vus[tr.VU] = true
				if tr.Users != 5 || int(tr.VU)%2 != i {
					t.Fatalf("shard %d row: vu %d, users %d", i, tr.VU, tr.Users)
				}
			}
			total += len(ts)
		}
		if want := 3 - i; len(vus) != want {
			t.Errorf("shard %d ran %d connections, want %d", i, len(vus), want)
		}
	}
	// 200 requests/s for 0.5 s in all, give or take the pace's first tick.
	if total < 80 || total > 120 {
		t.Errorf("%d requests from both shards, want about 100", total)
	}
}
