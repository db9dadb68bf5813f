package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"brink/replay"
)

// --json is the same on every command that has it: stdout holds exactly
// one JSON object; the lines for people go to stderr.
func TestJSONOutcomes(t *testing.T) {
	decode := func(name, out string, v any) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(out))
		if err := dec.Decode(v); err != nil {
			t.Fatalf("%s: stdout is not one JSON object: %v\n%s", name, err, out)
		}
		if dec.More() {
			t.Fatalf("%s: more than one JSON value on stdout:\n%s", name, out)
		}
	}

	// import: the vegeta sample has 120 results in two attacks.
	runs := t.TempDir()
	code, out, errs := brinkMain(t, "import", "vegeta", "../../collect/importers/vegeta/testdata/results.json", "--runs-dir", runs, "--json")
	if code != 0 || !strings.Contains(errs, "120 trace rows, 2 levels") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
	var imp struct {
		RunDir   string `json:"run_dir"`
		Requests int64
		Levels   []struct{ Users int }
		Step     string
		Warnings []string
	}
	decode("import", out, &imp)
	ents, _ := os.ReadDir(runs)
	if imp.RunDir != filepath.Join(runs, ents[0].Name()) || imp.Requests != 120 || len(imp.Levels) != 2 || imp.Step != "/chat/sessions/{id}/messages" || imp.Warnings == nil {
		t.Errorf("import outcome %+v", imp)
	}

	// attack: the rows and requests the server counted.
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		served.Add(1)
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	code, out, errs = brinkMain(t, "attack", "--target", srv.URL+"/health", "--connections", "2", "--duration", "200ms", "--runs-dir", t.TempDir(), "--json")
	if code != 0 || !strings.Contains(errs, "rps=") {
		t.Fatalf("attack: exit %d\n%s\n%s", code, out, errs)
	}
	var att struct {
		Status   string
		Requests int64
		Rows     int64
		Errors   int64
		ByError  map[string]int64 `json:"errors_by_class"`
		RPS      float64
	}
	decode("attack", out, &att)
	if att.Status != "completed" || att.Requests != served.Load() || att.Rows != att.Requests || att.Errors != 0 || att.ByError == nil || att.RPS <= 0 {
		t.Errorf("attack outcome %+v (server counted %d)", att, served.Load())
	}

	// validate: the built-in flow's three steps.
	flow := filepath.Join(t.TempDir(), "chat.yaml")
	os.WriteFile(flow, replay.DefaultFlowYAML(), 0o644)
	code, out, errs = brinkMain(t, "validate", flow, "--json")
	if code != 0 {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	var val struct {
		File, Name string
		OK         bool
		Steps      []struct{ Name, Method, Target, Kind, Think string }
	}
	decode("validate", out, &val)
	if val.File != flow || val.Name != "chat" || !val.OK || len(val.Steps) != 3 ||
		val.Steps[0].Kind != "once" || val.Steps[2].Target != "/chat/sessions/${session_id}/messages" || val.Steps[2].Kind != "turns: 3-6" || val.Steps[2].Think != "uniform 3s..8s" {
		t.Errorf("validate outcome %+v", val)
	}
}

// brink validate --target refuses a url: step naming another host, with
// the line, before anything is sent.
func TestValidateTargetHost(t *testing.T) {
	flow := filepath.Join(t.TempDir(), "f.yaml")
	os.WriteFile(flow, []byte("steps:\n  - name: ask\n    url: https://api.example.com/v1/chat\n"), 0o644)
	if code, out, errs := brinkMain(t, "validate", flow, "--target", "https://api.example.com"); code != 0 || !strings.Contains(out, "ok, 1 step\n") {
		t.Errorf("same host: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs := brinkMain(t, "validate", flow, "--target", "http://127.0.0.1:8080")
	if code != exitFailed || !strings.Contains(errs, flow+`:3:10: step "ask" names host api.example.com, not the target's (127.0.0.1:8080)`) {
		t.Errorf("another host: exit %d: %s", code, errs)
	}
}
