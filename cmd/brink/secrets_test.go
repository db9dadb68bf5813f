package main

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"brink/replay"
	"brink/sim"
)

// TestSecretsNeverWritten runs a flow whose password and API key come from
// ${env:...}, against a target URL with a user and password, through run,
// analyze and report, and greps every file written (Parquet decoded) and
// everything printed for them and for the tokens the target handed out.
func TestSecretsNeverWritten(t *testing.T) {
	const secret = "s3cr3t-Pa55-w0rd-do-not-log"
	const apiKey = "key-ABCDEF-0123456789"
	t.Setenv("BRINK_TEST_PASSWORD", secret)
	t.Setenv("BRINK_TEST_API_KEY", apiKey)
	_, srv := simServer(t, sim.DefaultConfig(), 0.01)
	flowText := strings.Replace(string(replay.DefaultFlowYAML()), "password: brink", "password: ${env:BRINK_TEST_PASSWORD}", 1)
	flowText = strings.Replace(flowText, "  Accept: application/json\n", "  Accept: application/json\n  X-Api-Key: ${env:BRINK_TEST_API_KEY}\n", 1)
	dir := t.TempDir()
	flowPath := filepath.Join(dir, "flow.yaml")
	os.WriteFile(flowPath, []byte(flowText), 0o644)
	runs := filepath.Join(dir, "runs")
	// The target URL carries credentials too: they must be redacted.
	target := strings.Replace(srv.URL, "http://", "http://admin-user:"+secret+"@", 1)
	code, out, errs := brinkMain(t, "run", "--target", target, "--flow", flowPath, "--runs-dir", runs,
		"--start-users", "3", "--max-users", "3", "--ramp", "5s", "--hold", "40s", "--quiet", "--json")
	if code != 0 && code != 3 {
		t.Fatalf("run exit %d: %s %s", code, out, errs)
	}
	ents, _ := os.ReadDir(runs)
	if len(ents) != 1 {
		t.Fatalf("%d runs", len(ents))
	}
	run := filepath.Join(runs, ents[0].Name())
	for _, args := range [][]string{{"analyze", run}, {"report", run}} {
		c, o, e := brinkMain(t, args...)
		out += o
		errs += e
		if c != 0 {
			t.Fatalf("%v: exit %d: %s %s", args, c, o, e)
		}
	}
	// tok_ is how the sim's login tokens begin: none may be written.
	planted := []string{secret, apiKey, "admin-user", "tok_"}
	for _, p := range planted {
		if strings.Contains(out+errs, p) {
			t.Fatalf("%q reached the terminal output", p)
		}
	}
	if files := grepRun(t, run, planted...); files < 6 {
		t.Fatalf("only %d files written", files)
	}
	// A dry run prints each request with the secret and the token masked.
	code, out, errs = brinkMain(t, "run", "--target", srv.URL, "--flow", flowPath, "--dry-run")
	if code != 0 || strings.Contains(out+errs, secret) || strings.Contains(out, "tok_") || !strings.Contains(out, "token = ****") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errs)
	}
	for _, step := range []string{"auth", "new_chat", "ask", "session_id = chat_"} {
		if !strings.Contains(out, step) {
			t.Errorf("dry run output lacks %q:\n%s", step, out)
		}
	}
	// A target URL's user:password is not printed on any request line.
	withUser := strings.Replace(srv.URL, "http://", "http://alice:pw-in-url@", 1)
	code, out, errs = brinkMain(t, "run", "--target", withUser, "--flow", flowPath, "--dry-run")
	if code != 0 || strings.Contains(out+errs, "pw-in-url") || !strings.Contains(out, srv.URL+"/auth/login") {
		t.Fatalf("dry run with credentials in the URL: exit %d\n%s%s", code, out, errs)
	}
}

// grepRun fails the test for every file under run holding one of planted,
// Parquet files read through DuckDB (their pages are compressed), and
// returns how many files it read.
func grepRun(t *testing.T, run string, planted ...string) (files int) {
	t.Helper()
	filepath.WalkDir(run, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, _ := os.ReadFile(p)
		if strings.HasSuffix(p, ".parquet") {
			code, out, errs := brinkMain(t, "query", "--run", run, "--format", "csv", "SELECT * FROM read_parquet('"+p+"')")
			if code != 0 || len(out) < 10 {
				t.Fatalf("read %s: exit %d: %s", p, code, errs)
			}
			b = []byte(out)
		}
		for _, s := range planted {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains %q", p, s)
			}
		}
		return nil
	})
	return files
}

