package report

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"brink"
)

var update = flag.Bool("update", false, "rewrite golden files")

func f(v float64) *float64 { return &v }

func fixtureSummary() *brink.Summary {
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	end := start.Add(30 * time.Minute)
	s := &brink.Summary{SchemaVersion: 1, RunID: "20261126T100000Z-abc123", Status: brink.StatusStopped, Target: "http://127.0.0.1:8080",
		StartedAt: start, EndedAt: &end, TimeScale: 0.02, Plan: brink.DefaultPlan(), StopRules: brink.DefaultStopRules(), Step: "ask",
		TotalRequests: 5000}
	for i, p95 := range []float64{2700, 2800, 3000, 3600, 4800, 5300} {
		u := (i + 1) * 10
		errRate := 0.0
		if i >= 4 {
			errRate = float64(i-3) * 0.012
		}
		s.Levels = append(s.Levels, brink.LevelStats{Level: i, Users: u, WindowS: 300, Requests: int64(150 * u / 10), Answered: int64(150 * u / 10),
			RPS: float64(u) / 8, P50MS: f(p95 * 0.65), P95MS: f(p95), P99MS: f(p95 * 1.2), ErrorRate: errRate, ThrottleRate: errRate,
			AllErrorRate: errRate, AllThrottle: errRate, InputTPM: float64(u) * 5700, OutputTPM: float64(u) * 1300})
	}
	s.Edge = &brink.Edge{Level: 4, Users: 50, Rule: "error_rate (all steps) > 1%", Value: 0.012, Threshold: 0.01}
	s.Findings = []string{"p95 conversation latency went from 2.70 s at 10 users to 5.30 s at 60 users.", "Edge of failure: level 4 (50 users)."}
	return s
}

func TestWriteReport(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	res, err := Write(dir, fixtureSummary(), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 3 {
		t.Fatalf("wrote %v, want png, pdf and md", res.Files)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report", "summary.md"))
	golden := filepath.Join("testdata", "summary.golden.md")
	if *update {
		os.WriteFile(golden, md, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(md, want) {
		t.Errorf("summary.md differs from %s (go test -update rewrites it):\n%s", golden, md)
	}
	pf, _ := os.Open(filepath.Join(dir, "report", "latency.png"))
	img, err := png.Decode(pf)
	pf.Close()
	if err != nil || img.Bounds().Dx() != 1500 || img.Bounds().Dy() != 938 {
		t.Fatalf("latency.png: %v, bounds %v; want 1500x938", err, img.Bounds())
	}
	pdf, _ := os.ReadFile(filepath.Join(dir, "report", "report.pdf"))
	if n := bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page ")); n < 3 {
		t.Errorf("report.pdf has %d pages, want facts+chart, chart, table", n)
	}
}

func TestBadFormat(t *testing.T) {
	if _, err := Write(t.TempDir(), fixtureSummary(), Options{Formats: []string{"docx"}}); err == nil {
		t.Fatal("unknown format: want an error")
	}
}

func TestPDFTextIsCP1252(t *testing.T) {
	for in, want := range map[string]string{"a → b": "a -> b", "≤ 5 s": "<= 5 s", "naïve": "na\xefve", "漢": "?"} {
		if got := pdfText(in); got != want {
			t.Errorf("pdfText(%q) = %q, want %q", in, got, want)
		}
	}
}
