package main

import (
	"context"
	"fmt"
	"time"

	"brink"
	"brink/analyze"
	"brink/collect"
	"brink/internal/cli"
	"brink/pricing"
	"brink/record"
	"brink/report"
	"brink/rundir"
	"brink/sim"
)

// demoPlan crosses the sim's default limits within about ten levels. The
// hold is 4 minutes so that, wherever a level starts, it holds three whole
// 1-minute periods of the platform's metrics; at time scale 0.02 a level
// takes 5.4 s of wall time.
func demoPlan() brink.Plan {
	return brink.Plan{Model: "closed", StartUsers: 10, StepUsers: 10, MaxUsers: 150,
		Ramp: brink.Duration(30 * time.Second), Hold: brink.Duration(4 * time.Minute)}
}

func runDemo(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("demo", "[flags]",
		"Runs the whole pipeline against an in-process brink sim on loopback: a stepped ramp\n"+
			"of 10 users +10 per level (30 s ramp, 4 min hold, scenario time) at time scale 0.02,\n"+
			"then analyze and report. Prints where everything went and the headline numbers.\n"+
			"Exits 0 when the pipeline ran, edge of failure found or not.",
		"  brink demo --runs-dir /tmp/brink-runs", e.stdout)
	runsDir := fs.String("runs-dir", rundir.DefaultRunsDir, "directory that holds run directories")
	scale := fs.Float64("time-scale", 0.02, "wall seconds per scenario second (at most 0.05 keeps the generator's overhead small)")
	maxUsers := fs.Int("max-users", demoPlan().MaxUsers, "users of the last level")
	hold := fs.Duration("hold", demoPlan().Hold.Std(), "hold per level (scenario time)")
	seed := fs.Int64("seed", 1, "random seed of the sim and the generator")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if _, err := cli.Parse(fs, args); err != nil {
		return err
	}
	plan := demoPlan()
	plan.MaxUsers, plan.Hold = *maxUsers, brink.Duration(*hold)
	if err := plan.Validate(); err != nil {
		return cli.Usagef("%v", err)
	}
	target, stop, err := startDemoSim(*seed, *scale, e)
	if err != nil {
		return err
	}
	defer stop()
	flow, sessions, err := record.Inputs{Seed: *seed}.Load(ctx)
	if err != nil {
		return err
	}
	res, err := recordRun(ctx, record.Options{Target: target, RunsDir: *runsDir, Plan: plan, Rules: brink.DefaultStopRules(),
		Seed: *seed, Flow: flow, Sessions: sessions, Abort: e.abort}, e.stderr, *quiet)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "run: %s, %d requests -> %s\n", res.Status, res.Requests, res.Dir)
	if res.StopReason != "" {
		fmt.Fprintf(e.stdout, "     %s\n", res.StopReason)
	}
	return demoAfterRun(ctx, e, res.Dir, target, *quiet)
}

// startDemoSim serves a sim with the default config on a loopback port.
func startDemoSim(seed int64, scale float64, e env) (target string, stop func(), err error) {
	cfg := sim.DefaultConfig()
	cfg.Seed = seed
	s, err := sim.New(cfg, scale)
	if err != nil {
		return "", nil, cli.Usagef("%v", err)
	}
	srv, err := s.Listen("127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start sim: %w", err)
	}
	fmt.Fprintf(e.stdout, "brink demo: sim on %s (Lambda concurrency %d, model %s, time scale %g)\n",
		srv.URL, cfg.Lambda.ConcurrencyLimit, cfg.Bedrock.ModelID, scale)
	return srv.URL, func() { srv.Close() }, nil
}

// demoAfterRun collects, analyses, projects and reports the demo's run,
// printing the headline of each.
func demoAfterRun(ctx context.Context, e env, runDir, target string, quiet bool) error {
	run, err := rundir.Open(ctx, runDir)
	if err != nil {
		return err
	}
	// The sim's CloudWatch-compatible API, through the same code path as AWS.
	cres, err := collect.Run(ctx, runDir, collectOptions(collect.Options{Endpoint: target}, e.stderr, quiet))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "collect: %d CloudWatch datapoints, %d Logs Insights rows -> %s\n", len(cres.CloudWatch), len(cres.Logs), run.Location(rundir.MetricsDir))
	ares, err := analyze.Run(ctx, runDir, analyze.Options{})
	if err != nil {
		return err
	}
	w, err := pricing.ProjectRun(ctx, runDir, pricing.WhatIfOptions{})
	if err != nil {
		fmt.Fprintf(e.stderr, "brink demo: what-if: %v\n", err)
	}
	// The findings the PDF leads with, first limit and what-if included.
	fmt.Fprintf(e.stdout, "\nFindings:\n")
	report.WriteFindings(e.stdout, ares.Summary, w, "  ")
	if w != nil {
		fmt.Fprintf(e.stdout, "\nWhat if it goes viral (brink whatif):\n")
		w.WriteText(e.stdout)
	}
	// After the what-if, so the report draws it (chart 8, findings).
	rres, err := report.WriteRun(ctx, runDir, report.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nWrote:\n  %s (run manifest)\n  %s/ (one row per request)\n  %s\n  %s\n",
		run.Location(rundir.ManifestFile), run.Location(rundir.TracesDir), ares.LevelsPath, ares.SummaryPath)
	for _, f := range rres.Files {
		fmt.Fprintf(e.stdout, "  %s\n", f)
	}
	return nil
}
