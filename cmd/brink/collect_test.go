package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"brink/collect/parquet"
	"brink/rundir"
	"brink/sim"
)

// TestRunCollect runs a short ramp with --collect against a sim, checks the
// metrics files against the sim's counters, collects again with brink
// collect, and refuses a sim that did not serve the run.
func TestRunCollect(t *testing.T) {
	s, srv := simServer(t, sim.DefaultConfig(), 0.01)
	runs := t.TempDir()
	code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", runs, "--start-users", "3", "--step-users", "3",
		"--max-users", "6", "--ramp", "5s", "--hold", "30s", "--quiet", "--collect")
	if code != 0 && code != 3 {
		t.Fatalf("run --collect exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	ents, _ := os.ReadDir(runs)
	dir := filepath.Join(runs, ents[0].Name())
	if !strings.Contains(out, filepath.Join(dir, "metrics", "cloudwatch.parquet")) {
		t.Errorf("run --collect does not say where the metrics went:\n%s", out)
	}
	check := func() {
		t.Helper()
		rows, err := parquet.ReadMetrics(context.Background(), filepath.Join(dir, "metrics", "cloudwatch.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		var count, outTok float64
		for _, m := range rows {
			switch {
			case m.Metric == "Count" && m.Stat == "Sum":
				count += m.Value
			case m.Metric == "OutputTokenCount":
				outTok += m.Value
			}
		}
		k := s.Counters()
		if count != float64(k.Requests.Load()) || outTok != float64(k.OutputTokens.Load()) || count == 0 {
			t.Errorf("API Gateway Count %v, OutputTokenCount %v; the sim counted %d requests, %d output tokens",
				count, outTok, k.Requests.Load(), k.OutputTokens.Load())
		}
		logs, err := parquet.ReadMetrics(context.Background(), filepath.Join(dir, "metrics", "logs.parquet"))
		if err != nil || len(logs) == 0 {
			t.Errorf("logs.parquet: %d rows, %v", len(logs), err)
		}
		var rep struct {
			RunID   string         `json:"run_id"`
			PeriodS int            `json:"period_s"`
			Empty   []string       `json:"empty"`
			Files   map[string]int `json:"files"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "metrics", "collect.json"))
		if err != nil || json.Unmarshal(b, &rep) != nil {
			t.Fatalf("collect.json: %v", err)
		}
		// 60 s: AWS/* metrics are 1-minute data, in the sim as in AWS.
		if rep.RunID != ents[0].Name() || rep.PeriodS != 60 || len(rep.Empty) != 0 || rep.Files["cloudwatch.parquet"] != len(rows) {
			t.Errorf("collect.json %+v (%d rows in cloudwatch.parquet)", rep, len(rows))
		}
		if strings.Contains(string(b), "brink-sim") || strings.Contains(string(b), "BRINKSIM") {
			t.Error("collect.json holds the credentials")
		}
	}
	check()
	os.RemoveAll(filepath.Join(dir, rundir.MetricsDir))
	code, out, errs = brinkMain(t, "collect", "--run", dir, "--quiet")
	if code != 0 {
		t.Fatalf("collect exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	check()

	// Another sim holds none of this run's data.
	_, srv2 := simServer(t, sim.DefaultConfig(), 0.01)
	code, _, errs = brinkMain(t, "collect", "--run", dir, "--endpoint-url", srv2.URL)
	if code != 1 || !strings.Contains(errs, "it is another sim and holds none of this run's metrics") {
		t.Errorf("another sim: exit %d, %s", code, errs)
	}
	code, _, errs = brinkMain(t, "collect")
	if code != 2 || !strings.Contains(errs, "--run is required") {
		t.Errorf("no --run: exit %d, %s", code, errs)
	}
	code, out, _ = brinkMain(t, "collect", "--print-spec")
	if code != 0 || !strings.Contains(out, "kind: rest") {
		t.Errorf("--print-spec: exit %d\n%s", code, out)
	}
}