// An ${env:...} value with a control character, used in a path, cannot make
// a URL: each such request is recorded as failed (it once ended the run with
// the URL and the value in the error), and neither the terminal, run.json
// nor any other file holds the value or a piece of it.
func TestSecretInBrokenURLRedacted(t *testing.T) {
	const half1, half2 = "first-half-secret", "second-half-secret"
	t.Setenv("BRINK_TEST_PATH_SECRET", half1+"\t"+half2)
	_, srv := simServer(t, sim.DefaultConfig(), 0.01)
	flowText := strings.Replace(string(replay.DefaultFlowYAML()), "/chat/sessions/${session_id}/messages", "/chat/sessions/${session_id}/messages/${env:BRINK_TEST_PATH_SECRET}", 1)
	dir := t.TempDir()
	flowPath := filepath.Join(dir, "flow.yaml")
	os.WriteFile(flowPath, []byte(flowText), 0o644)
	runs := filepath.Join(dir, "runs")
	code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--flow", flowPath, "--runs-dir", runs,
		"--start-users", "2", "--max-users", "2", "--ramp", "0s", "--hold", "20s", "--quiet")
	if code != exitStopped {
		t.Fatalf("exit %d, want %d (the error rule):\n%s%s", code, exitStopped, out, errs)
	}
	for _, h := range []string{half1, half2} {
		if strings.Contains(out+errs, h) {
			t.Fatalf("%q reached the terminal: %s", h, errs)
		}
	}
	ents, _ := os.ReadDir(runs)
	for _, e := range ents {
		grepRun(t, filepath.Join(runs, e.Name()), half1, half2)
	}
}

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("steps:\n  - name: ask\n    path: /x\n    thinktime: 3s\n"), 0o644)
	code, _, errs := brinkMain(t, "validate", bad)
	if code != 1 || !strings.Contains(errs, bad+`:4:5: unknown key "thinktime" (did you mean "think"?)`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, replay.DefaultFlowYAML(), 0o644)
	code, out, _ := brinkMain(t, "validate", good)
	if code != 0 || !strings.Contains(out, "ok, 3 steps") || !strings.Contains(out, "turns: 3-6, think uniform 3s..8s") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

// A usage error found before the first request (a flow's ${env:X} unset)
// leaves no run directory behind.
func TestUsageErrorLeavesNoRun(t *testing.T) {
	_, srv := simServer(t, sim.DefaultConfig(), 0.02)
	dir := t.TempDir()
	flow := filepath.Join(dir, "flow.yaml")
	os.WriteFile(flow, []byte("steps:\n  - name: ask\n    path: /x\n    headers: {Authorization: \"Bearer ${env:BRINK_TEST_UNSET_TOKEN}\"}\n"), 0o644)
	runs := filepath.Join(dir, "runs")
	code, _, errs := brinkMain(t, "run", "--target", srv.URL, "--flow", flow, "--runs-dir", runs, "--quiet")
	if code != exitUsage || !strings.Contains(errs, "BRINK_TEST_UNSET_TOKEN") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if ents, _ := os.ReadDir(runs); len(ents) != 0 {
		t.Fatalf("the runs directory holds %v after a usage error", ents)
	}
}

// A target announcing an absurd clock is refused before a run directory
// exists, with the values named.
func TestAbsurdClockRefused(t *testing.T) {
	for _, body := range []string{`{"epoch":"2026-12-01T00:00:00Z","time_scale":1e-9}`, `{"epoch":"1900-01-01T00:00:00Z","time_scale":0.5}`, `{"epoch":"0001-01-01T00:00:00Z","time_scale":0.5}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
		runs := t.TempDir()
		// A short plan, so that a clock wrongly taken cannot keep the test long.
		code, _, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", runs, "--quiet", "--max-users", "10", "--hold", "1s", "--ramp", "0s")
		srv.Close()
		if code != exitFailed || !(strings.Contains(errs, "time scale 1e-09") || strings.Contains(errs, "epoch 1900-01-01") || strings.Contains(errs, "epoch 0001-01-01")) {
			t.Errorf("clock %s: exit %d: %s", body, code, errs)
		}
		if ents, _ := os.ReadDir(runs); len(ents) != 0 {
			t.Errorf("clock %s: the runs directory holds %v", body, ents)
		}
	}
}
