package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"brink/pricing"
	"brink/sim"
)

// TestShippedConfigsReachTheirFirstLimit runs the demo ramp with --collect
// against a sim of each shipped config, analyzes it, and checks that
// summary.json and its findings name the service the config makes break
// first — and that the sim itself counted throttles of that service only.
func TestShippedConfigsReachTheirFirstLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("two demo ramps: skipped with -short")
	}
	cases := []struct {
		config, signal string
		throttled      func(*sim.Counters) (mine, others int64)
	}{
		{"sim-bedrock-first.yaml", "Bedrock throttles", func(k *sim.Counters) (int64, int64) {
			return k.BedrockThrottles.Load(), k.LambdaThrottles.Load() + k.DynamoThrottles.Load()
		}},
		{"sim-dynamodb-first.yaml", "DynamoDB write throttles", func(k *sim.Counters) (int64, int64) {
			return k.DynamoThrottles.Load(), k.LambdaThrottles.Load() + k.BedrockThrottles.Load()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.config, func(t *testing.T) {
			cfg, err := sim.LoadConfig(filepath.Join("..", "..", "examples", tc.config))
			if err != nil {
				t.Fatal(err)
			}
			s, err := sim.New(cfg, 0.02)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			runs := t.TempDir()
			code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", runs, "--start-users", "10", "--step-users", "10",
				"--max-users", "60", "--ramp", "30s", "--hold", "4m", "--quiet", "--collect")
			if code != 0 && code != 3 {
				t.Fatalf("run --collect exit %d\nstdout: %s\nstderr: %s", code, out, errs)
			}
			ents, _ := os.ReadDir(runs)
			dir := filepath.Join(runs, ents[0].Name())
			if code, out, errs := brinkMain(t, "analyze", "--run", dir); code != 0 {
				t.Fatalf("analyze exit %d: %s %s", code, out, errs)
			}
			sum, err := readSummary(dir)
			if err != nil {
				t.Fatal(err)
			}
			f := sum.FirstLimit
			if f == nil || f.Signal != tc.signal || f.Source != "cloudwatch" {
				t.Fatalf("first_limit %+v, want %s from cloudwatch", f, tc.signal)
			}
			mine, others := tc.throttled(s.Counters())
			if mine == 0 || others != 0 {
				t.Errorf("the sim counted %d throttles of the limit and %d of the others", mine, others)
			}
			want := "The first limit to break was " + tc.signal
			var found bool
			for _, line := range sum.Findings {
				found = found || strings.HasPrefix(line, want)
			}
			if !found {
				t.Errorf("findings %q do not name %s", sum.Findings, tc.signal)
			}
			t.Logf("%s: first limit %s at level %d (%d users)", tc.config, f.Signal, f.Level, f.Users)
			if tc.config == "sim-bedrock-first.yaml" {
				analyzeWithPrices(t, dir)
			}
		})
	}
}

// analyzeWithPrices: brink analyze --prices costs the run with another
// sheet; one a year old warns with its date; one without the run's model
// fails in one line naming it and the models the sheet knows.
func analyzeWithPrices(t *testing.T, dir string) {
	t.Helper()
	def := string(pricing.DefaultYAML())
	model := sim.DefaultConfig().Bedrock.ModelID
	stale := filepath.Join(t.TempDir(), "stale.yaml")
	os.WriteFile(stale, []byte(strings.ReplaceAll(strings.ReplaceAll(def, "2026-12-02", "2024-03-01"),
		"input_per_million: 0.25", "input_per_million: 0.50")), 0o644)
	code, _, errs := brinkMain(t, "analyze", "--run", dir, "--prices", stale)
	if code != 0 || !strings.Contains(errs, "warning: price sheet "+stale+" is dated 2024-03-01, more than a year ago") {
		t.Fatalf("analyze --prices (stale): exit %d, stderr %s", code, errs)
	}
	sum, err := readSummary(dir)
	if err != nil || sum.Cost == nil || sum.Cost.PriceSheet != stale {
		t.Fatalf("cost %+v, %v: want priced with %s", sum.Cost, err, stale)
	}
	lacking := filepath.Join(t.TempDir(), "lacking.yaml")
	os.WriteFile(lacking, []byte(strings.Replace(def, "  "+model+":", "  renamed-model:", 1)), 0o644)
	code, _, errs = brinkMain(t, "analyze", "--run", dir, "--prices", lacking)
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || len(lines) != 1 || !strings.Contains(errs, `model "`+model+`" has no price`) || !strings.Contains(errs, "amazon.nova-micro-v1:0") {
		t.Fatalf("analyze --prices (no price for %s): exit %d, stderr %q; want one line naming it and the known models", model, code, errs)
	}
}
