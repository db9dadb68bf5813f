package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"brink"
	"brink/pricing"
)

func init() {
	register("whatif", "project a run's cost and capacity to more users, engagement, other models", runWhatIf)
}

// WhatIf is analysis/whatif.json.
type WhatIf struct {
	SchemaVersion int                   `json:"schema_version"`
	RunID         string                `json:"run_id"`
	Currency      string                `json:"currency"`
	PriceSheet    string                `json:"price_sheet"`
	PricesAsOf    string                `json:"prices_as_of"`
	Assumptions   brink.CostAssumptions `json:"assumptions"`
	Baseline      pricing.Baseline      `json:"baseline"`
	Results       []pricing.Result      `json:"results"`
}

func runWhatIf(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("whatif", "--run DIR [flags]",
		"Projects an analysed run (analysis/summary.json, its cost section) to other scenarios: cost\n"+
			"per hour, day and month by component, Bedrock tokens per minute against the quota, Lambda\n"+
			"concurrency against its limit, DynamoDB write units, and where the scenario's load lies\n"+
			"against the measured edge of failure, knees and USL peak. With no scenario flags it runs\n"+
			"the built-in viral set (x10 and x100 users at x2 engagement). Writes analysis/whatif.json.\n"+
			"Formulas and the scenario file format: docs/cost.md.",
		"  brink whatif --run runs/20261126T101500Z-a1b2c3\n"+
			"  brink whatif --run runs/20261126T101500Z-a1b2c3 --dau 50000 --sessions-per-day 2 --session-minutes 6 --peak-factor 3\n"+
			"  brink whatif --run runs/20261126T101500Z-a1b2c3 --users-x 10 --model amazon.nova-lite-v1:0 --cache-hit-rate 0.3\n"+
			"  brink whatif --run runs/20261126T101500Z-a1b2c3 --scenarios launch.yaml --json", stdout)
	run := fs.String("run", "", "the run directory")
	prices := fs.String("prices", "", "price sheet YAML (default: the embedded sheet)")
	printPrices := fs.Bool("print-prices", false, "print the embedded price sheet (to copy and edit) and exit")
	scenFile := fs.String("scenarios", "", "scenario YAML file (see docs/cost.md)")
	level := fs.Int("level", -1, "the measured level to project from (default: the cost baseline level)")
	asJSON := fs.Bool("json", false, "print whatif.json instead of the table")
	var sc pricing.Scenario
	fs.StringVar(&sc.Name, "name", "custom", "the scenario's name")
	fs.Float64Var(&sc.UsersFactor, "users-x", 0, "users × N (of the baseline level's users)")
	fs.Float64Var(&sc.Users, "users", 0, "concurrent active users")
	fs.Float64Var(&sc.DailyActiveUsers, "dau", 0, "daily active users (needs --sessions-per-day and --session-minutes)")
	fs.Float64Var(&sc.SessionsPerDay, "sessions-per-day", 0, "sessions per daily active user")
	fs.Float64Var(&sc.SessionMinutes, "session-minutes", 0, "minutes a session lasts")
	fs.Float64Var(&sc.PeakFactor, "peak-factor", 0, "peak concurrency ÷ the daily average (with --dau)")
	fs.Float64Var(&sc.Engagement, "engagement-x", 0, "turns per user per minute × k")
	fs.Float64Var(&sc.Verbosity, "verbosity-x", 0, "output tokens × f")
	fs.Float64Var(&sc.CacheHitRate, "cache-hit-rate", 0, "share of turns answered from a cache (0..1)")
	fs.StringVar(&sc.Model, "model", "", "price every turn as this Bedrock model id")
	fs.Float64Var(&sc.RateLimitPerMinute, "rate-limit", 0, "per-user cap on turns per minute")
	fs.Float64Var(&sc.DailyTokenBudget, "daily-token-budget", 0, "per-user cap on billed tokens per day")
	fs.Float64Var(&sc.HoursPerDay, "hours-per-day", 0, "hours a day at this concurrency (default 24)")
	tpm := fs.Float64("bedrock-tpm", 0, "Bedrock tokens-per-minute quota (default: the run's assumption)")
	lambdaLimit := fs.Int("lambda-limit", 0, "Lambda concurrency limit (default: the run's assumption)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *printPrices {
		_, err := stdout.Write(pricing.DefaultYAML())
		return err
	}
	dir, err := runDirArg(*run, pos)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var scenarios []pricing.Scenario
	scenarioFlag := false
	for _, n := range []string{"users-x", "users", "dau", "sessions-per-day", "session-minutes", "peak-factor", "engagement-x",
		"verbosity-x", "cache-hit-rate", "model", "rate-limit", "daily-token-budget", "hours-per-day"} {
		scenarioFlag = scenarioFlag || set[n]
	}
	switch {
	case scenarioFlag && *scenFile != "":
		return usagef("give scenario flags or --scenarios, not both")
	case *scenFile != "":
		if scenarios, err = pricing.LoadScenarios(*scenFile); err != nil {
			return err
		}
	case scenarioFlag:
		if err := sc.Validate(); err != nil {
			return usagef("%v", err)
		}
		scenarios = []pricing.Scenario{{Name: "measured"}, sc}
	default:
		scenarios = pricing.ViralSet()
	}
	sheet, err := pricing.Load(*prices)
	if err != nil {
		return err
	}
	if w := sheet.Stale(time.Now()); w != "" {
		fmt.Fprintf(stderr, "brink whatif: warning: %s\n", w)
	}
	s, err := readSummary(dir)
	if err != nil {
		return err
	}
	u, err := usageOf(s)
	if err != nil {
		return err
	}
	if *tpm > 0 {
		u.BedrockTPMQuota = *tpm
	}
	if *lambdaLimit > 0 {
		u.LambdaConcurrencyLimit = *lambdaLimit
	}
	w, err := whatIf(dir, s, scenarios, sheet, u, *level)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(w)
	}
	printWhatIf(stdout, w)
	fmt.Fprintf(stdout, "\nwrote %s\n", filepath.Join(dir, brink.AnalysisDir, brink.WhatIfFile))
	return nil
}

