package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"brink"
	"brink/analyze"
	"brink/sim"
)

// TestMain lets the test binary act as the brink command in a child
// process (BRINK_TEST_AS_MAIN=1), so crash tests can kill a real run.
func TestMain(m *testing.M) {
	if os.Getenv("BRINK_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// startChild runs `brink run` in a child process against a sim and waits
// until it has closed at least one trace segment.
func startChild(t *testing.T) (*exec.Cmd, string) {
	t.Helper()
	_, srv := simServer(t, sim.DefaultConfig(), 0.02)
	runs := t.TempDir()
	cmd := exec.Command(os.Args[0], "run", "--target", srv.URL, "--runs-dir", runs, "--start-users", "5", "--step-users", "5",
		"--max-users", "50", "--ramp", "10s", "--hold", "60s", "--flush-every", "100ms", "--quiet",
		"--max-p95", "0", "--max-error-rate", "0") // no stop rule: a busy host must not end the run before the signal
	cmd.Env = append(os.Environ(), "BRINK_TEST_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		m, _ := filepath.Glob(filepath.Join(runs, "*", "traces", "part-*.parquet"))
		if len(m) >= 3 {
			return cmd, filepath.Dir(filepath.Dir(m[0]))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the child closed no trace segment in 20 s")
	return nil, ""
}

// SIGKILL mid-run: every closed segment is whole, run.json still says
// running, and analysis reads it as interrupted and analyses what is there.
func TestSIGKILLKeepsClosedSegments(t *testing.T) {
	cmd, dir := startChild(t)
	time.Sleep(1500 * time.Millisecond) // into level 1, mid-segment
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != brink.StatusRunning || m.EffectiveStatus() != brink.StatusInterrupted {
		t.Fatalf("status %s (effective %s): want running, read as interrupted (%s, levels %d)", m.Status, m.EffectiveStatus(), m.StopReason, len(m.Levels))
	}
	res, err := analyze.Run(context.Background(), dir, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if s.Status != brink.StatusInterrupted || s.TotalRequests == 0 || len(s.Levels) == 0 {
		t.Fatalf("summary: status %s, %d requests, %d levels", s.Status, s.TotalRequests, len(s.Levels))
	}
	if !strings.Contains(strings.Join(s.Warnings, "\n"), "rebuilt from the plan") {
		t.Errorf("warnings %q: want a note that the levels were rebuilt", s.Warnings)
	}
	if s.Levels[0].Answered == 0 || s.Levels[0].P95MS == nil {
		t.Errorf("level 0: %+v", s.Levels[0])
	}
}

// SIGINT: the run stops starting requests, waits for those in flight,
// closes its segments and marks run.json interrupted; analysis works.
func TestSIGINTIsInterrupted(t *testing.T) {
	cmd, dir := startChild(t)
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
			t.Fatalf("exit: %v, want exit code 130 (interrupted)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("brink run did not stop within 10 s of SIGINT")
	}
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != brink.StatusInterrupted || m.EndedAt == nil {
		t.Fatalf("status %s ended %v: want interrupted with an end", m.Status, m.EndedAt)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "traces", "*.tmp")); len(tmp) > 0 {
		t.Fatalf("open segments left behind: %v", tmp)
	}
	res, err := analyze.Run(context.Background(), dir, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.TotalRequests == 0 {
		t.Fatal("no requests analysed")
	}
}
