package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"brink/internal/cli"
	"brink/pricing"
	"brink/record"
)

// whatIfScenarioFlags are the flags that describe one scenario.
var whatIfScenarioFlags = []string{"users-x", "users", "dau", "sessions-per-day", "session-minutes", "peak-factor", "engagement-x", "engagement",
	"verbosity-x", "cache-hit-rate", "model", "rate-limit", "daily-token-budget", "hours-per-day"}

func newWhatIfFlags(e env, sc *pricing.Scenario) *flag.FlagSet {
	fs := cli.NewFlags("whatif", "--run DIR [flags]",
		"Projects an analysed run (analysis/summary.json, its cost section) to other scenarios: cost\n"+
			"per hour, day and month by component, Bedrock tokens per minute against the quota, Lambda\n"+
			"concurrency against its limit, DynamoDB write units, and where the scenario's load lies\n"+
			"against the measured edge of failure, knees and USL peak. With no scenario flags it runs\n"+
			"the built-in viral set (x10 and x100 users at x2 engagement). Writes analysis/whatif.json.\n"+
			"Formulas and the scenario file format: docs/cost.md.",
		"  brink whatif --run runs/20261126T101500Z-a1b2c3\n"+
			"  brink whatif --run runs/20261126T101500Z-a1b2c3 --dau 50000 --sessions-per-day 2 --session-minutes 6 --peak-factor 3\n"+
			"  brink whatif --run runs/20261126T101500Z-a1b2c3 --users-x 10 --model amazon.nova-lite-v1:0 --cache-hit-rate 0.3\n"+
			"  brink whatif --run runs/20261126T101500Z-a1b2c3 --scenarios launch.yaml --json", e.stdout)
	fs.StringVar(&sc.Name, "name", "custom", "the scenario's name")
	fs.Float64Var(&sc.UsersFactor, "users-x", 0, "users × N (of the baseline level's users)")
	fs.Float64Var(&sc.Users, "users", 0, "concurrent active users")
	fs.Float64Var(&sc.DailyActiveUsers, "dau", 0, "daily active users (needs --sessions-per-day and --session-minutes)")
	fs.Float64Var(&sc.SessionsPerDay, "sessions-per-day", 0, "sessions per daily active user")
	fs.Float64Var(&sc.SessionMinutes, "session-minutes", 0, "minutes a session lasts")
	fs.Float64Var(&sc.PeakFactor, "peak-factor", 0, "peak concurrency ÷ the daily average (with --dau)")
	fs.Float64Var(&sc.Engagement, "engagement-x", 0, "turns per user per minute × k (of the measured engagement)")
	fs.Var(pricing.EngagementValue{Scenario: sc}, "engagement", "questions per active user per minute, a stated human engagement (e.g. 1), or \"corpus\": from the recorded think times of --sessions (default: the built-in corpus); exclusive with --engagement-x")
	fs.Float64Var(&sc.Verbosity, "verbosity-x", 0, "output tokens × f")
	fs.Float64Var(&sc.CacheHitRate, "cache-hit-rate", 0, "share of turns answered from a cache (0..1)")
	fs.StringVar(&sc.Model, "model", "", "price every turn as this Bedrock model id")
	fs.Float64Var(&sc.RateLimitPerMinute, "rate-limit", 0, "per-user cap on turns per minute")
	fs.Float64Var(&sc.DailyTokenBudget, "daily-token-budget", 0, "per-user cap on billed tokens per day")
	fs.Float64Var(&sc.HoursPerDay, "hours-per-day", 0, "hours a day at this concurrency (default 24)")
	return fs
}

func runWhatIf(ctx context.Context, e env, args []string) error {
	var sc pricing.Scenario
	var o pricing.WhatIfOptions
	fs := newWhatIfFlags(e, &sc)
	run := fs.String("run", "", "the run directory")
	prices := fs.String("prices", "", "price sheet YAML (default: the embedded sheet)")
	printPrices := fs.Bool("print-prices", false, "print the embedded price sheet (to copy and edit) and exit")
	scenFile := fs.String("scenarios", "", "scenario YAML file (see docs/cost.md)")
	level := fs.Int("level", -1, "the measured level to project from (default: the cost baseline level)")
	asJSON := fs.Bool("json", false, "print whatif.json instead of the table")
	fs.Float64Var(&o.BedrockTPM, "bedrock-tpm", 0, "Bedrock tokens-per-minute quota (default: the run's assumption)")
	fs.IntVar(&o.LambdaLimit, "lambda-limit", 0, "Lambda concurrency limit (default: the run's assumption)")
	sessions := fs.String("sessions", "", "with --engagement corpus: the corpus whose think times to use (default: the built-in one)")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if *printPrices {
		_, err := e.stdout.Write(pricing.DefaultYAML())
		return err
	}
	dir, err := cli.RunDir(*run, pos)
	if err != nil {
		return err
	}
	if o.Scenarios, err = scenarios(fs, sc, *scenFile); err != nil {
		return err
	}
	if o.Sheet, err = pricing.Load(*prices); err != nil {
		return err
	}
	if w := o.Sheet.Stale(time.Now()); w != "" {
		fmt.Fprintf(e.stderr, "brink whatif: warning: %s\n", w)
	}
	if *level >= 0 {
		o.Level = level
	}
	if sc.EngagementFromCorpus {
		corpus, err := record.LoadCorpus(ctx, *sessions)
		if err != nil {
			return err
		}
		o.CorpusGaps = corpus.RecordedGaps()
	}
	w, err := pricing.ProjectRun(ctx, dir, o)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(w)
	}
	w.WriteText(e.stdout)
	fmt.Fprintf(e.stdout, "\nwrote %s\n", w.Path)
	return nil
}

// scenarios are the scenario of the flags, the scenario file's, or the
// built-in viral set.
func scenarios(fs *flag.FlagSet, sc pricing.Scenario, file string) ([]pricing.Scenario, error) {
	set := cli.Set(fs)
	flagged := false
	for _, n := range whatIfScenarioFlags {
		flagged = flagged || set[n]
	}
	switch {
	case flagged && file != "":
		return nil, cli.Usagef("give scenario flags or --scenarios, not both")
	case file != "":
		return pricing.LoadScenarios(file)
	case set["engagement"] && !sc.EngagementFromCorpus && !(sc.EngagementPerMinute > 0):
		return nil, cli.Usagef("--engagement %v: want questions per active user per minute above 0 (a person asks about 1)", sc.EngagementPerMinute)
	case set["engagement"] && set["engagement-x"]:
		return nil, cli.Usagef("--engagement %v and --engagement-x %v: give one (questions per user per minute, or a multiple of the measured engagement)", pricing.EngagementValue{Scenario: &sc}, sc.Engagement)
	case set["hours-per-day"] && !(sc.HoursPerDay > 0 && sc.HoursPerDay <= 24):
		return nil, cli.Usagef("--hours-per-day %v: want hours in (0, 24]", sc.HoursPerDay)
	case flagged:
		if err := sc.Validate(); err != nil {
			return nil, cli.Usagef("%v", err)
		}
		return []pricing.Scenario{{Name: "measured"}, sc}, nil
	}
	return pricing.ViralSet(), nil
}