// usageOf rebuilds the usage assumptions the run was priced with.
func usageOf(s *brink.Summary) (pricing.Usage, error) {
	u := pricing.DefaultUsage()
	if s.Cost == nil {
		return u, fmt.Errorf("%w: its warnings say why (an unpriced model?); re-run brink analyze", pricing.ErrNoCost)
	}
	a := s.Cost.Assumptions
	u.DefaultModel, u.LambdaMemoryMB, u.LambdaArch = a.DefaultModel, a.LambdaMemoryMB, a.LambdaArch
	u.LambdaDuration = time.Duration(a.LambdaDurationMS * float64(time.Millisecond))
	u.APIGatewayOverhead = time.Duration(a.APIGatewayOverhead * float64(time.Millisecond))
	u.APIGatewayType, u.DynamoDBMode = a.APIGatewayType, a.DynamoDBMode
	u.WriteUnitsPerTurn, u.ReadUnitsPerTurn, u.ProvisionedWCU, u.ProvisionedRCU = a.WriteUnitsPerTurn, a.ReadUnitsPerTurn, a.ProvisionedWCU, a.ProvisionedRCU
	u.BedrockTPMQuota, u.LambdaConcurrencyLimit = a.BedrockTPMQuota, a.LambdaConcurrencyLimit
	return u, u.Validate()
}

