package main

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

const uslIssueCSV = "N,X\n1,1\n2,1.8868\n4,3.0769\n6,3.5294\n8,3.5398\n10,3.3557\n"

// TestUSLCommand: the issue's data; the printed numbers are at full
// precision and agree with an independent fit (see analyze/usl) to 1e-9.
func TestUSLCommand(t *testing.T) {
	path := xyWriteCSV(t, "levels.csv", uslIssueCSV)
	code, out, errOut := xyRunMain("usl", path)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := map[string]float64{
		"sigma":  0.020005761329581193,
		"kappa":  0.019999665278074546,
		"lambda": 1.000005121735087,
		"n_star": 7.000038000692717,
		"peak":   3.571409491768589,
	}
	got := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if _, ok := want[f[0]]; !ok {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if len(f[1]) < 15 {
			t.Errorf("line %q: not at full precision", line)
		}
		got[f[0]] = v
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-9*math.Max(1, w) {
			t.Errorf("%s = %v, want %v\n%s", k, g, w, out)
		}
	}
	if !strings.Contains(out, "fit     6 points, SSE ") {
		t.Errorf("no fit line:\n%s", out)
	}
}

func TestUSLCommandJSON(t *testing.T) {
	path := xyWriteCSV(t, "levels.csv", uslIssueCSV)
	code, out, _ := xyRunMain("usl", "--json", path)
	var r struct {
		Sigma, Kappa, Lambda float64
		NStar                *float64 `json:"n_star"`
		Peak                 *float64 `json:"peak_throughput"`
		Points               int
		Warnings             []string
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if math.Round(r.Sigma*1000) != 20 || math.Round(r.Kappa*1000) != 20 || math.Round(r.Lambda*1000) != 1000 ||
		r.NStar == nil || math.Round(*r.NStar*1000) != 7000 || r.Peak == nil || math.Round(*r.Peak*1000) != 3571 ||
		r.Points != 6 || r.Warnings == nil || len(r.Warnings) != 0 {
		t.Errorf("got %s", out)
	}
}

// TestUSLCommandNoPeak: linear scaling has κ = 0: no N*, said in both forms.
func TestUSLCommandNoPeak(t *testing.T) {
	path := xyWriteCSV(t, "linear.csv", "users,rps\n1,3\n2,6\n3,9\n4,12\n5,15\n6,18\n")
	code, out, _ := xyRunMain("usl", path)
	if code != 0 || !strings.Contains(out, "n_star  none: no peak in sight") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	_, rest, _ := strings.Cut(out, "lambda  ")
	lambda, err := strconv.ParseFloat(strings.Fields(rest + " x")[0], 64)
	if err != nil || math.Abs(lambda-3) > 1e-9 {
		t.Errorf("lambda = %v (%v), want 3:\n%s", lambda, err, out)
	}
	code, out, _ = xyRunMain("usl", path, "--json")
	if code != 0 || !strings.Contains(out, `"n_star": null`) || !strings.Contains(out, `"peak_throughput": null`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestUSLCommandWarnsAndFails(t *testing.T) {
	four := xyWriteCSV(t, "four.csv", "N,X\n1,1\n2,1.8868\n4,3.0769\n8,3.5398\n")
	two := xyWriteCSV(t, "two.csv", "N,X\n1,1\n2,1.8868\n")
	zero := xyWriteCSV(t, "zero.csv", "N,X\n1,1\n0,1.8868\n4,3.0769\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"four points warn", []string{four}, 0, "brink usl: warning: only 4 concurrency levels"},
		{"two points", []string{two}, 1, "two.csv: too few points for a USL fit: 2 distinct concurrency levels, need at least 3; add more levels"},
		{"zero N", []string{zero}, 1, "zero.csv:3: concurrency N = 0 must be positive"},
		{"no file", nil, 2, "give one CSV file"},
		{"bad flag", []string{four, "--jsn"}, 2, "unknown flag --jsn (did you mean --json?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := xyRunMain(append([]string{"usl"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.stderr)
			}
		})
	}
}
