package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"brink/sim"
)

// A target that never answers, with holds shorter than the request timeout:
// the run stops on the error rule at 100% (exit 3), and the analysis says
// the error rate passed its limit; it used to say the run completed and
// "stayed at or under 1%" over 0 requests.
func TestNeverAnsweringTargetStops(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_brink/clock" {
			http.NotFound(w, r) // a real API's answer: no clock of its own
			return
		}
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	runs := t.TempDir()
	code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", runs, "--time-scale", "0.01",
		"--start-users", "2", "--max-users", "4", "--step-users", "2", "--ramp", "0s", "--hold", "5s", "--quiet")
	if code != exitStopped || !strings.Contains(out+errs, "no request of the hold was answered") {
		t.Fatalf("exit %d, want %d:\n%s%s", code, exitStopped, out, errs)
	}
	ents, _ := os.ReadDir(runs)
	run := filepath.Join(runs, ents[0].Name())
	manifest, _ := os.ReadFile(filepath.Join(run, "run.json"))
	if !strings.Contains(string(manifest), `"status": "stopped"`) {
		t.Errorf("run.json: %s", manifest)
	}
	if code, o, e := brinkMain(t, "analyze", run); code != 0 {
		t.Fatalf("analyze: exit %d: %s%s", code, o, e)
	}
	summary, _ := os.ReadFile(filepath.Join(run, "analysis", "summary.json"))
	if !strings.Contains(string(summary), "first exceeded 1% at level 0 (2 users): 100.00%") || strings.Contains(string(summary), "stayed at or under 1%") {
		t.Errorf("findings do not say the errors:\n%s", summary)
	}
}

// A run that fails before its first request removes its directory: no
// folder with status running is left for a run that never was. The
// self-measurement cannot be written here (a file stands where its folder
// goes), which fails the run after run.json exists.
func TestFailureBeforeFirstRequestLeavesNoRun(t *testing.T) {
	_, srv := simServer(t, sim.DefaultConfig(), 0.01)
	runs := t.TempDir()
	os.MkdirAll(filepath.Join(runs, "r1"), 0o755)
	os.WriteFile(filepath.Join(runs, "r1", "generator"), []byte("in the way"), 0o644)
	code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", runs, "--run-id", "r1",
		"--max-users", "2", "--start-users", "2", "--hold", "5s", "--quiet")
	if code != exitFailed || !strings.Contains(errs, "generator") {
		t.Fatalf("exit %d, want %d naming the generator folder:\n%s%s", code, exitFailed, out, errs)
	}
	if _, err := os.Stat(filepath.Join(runs, "r1")); !os.IsNotExist(err) {
		ents, _ := os.ReadDir(filepath.Join(runs, "r1"))
		t.Fatalf("the run's folder is still there (%v): %v", err, ents)
	}
	// The attack likewise.
	os.MkdirAll(filepath.Join(runs, "a1"), 0o755)
	os.WriteFile(filepath.Join(runs, "a1", "generator"), []byte("in the way"), 0o644)
	code, out, errs = brinkMain(t, "attack", "--target", srv.URL+"/health", "--runs-dir", runs, "--run-id", "a1", "--duration", "1s", "--connections", "2")
	if code != exitFailed {
		t.Fatalf("attack: exit %d:\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(runs, "a1")); !os.IsNotExist(err) {
		t.Fatalf("the attack's folder is still there: %v", err)
	}
}