// whatIf evaluates scenarios against the run and writes analysis/whatif.json.
func whatIf(dir string, s *brink.Summary, scenarios []pricing.Scenario, sheet *pricing.Sheet, u pricing.Usage, level int) (*WhatIf, error) {
	b, err := pricing.BaselineFrom(s, level)
	if err != nil {
		return nil, err
	}
	w := &WhatIf{SchemaVersion: brink.SchemaVersion, RunID: s.RunID, Currency: sheet.Currency, PriceSheet: sheet.File,
		PricesAsOf: sheet.AsOf(), Assumptions: u.Assumptions(), Baseline: b}
	for _, sc := range scenarios {
		r, err := pricing.Evaluate(b, sc, sheet, u)
		if err != nil {
			return nil, err
		}
		w.Results = append(w.Results, r)
	}
	out, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode what-if: %w", err)
	}
	if err := brink.WriteFileAtomic(filepath.Join(dir, brink.AnalysisDir, brink.WhatIfFile), append(out, '\n')); err != nil {
		return nil, err
	}
	return w, nil
}

// demoWhatIf runs the viral set on an analysed run and prints its table
// (brink demo).
func demoWhatIf(dir string, s *brink.Summary, stdout io.Writer) error {
	u, err := usageOf(s)
	if err != nil {
		return err
	}
	w, err := whatIf(dir, s, pricing.ViralSet(), pricing.Default(), u, -1)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nWhat if it goes viral (brink whatif):\n")
	printWhatIf(stdout, w)
	return nil
}

func printWhatIf(out io.Writer, w *WhatIf) {
	b := w.Baseline
	var models []string
	for _, m := range b.Models {
		models = append(models, fmt.Sprintf("%s %.0f%% (%.0f in / %.0f out tokens a turn)", m.Model, 100*m.Share, m.InputPerTurn, m.OutputPerTurn))
	}
	fmt.Fprintf(out, "baseline: level %d, %d users, %.2f answered turns per user per minute; %s\n", b.Level, b.Users, b.TurnsPerUserMinute, strings.Join(models, ", "))
	fmt.Fprintf(out, "prices: %s (as of %s, %s); DynamoDB %s, Lambda %d MB %s\n\n", w.PriceSheet, w.PricesAsOf, w.Currency,
		w.Assumptions.DynamoDBMode, w.Assumptions.LambdaMemoryMB, w.Assumptions.LambdaArch)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tusers\tturns/min\t$/user-min\t$/hour\t$/day\t$/month\tLLM share\ttokens/min\tof TPM quota\tLambda conc.\tDDB WU/s\t")
	for _, r := range w.Results {
		share := 0.0
		if r.PerDay.Total > 0 {
			share = r.PerDay.LLM / r.PerDay.Total
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.6f\t%.2f\t%.2f\t%.0f\t%.0f%%\t%.0f\t%.0f%%\t%.0f/%d\t%.1f\t\n", r.Scenario.Name, r.ConcurrentUsers, r.TurnsPerMinute,
			r.PerUserMinute.Total, r.PerHour.Total, r.PerDay.Total, r.PerMonth.Total, 100*share, r.TokensPerMinute, 100*r.TPMUse,
			r.LambdaConcurrency, r.LambdaLimit, r.WriteUnitsPerSecond)
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, r := range w.Results {
		d := r.PerDay
		fmt.Fprintf(out, "%s: $%.2f a day = LLM input $%.2f + output $%.2f, Lambda $%.2f, DynamoDB $%.2f, API Gateway $%.2f\n",
			r.Scenario.Name, d.Total, d.LLMInput, d.LLMOutput, d.Lambda, d.DynamoDB, d.APIGateway)
		var lim []string
		for _, l := range r.Limits {
			rel := "headroom"
			if l.Beyond {
				rel = "beyond by"
			}
			h := l.HeadroomUsers
			if h < 0 {
				h = -h
			}
			lim = append(lim, fmt.Sprintf("%s %.0f users: %s %.0f", l.Name, l.Users, rel, h))
		}
		if len(lim) > 0 {
			fmt.Fprintf(out, "  load of %.0f measured users; %s\n", r.LoadEquivalentUsers, strings.Join(lim, "; "))
		}
		for _, n := range r.Notes {
			fmt.Fprintf(out, "  note: %s\n", n)
		}
	}
}
