package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
