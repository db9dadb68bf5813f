package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"brink"
	"brink/analyze"
	"brink/report"
	"brink/sim"
)

// demoPlan crosses the sim's default limits within about ten levels. The
// hold is shortened from the default 5 minutes to 2 so that, at time scale
// 0.02, a level takes 3 s of wall time.
func demoPlan() brink.Plan {
	return brink.Plan{Model: "closed", StartUsers: 10, StepUsers: 10, MaxUsers: 150,
		Ramp: brink.Duration(30 * time.Second), Hold: brink.Duration(2 * time.Minute)}
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[flags]",
		"Runs the whole pipeline against an in-process brink sim on loopback: a stepped ramp\n"+
			"of 10 users +10 per level (30 s ramp, 2 min hold, scenario time) at time scale 0.02,\n"+
			"then analyze and report. Prints where everything went and the headline numbers.\n"+
			"Exits 0 when the pipeline ran, edge of failure found or not.",
		"  brink demo --runs-dir /tmp/brink-runs", stdout)
	runsDir := fs.String("runs-dir", "runs", "directory that holds run directories")
	scale := fs.Float64("time-scale", 0.02, "wall seconds per scenario second (at most 0.05 keeps the generator's overhead small)")
	maxUsers := fs.Int("max-users", demoPlan().MaxUsers, "users of the last level")
	hold := fs.Duration("hold", demoPlan().Hold.Std(), "hold per level (scenario time)")
	seed := fs.Int64("seed", 1, "random seed of the sim and the generator")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg := sim.DefaultConfig()
	cfg.Seed = *seed
	s, err := sim.New(cfg, *scale)
	if err != nil {
		return usagef("%v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start sim: %w", err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	target := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "brink demo: sim on %s (Lambda concurrency %d, model %s, time scale %g)\n",
		target, cfg.Lambda.ConcurrencyLimit, cfg.Bedrock.ModelID, *scale)

	flow, sessions, err := loadFlowAndSessions(ctx, "", "", "sample", *seed)
	if err != nil {
		return err
	}
	plan := demoPlan()
	plan.MaxUsers, plan.Hold = *maxUsers, brink.Duration(*hold)
	if err := plan.Validate(); err != nil {
		return usagef("%v", err)
	}
	runDir, res, err := startRun(ctx, loadConfig{
		Target: target, RunsDir: *runsDir, Plan: plan, Rules: brink.DefaultStopRules(), Seed: *seed,
		Flow: flow, Sessions: sessions, Quiet: *quiet,
	}, stdout, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "run: %s, %d requests -> %s\n", res.Status, res.Requests, runDir)
	if res.StopReason != "" {
		fmt.Fprintf(stdout, "     %s\n", res.StopReason)
	}
	// The sim's CloudWatch-compatible API, through the same code path as AWS.
	cres, err := collectRun(ctx, runDir, collectOptions{Endpoint: target, Quiet: *quiet}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "collect: %d CloudWatch datapoints, %d Logs Insights rows -> %s/metrics\n", len(cres.CloudWatch), len(cres.Logs), runDir)

	ares, err := analyze.Run(ctx, runDir, analyze.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nFindings:\n")
	for _, f := range ares.Summary.Findings {
		fmt.Fprintf(stdout, "  - %s\n", f)
	}
	fmt.Fprintln(stdout)
	for _, row := range report.LevelTableText(ares.Summary) {
		fmt.Fprintf(stdout, "  %s\n", row)
	}
	if err := demoWhatIf(runDir, ares.Summary, stdout); err != nil {
		fmt.Fprintf(stderr, "brink demo: what-if: %v\n", err)
	}
	// After the what-if, so the report draws it (chart 8, findings).
	rres, err := report.Write(runDir, ares.Summary, report.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nWrote:\n  %s (run manifest)\n  %s/ (one row per request)\n  %s\n  %s\n", runDir+"/run.json", runDir+"/traces", ares.LevelsPath, ares.SummaryPath)
	for _, f := range rres.Files {
		fmt.Fprintf(stdout, "  %s\n", f)
	}
	return nil
}
