package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"brink"
	"brink/collect/parquet"
	"brink/replay"
)

func brinkVersion() string { return brink.Version }
func schemaVersion() int   { return brink.SchemaVersion }

// loadConfig is what brink run (and brink demo) need to start a run.
type loadConfig struct {
	Target   string
	RunsDir  string
	Flow     *replay.Flow
	Sessions replay.SessionSource
	Plan     brink.Plan
	Rules    []brink.StopRule
	Seed     int64
	Scale    float64 // 0: the target's clock, or real time
	Think    *replay.Think
	MaxRPS   float64
	Flush    time.Duration // trace segment interval (wall)
	Quiet    bool
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "--target URL [flags]",
		"Replays chat sessions with closed-model virtual users on a stepped ramp, records every\n"+
			"request under --runs-dir/<run_id>/traces, and stops after the hold of the first level\n"+
			"that breaks a stop rule (exit code 3). The built-in flow logs in once, then runs chat\n"+
			"sessions of 3-6 turns of think -> ask; --flow replaces it (see brink validate).\n"+
			"--plan reads the ramp and stop rules from YAML; flags given explicitly override it.\n"+
			"Against a brink sim it uses the sim's scenario clock.",
		"  brink run --target http://127.0.0.1:8080 --max-users 100 --hold 5m\n"+
			"  brink run --target https://staging.example.com --flow chat.yaml --sessions corpus.jsonl --plan plan.yaml\n"+
			"  brink run --target http://127.0.0.1:8080 --dry-run", stdout)
	def := brink.DefaultPlan()
	cfg := loadConfig{}
	fs.StringVar(&cfg.Target, "target", "", "base URL of the chat API (required)")
	fs.StringVar(&cfg.RunsDir, "runs-dir", "runs", "directory that holds run directories")
	flowFile := fs.String("flow", "", "flow YAML (default: the built-in chat flow)")
	sessions := fs.String("sessions", "", "corpus of recorded sessions: .jsonl, .csv or .parquet (default: built-in)")
	order := fs.String("sessions-order", "sample", "replay the corpus in order, or sample it with --seed")
	planFile := fs.String("plan", "", "plan YAML: ramp and stop rules")
	fs.IntVar(&cfg.Plan.StartUsers, "start-users", def.StartUsers, "users of the first level")
	fs.IntVar(&cfg.Plan.StepUsers, "step-users", def.StepUsers, "users added per level")
	fs.IntVar(&cfg.Plan.MaxUsers, "max-users", def.MaxUsers, "users of the last level")
	ramp := fs.Duration("ramp", def.Ramp.Std(), "time to add a level's users, spread evenly (scenario time)")
	hold := fs.Duration("hold", def.Hold.Std(), "time each level holds its users; level statistics use this window")
	maxErr := fs.Float64("max-error-rate", 0.01, "stop rule: error rate of a level's hold (all steps), 0 disables")
	maxP95 := fs.Duration("max-p95", 5*time.Second, "stop rule: p95 conversation (ask) latency of a level's hold, 0 disables")
	maxThr := fs.Float64("max-throttle-rate", 0, "stop rule: throttled share of a level's hold (all steps), 0 disables")
	maxCost := fs.Float64("max-cost-usd", 0, "stop at once when the tokens received so far, priced by the embedded sheet, cost more than this (USD), 0 disables")
	fs.Int64Var(&cfg.Seed, "seed", 1, "random seed (think times, turns, questions)")
	fs.Float64Var(&cfg.Scale, "time-scale", 0, "wall seconds per scenario second; 0 takes the target's clock (brink sim) or 1")
	fs.Float64Var(&cfg.MaxRPS, "max-rps", 0, "cap on requests per second across all users (scenario time), 0: none")
	fs.DurationVar(&cfg.Flush, "flush-every", 5*time.Second, "close a trace segment at least this often (wall time): a crash loses at most this much")
	dryRun := fs.Bool("dry-run", false, "run one virtual user through one session, print each request, write nothing")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no progress lines")
	asJSON := fs.Bool("json", false, "print the outcome as one JSON object on stdout (run_dir, run_id, status, stop_reason, requests, levels, edge_level)")
	collect := fs.Bool("collect", false, "after the run, collect its CloudWatch metrics into metrics/ (brink collect; against AWS it first waits out the publishing delay)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if cfg.Target == "" {
		return usagef("--target is required (the chat API's base URL, e.g. http://127.0.0.1:8080)")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg.Plan.Model, cfg.Plan.Ramp, cfg.Plan.Hold = "closed", brink.Duration(*ramp), brink.Duration(*hold)
	cfg.Rules = stopRules(*maxErr, *maxP95, *maxThr)
	if *planFile != "" {
		p, rules, err := replay.LoadPlan(*planFile)
		if err != nil {
			return err
		}
		overridePlan(&p, cfg.Plan, set)
		cfg.Plan = p
		if rules != nil && !set["max-error-rate"] && !set["max-p95"] && !set["max-throttle-rate"] {
			cfg.Rules = rules
		}
	}
	if *maxCost > 0 {
		cfg.Rules = append(cfg.Rules, brink.StopRule{Metric: brink.RuleMaxCostUSD, Threshold: *maxCost})
	} else if *maxCost < 0 {
		return usagef("--max-cost-usd %v: want a positive amount of USD", *maxCost)
	}
	if err := cfg.Plan.Validate(); err != nil {
		return usagef("%v", err)
	}
	var err error
	if cfg.Flow, cfg.Sessions, err = loadFlowAndSessions(ctx, *flowFile, *sessions, *order, cfg.Seed); err != nil {
		return err
	}
	if *dryRun {
		return dryRunFlow(ctx, cfg, stdout)
	}
	human := stdout
	if *asJSON {
		human = stderr // stdout carries only the JSON object
	}
	runDir, res, err := startRun(ctx, cfg, human, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(human, "run %s %s: %d requests recorded in %s\n", filepath.Base(runDir), res.Status, res.Requests, runDir)
	if res.StopReason != "" {
		fmt.Fprintf(human, "stop reason: %s\n", res.StopReason)
	}
	if *collect && res.Status != brink.StatusInterrupted {
		cres, err := collectRun(ctx, runDir, collectOptions{TryTarget: true, Quiet: cfg.Quiet}, stderr)
		if err != nil {
			return fmt.Errorf("%w (the run is kept: retry with brink collect --run %s)", err, runDir)
		}
		printCollect(human, runDir, cres)
	}
	fmt.Fprintf(human, "next: brink analyze --run %s\n", runDir)
	if *asJSON {
		out := struct {
			RunDir     string `json:"run_dir"`
			RunID      string `json:"run_id"`
			Status     string `json:"status"`
			StopReason string `json:"stop_reason,omitempty"`
			Requests   int64  `json:"requests"`
			Levels     int    `json:"levels"`
			EdgeLevel  *int   `json:"edge_level"`
		}{RunDir: runDir, RunID: filepath.Base(runDir), Status: res.Status, StopReason: res.StopReason, Requests: res.Requests, Levels: len(res.Levels)}
		if res.Edge != nil {
			lvl := res.Edge.Window.Index
			out.EdgeLevel = &lvl
		}
		if err := json.NewEncoder(stdout).Encode(out); err != nil {
			return err
		}
	}
	if res.Status == brink.StatusStopped {
		return errStopRule
	}
	if res.Status == brink.StatusInterrupted {
		return errors.New("interrupted; the traces recorded so far are kept and can be analysed")
	}
	return nil
}

// overridePlan applies the plan flags the user gave explicitly.
func overridePlan(p *brink.Plan, flags brink.Plan, set map[string]bool) {
	if set["start-users"] {
		p.StartUsers = flags.StartUsers
	}
	if set["step-users"] {
		p.StepUsers = flags.StepUsers
	}
	if set["max-users"] {
		p.MaxUsers = flags.MaxUsers
	}
	if set["ramp"] {
		p.Ramp = flags.Ramp
	}
	if set["hold"] {
		p.Hold = flags.Hold
	}
}

func loadFlowAndSessions(ctx context.Context, flowFile, sessions, order string, seed int64) (*replay.Flow, replay.SessionSource, error) {
	flow := replay.DefaultFlow()
	if flowFile != "" {
		var err error
		if flow, err = replay.LoadFlow(flowFile); err != nil {
			return nil, nil, err
		}
	}
	corpus := replay.DefaultCorpus()
	if sessions != "" {
		var err error
		if strings.HasSuffix(sessions, ".parquet") {
			var rows []brink.CorpusRow
			if rows, err = parquet.ReadCorpusRows(ctx, sessions); err == nil {
				corpus, err = replay.CorpusFromRows(sessions, rows)
			}
		} else {
			corpus, err = replay.LoadCorpus(sessions)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if order != "order" && order != "sample" {
		return nil, nil, usagef("--sessions-order %q: want order or sample", order)
	}
	picker, err := replay.NewPicker(corpus, order, seed)
	if err != nil {
		return nil, nil, err
	}
	return flow, picker, nil
}

// dryRunFlow sends one virtual user through the once steps and one session
// and prints each request; nothing is written.
func dryRunFlow(ctx context.Context, cfg loadConfig, stdout io.Writer) error {
	client, err := replay.NewClient(1, replay.ClientOptions{})
	if err != nil {
		return err
	}
	clock, _, err := replay.DiscoverClock(ctx, client, cfg.Target)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dry run of flow %s against %s (one virtual user, one session, no think time)\n", cfg.Flow.Name, redact(cfg.Target))
	failed := 0
	r, err := replay.New(replay.Options{
		Target: cfg.Target, RunID: "dry-run", Flow: cfg.Flow, Sessions: cfg.Sessions, Clock: clock, Seed: cfg.Seed,
		Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(time.Hour)}, StopRules: []brink.StopRule{},
		Sink: discard{}, OneSession: true,
		Observe: func(ev replay.StepEvent) {
			status := fmt.Sprint(ev.Status)
			if ev.Error != "" {
				status += " " + ev.Error
				failed++
			}
			fmt.Fprintf(stdout, "%-10s %-6s %s -> %s in %.0f ms\n", ev.Step, ev.Method, ev.URL, status, ev.LatencyMS)
			for _, k := range sortedKeys(ev.Extracted) {
				fmt.Fprintf(stdout, "           %s = %s\n", k, ev.Extracted[k])
			}
		},
	})
	if err != nil {
		return usagef("%v", err)
	}
	if _, err := r.Run(ctx); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("dry run: %d request(s) failed", failed)
	}
	return nil
}

type discard struct{}

func (discard) Write(brink.Trace) error { return nil }

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func stopRules(maxErr float64, maxP95 time.Duration, maxThr float64) []brink.StopRule {
	rules := []brink.StopRule{}
	if maxErr > 0 {
		rules = append(rules, brink.StopRule{Metric: brink.RuleErrorRate, Threshold: maxErr})
	}
	if maxThr > 0 {
		rules = append(rules, brink.StopRule{Metric: brink.RuleThrottleRate, Threshold: maxThr})
	}
	if maxP95 > 0 {
		rules = append(rules, brink.StopRule{Metric: brink.RuleLatency, Step: brink.StepAsk, Percentile: 0.95,
			Threshold: float64(maxP95) / float64(time.Millisecond)})
	}
	return rules
}

// redact drops credentials from a URL before it is written anywhere.
func redact(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

func randomSuffix() string {
	var b [3]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// startRun runs one ramp and writes its run directory: run.json (rewritten
// as levels finish) and the trace segments.
func startRun(ctx context.Context, cfg loadConfig, stdout, stderr io.Writer) (string, replay.Result, error) {
	var res replay.Result
	client, err := replay.NewClient(cfg.Plan.MaxUsers, replay.ClientOptions{})
	if err != nil {
		return "", res, err
	}
	clock, fromTarget, err := replay.DiscoverClock(ctx, client, cfg.Target)
	if err != nil {
		return "", res, err
	}
	if cfg.Scale > 0 {
		if fromTarget && cfg.Scale != clock.Scale {
			return "", res, usagef("--time-scale %g disagrees with the target's clock (scale %g): leave it out", cfg.Scale, clock.Scale)
		}
		clock = brink.Clock{Epoch: time.Now().UTC(), Scale: cfg.Scale}
	}
	now := time.Now()
	runID := brink.NewRunID(clock.Scenario(now), randomSuffix())
	runDir := filepath.Join(cfg.RunsDir, runID)
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return "", res, fmt.Errorf("create run directory: %w", err)
	}
	m := &brink.Manifest{
		SchemaVersion: brink.SchemaVersion, Tool: "brink", Version: brink.Version, RunID: runID,
		StartedAt: clock.Scenario(now), Status: brink.StatusRunning, Target: redact(cfg.Target),
		Flow: brink.FlowRef{Name: cfg.Flow.Name, Source: cfg.Flow.Source, SHA256: cfg.Flow.SHA256}, Plan: cfg.Plan, StopRules: cfg.Rules,
		TimeScale: clock.Scale, Epoch: clock.Epoch, Seed: cfg.Seed, PID: os.Getpid(),
		Levels: []brink.LevelWindow{},
	}
	if err := brink.WriteManifest(runDir, m); err != nil {
		return "", res, err
	}
	tw, err := parquet.NewTraceWriter(filepath.Join(runDir, brink.TracesDir), parquet.TraceOptions{RunID: runID, FlushEvery: cfg.Flush})
	if err != nil {
		return "", res, err
	}
	progress := newProgress(stderr, cfg.Quiet)
	var budget replay.Budget
	if b, ok := budgetFor(cfg.Rules); ok {
		budget = b
	}
	r, err := replay.New(replay.Options{Budget: budget,
		Target: cfg.Target, RunID: runID, Plan: cfg.Plan, StopRules: cfg.Rules, Clock: clock, Seed: cfg.Seed,
		Flow: cfg.Flow, Sessions: cfg.Sessions, Sink: tw, Think: cfg.Think, MaxRPS: cfg.MaxRPS, Start: m.StartedAt,
		OnLevel: func(rep replay.LevelReport) {
			m.Levels = append(m.Levels, rep.Window)
			if err := brink.WriteManifest(runDir, m); err != nil {
				fmt.Fprintf(stderr, "brink: %v\n", err)
			}
			progress.level(rep)
		},
	})
	if err != nil {
		tw.Close()
		return "", res, usagef("%v", err)
	}
	fmt.Fprintf(stderr, "brink run %s: %d levels of %d..%d users against %s (time scale %g, plan %v scenario, about %v wall)\n",
		runID, cfg.Plan.Levels(), cfg.Plan.StartUsers, cfg.Plan.UsersAt(cfg.Plan.Levels()-1), m.Target, clock.Scale,
		cfg.Plan.Duration(), clock.WallDuration(cfg.Plan.Duration()).Round(time.Second))
	printCostEstimate(stderr, cfg.Plan)
	stopProgress := progress.start(r)
	aborted := make(chan struct{})
	go func() {
		select {
		case <-abort:
			r.Abort()
		case <-aborted:
		}
	}()
	res, runErr := r.Run(ctx)
	close(aborted)
	stopProgress()
	closeErr := tw.Close()
	end := res.Ended
	m.EndedAt, m.Status, m.StopReason, m.Levels = &end, res.Status, res.StopReason, res.Levels
	if res.Edge != nil {
		lvl := res.Edge.Window.Index
		m.EdgeLevel = &lvl
	}
	if closeErr != nil && m.Status != brink.StatusFailed {
		m.Status, m.StopReason = brink.StatusFailed, closeErr.Error()
	}
	if err := brink.WriteManifest(runDir, m); err != nil {
		return runDir, res, err
	}
	if runErr != nil {
		return runDir, res, runErr
	}
	if closeErr != nil {
		return runDir, res, fmt.Errorf("close traces: %w (segments closed before are kept)", closeErr)
	}
	return runDir, res, nil
}

// progress prints the run's state: a live status line on a terminal, a
// plain line every few seconds otherwise.
type progress struct {
	w     io.Writer
	quiet bool
	tty   bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) start(r *replay.Runner) (stop func()) {
	if p.quiet {
		return func() {}
	}
	every := 5 * time.Second
	if p.tty {
		every = 500 * time.Millisecond
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		var lastReq int64
		last := time.Now()
		for {
			select {
			case <-done:
				if p.tty {
					fmt.Fprint(p.w, "\r\033[K")
				}
				return
			case now := <-t.C:
				s := r.Snapshot()
				rps := float64(s.Requests-lastReq) / now.Sub(last).Seconds()
				lastReq, last = s.Requests, now
				line := fmt.Sprintf("%8s  level %d  %d/%d users  %-6s  %7.1f req/s (wall)  %d requests  %d errors  live %s p50 %.2f s p95 %.2f s (approx.)",
					s.Elapsed.Round(time.Second), s.Level, s.Active, s.Users, s.Phase, rps, s.Requests, s.Errors, s.KeyStep, s.LiveP50MS/1000, s.LiveP95MS/1000)
				if p.tty {
					fmt.Fprintf(p.w, "\r\033[K%s", line)
				} else {
					fmt.Fprintln(p.w, line)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

func (p *progress) level(rep replay.LevelReport) {
	if p.quiet {
		return
	}
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	line := fmt.Sprintf("level %d (%d users) hold done: %d requests, %d errors", rep.Window.Index, rep.Window.Users, rep.Requests, rep.Errors)
	for _, v := range rep.Rules {
		if v.OK {
			line += fmt.Sprintf("; %s: %s", v.Rule, v.Format())
		}
	}
	if rep.Breached != nil {
		line += "  <- stop rule broken: finishing"
	}
	fmt.Fprintln(p.w, line)
}
