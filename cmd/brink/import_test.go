package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"brink"
)

func TestImportCLI(t *testing.T) {
	runs := t.TempDir()
	code, out, errs := brinkMain(t, "import", "vegeta", "../../collect/importers/vegeta/testdata/results.json", "--runs-dir", runs)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	ents, _ := os.ReadDir(runs)
	if len(ents) != 1 {
		t.Fatalf("%d run directories", len(ents))
	}
	dir := filepath.Join(runs, ents[0].Name())
	if !strings.Contains(out, "120 trace rows, 2 levels") || !strings.HasSuffix(out, "next: brink analyze --run "+dir+"\n") {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(errs, `brink import: step: "/chat/sessions/{id}/messages" is the conversation step ask: its name says "messages"`) {
		t.Errorf("stderr does not say which step was chosen and why:\n%s", errs)
	}
	m, err := readManifest(dir)
	if err != nil || m.Tool != "brink import vegeta" || m.Flow.Name != "vegeta" || m.TimeScale != 1 || m.Status != brink.StatusCompleted {
		t.Errorf("manifest %+v %v", m, err)
	}
	for _, tt := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"import", "k7", "x.json"}, 2, `unknown tool "k7" (did you mean "k6"?)`},
		{[]string{"import", "k6"}, 2, "want a tool and its results"},
		{[]string{"import", "k6", "x.json", "--hold", "1m"}, 2, "--plan and the plan flags are for vegeta"},
		{[]string{"import", "locust", "../../collect/importers/locust/testdata/nope"}, 1, "nope_stats_history.csv: no such file"},
		{[]string{"import", "vegeta", "../../collect/importers/vegeta/testdata/results.json", "--runs-dir", t.TempDir(), "--step", "/chat"}, 1,
			`--step /chat: no request is named "/chat"; the names are (most frequent first): "/chat/sessions/{id}/messages", "/auth/login"`},
	} {
		code, _, errs := brinkMain(t, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.err)
		}
	}
	if code, out, _ := brinkMain(t, "import", "--help"); code != 0 || !strings.Contains(out, "Example:\n  brink import k6") {
		t.Errorf("help: %d %s", code, out)
	}
}
