package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"brink"
	"brink/collect/parquet"
	"brink/pricing"
	"brink/sim"
)

// --max-cost-usd ends the run at once when the tokens received, priced by
// the sheet, pass the limit: exit 3, status stopped, and the traces show
// the spend just past the limit.
func TestMaxCostStopsTheRun(t *testing.T) {
	_, srv := simServer(t, sim.DefaultConfig(), 0.01)
	runs := t.TempDir()
	const limit = 0.002 // about five Haiku turns
	code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", runs, "--start-users", "5", "--max-users", "5",
		"--hold", "10m", "--max-cost-usd", "0.002", "--quiet", "--json")
	if code != 3 {
		t.Fatalf("exit %d, want 3 (a stop rule)\n%s%s", code, out, errs)
	}
	// --json: stdout is one JSON object, the human lines went to stderr.
	var got struct {
		RunDir   string `json:"run_dir"`
		Status   string `json:"status"`
		Requests int64  `json:"requests"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Status != "stopped" || got.Requests == 0 || !strings.HasPrefix(got.RunDir, runs) || !strings.Contains(errs, "next: brink analyze") {
		t.Fatalf("--json stdout %q (%v), stderr %q", out, err, errs)
	}
	ents, _ := os.ReadDir(runs)
	dir := filepath.Join(runs, ents[0].Name())
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != brink.StatusStopped || !strings.Contains(m.StopReason, "max_cost_usd") || m.EdgeLevel != nil {
		t.Fatalf("status %s, reason %q, edge %v", m.Status, m.StopReason, m.EdgeLevel)
	}
	// Price what the traces received independently: past the limit, but
	// not by much more than the turns in flight when it tripped.
	files, _ := parquet.TraceFiles(filepath.Join(dir, "traces"))
	price := pricing.Default().Bedrock[sim.DefaultConfig().Bedrock.ModelID]
	var usd float64
	for _, f := range files {
		rows, err := parquet.ReadTraces(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Error == "" && r.HasUsage {
				in, out := price.TokensUSD(float64(r.InputTokens), float64(r.OutputTokens))
				usd += in + out
			}
		}
	}
	if usd <= limit || usd > limit*4 {
		t.Fatalf("the traces received $%.5f of tokens; want just past the $%.3f limit", usd, limit)
	}
}
