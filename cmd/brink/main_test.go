package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"brink"
	"brink/collect/parquet"
	"brink/sim"
)

func brinkMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func quantileCont(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := float64(len(s)-1) * p
	lo, hi := math.Floor(pos), math.Ceil(pos)
	return s[int(lo)] + (pos-lo)*(s[int(hi)]-s[int(lo)])
}

// TestEndToEnd runs a short ramp against the sim through the CLI, then
// analyze and report, and checks the level table against the trace rows.
func TestEndToEnd(t *testing.T) {
	s, srv := simServer(t, sim.DefaultConfig(), 0.01)
	runs := t.TempDir()
	code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", runs, "--start-users", "4", "--step-users", "4",
		"--max-users", "12", "--ramp", "10s", "--hold", "60s", "--quiet")
	if code != 0 && code != 3 {
		t.Fatalf("run exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	ents, _ := os.ReadDir(runs)
	if len(ents) != 1 {
		t.Fatalf("runs dir holds %d entries, want 1", len(ents))
	}
	dir := filepath.Join(runs, ents[0].Name())
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != brink.StatusCompleted && m.Status != brink.StatusStopped {
		t.Fatalf("status %s", m.Status)
	}
	if m.TimeScale != 0.01 || !m.Epoch.Equal(s.Clock().Epoch) {
		t.Fatalf("manifest clock %v/%v, want the sim's", m.Epoch, m.TimeScale)
	}

	code, out, errs = brinkMain(t, "analyze", "--run", dir, "--timings")
	if code != 0 {
		t.Fatalf("analyze exit %d: %s %s", code, out, errs)
	}
	if !strings.Contains(errs, "latency_dist") || !strings.Contains(errs, "total") {
		t.Errorf("analyze --timings printed no timings to stderr:\n%s", errs)
	}
	summary, err := readSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := parquet.TraceFiles(filepath.Join(dir, "traces"))
	var rows []brink.Trace
	for _, f := range files {
		r, err := parquet.ReadTraces(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r...)
	}
	if int64(len(rows)) != summary.TotalRequests {
		t.Fatalf("%d trace rows, summary counts %d", len(rows), summary.TotalRequests)
	}
	if len(summary.Levels) == 0 {
		t.Fatal("no levels analysed")
	}
	for _, l := range summary.Levels {
		w := m.Levels[l.Level]
		var lat []float64
		for _, r := range rows {
			if r.Step == brink.StepAsk && r.Error == "" && !r.Start.Before(w.SteadyStart) && r.Start.Before(w.End) {
				lat = append(lat, r.LatencyMS)
			}
		}
		if len(lat) == 0 || l.P95MS == nil {
			t.Fatalf("level %d: %d answered asks, p95 %v", l.Level, len(lat), l.P95MS)
		}
		if want := quantileCont(lat, 0.95); math.Abs(*l.P95MS-want) > 1e-9*want {
			t.Errorf("level %d p95 = %v, computed from the traces %v", l.Level, *l.P95MS, want)
		}
		if int(l.Answered) != len(lat) {
			t.Errorf("level %d answered %d, traces %d", l.Level, l.Answered, len(lat))
		}
	}

	// brink report --compare with itself: --json puts only {differences,
	// verdict} on stdout, and nothing differs significantly.
	code, out, errs = brinkMain(t, "report", "--compare", dir, dir, "--json", "--out", t.TempDir(), "--format", "md")
	var cmp struct {
		Differences []struct {
			Metric      string   `json:"metric"`
			Users       int      `json:"users"`
			A           *float64 `json:"a"`
			B           *float64 `json:"b"`
			DeltaPct    *float64 `json:"delta_pct"`
			PValue      *float64 `json:"p_value"`
			Significant bool     `json:"significant"`
		} `json:"differences"`
		Verdict string `json:"verdict"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if code != 0 || dec.Decode(&cmp) != nil || len(cmp.Differences) != 5*len(summary.Levels) || !strings.HasPrefix(cmp.Verdict, "No significant difference") {
		t.Fatalf("compare with itself: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	for _, d := range cmp.Differences {
		if d.Significant {
			t.Errorf("%s at %d users: significant against itself (p %v)", d.Metric, d.Users, d.PValue)
		}
	}

	// brink query sees the same traces and the level table.
	code, qout, qerr := brinkMain(t, "query", "--run", dir, "--format", "csv", "SELECT count(*) AS n, (SELECT count(*) FROM levels WHERE step = 'ask') AS lv FROM traces")
	if want := fmt.Sprintf("n,lv\n%d,%d\n", summary.TotalRequests, len(summary.Levels)); code != 0 || qout != want {
		t.Fatalf("query: exit %d, %q (want %q) %s", code, qout, want, qerr)
	}
	if code, _, qerr := brinkMain(t, "query", "--run", dir, "SELECT * FROM"); code != 1 || !strings.Contains(qerr, "syntax error") {
		t.Fatalf("bad SQL: exit %d, %q", code, qerr)
	}
	if code, _, qerr := brinkMain(t, "query", "--run", dir, "SELEC 1"); code != 2 || !strings.Contains(qerr, "did you mean SELECT?") {
		t.Fatalf("misspelt SELECT: exit %d, %q", code, qerr)
	}

	if code, out, errs := brinkMain(t, "report", "--run", dir); code != 0 {
		t.Fatalf("report exit %d: %s %s", code, out, errs)
	}
	f, err := os.Open(filepath.Join(dir, "report", "latency.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("latency.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 600 {
		t.Errorf("latency.png is %v, want a slide-sized chart", b)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "report", "report.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages < 2 {
		t.Fatalf("report.pdf: %d pages", pages)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		txt, err := exec.Command("pdftotext", filepath.Join(dir, "report", "report.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"brink capacity report", "Findings", summary.RunID, "Level table"} {
			if !strings.Contains(string(txt), want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report", "summary.md"))
	if !strings.Contains(string(md), "| level | users |") || !strings.Contains(string(md), "latency.png") {
		t.Errorf("summary.md lacks the level table or the chart link:\n%s", md)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage"},
		{[]string{"rnu"}, 2, `did you mean "run"`},
		{[]string{"run", "--tagret", "x"}, 2, "did you mean --target"},
		{[]string{"run"}, 2, "--target is required"},
		{[]string{"analyze"}, 2, "name the run directory"},
		{[]string{"run", "--target", "http://127.0.0.1:1", "--hold", "0s"}, 2, "hold"},
		{[]string{"analyze", "--help"}, 0, "Example:"},
		{[]string{"run", "--help"}, 0, "brink run --target"},
	} {
		code, out, errs := brinkMain(t, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("brink %q: exit %d (want %d), output lacks %q:\n%s%s", c.args, code, c.code, c.want, out, errs)
		}
	}
}

func TestAnalyzeMissingRun(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-run")
	code, _, errs := brinkMain(t, "analyze", "--run", missing)
	if code != 1 || !strings.Contains(errs, missing) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("missing run: exit %d, stderr %q; want exit 1 and one line naming it", code, errs)
	}
	empty := t.TempDir()
	code, _, errs = brinkMain(t, "analyze", empty)
	if code != 1 || !strings.Contains(errs, empty) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("empty run: exit %d, stderr %q; want exit 1 and one line naming it", code, errs)
	}
}

// Every command's help has an example.
func TestHelpHasExamples(t *testing.T) {
	for _, c := range commands {
		code, out, _ := brinkMain(t, c.name, "--help")
		if code != 0 || !strings.Contains(out, "Example:") || !strings.Contains(out, "brink "+c.name) {
			t.Errorf("brink %s --help: exit %d, no example:\n%s", c.name, code, out)
		}
	}
}

// brink --version and -v print the version, commit and Go version; help
// shows flags as --flag, as the README writes them.
func TestVersionAndHelpConventions(t *testing.T) {
	for _, arg := range []string{"--version", "-v"} {
		if code, out, _ := brinkMain(t, arg); code != 0 || !strings.Contains(out, "brink "+brink.Version+" (commit ") || !strings.Contains(out, "go1.") {
			t.Errorf("%s: exit %d: %q", arg, code, out)
		}
	}
	code, out, _ := brinkMain(t, "run", "--help")
	if code != 0 || !strings.Contains(out, "\n  --target string") || strings.Contains(out, "\n  -target") {
		t.Errorf("run --help: exit %d:\n%s", code, out)
	}
}
