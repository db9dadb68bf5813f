package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"brink"
	"brink/collect"
	"brink/internal/cli"
	"brink/internal/live"
	"brink/pricing"
	"brink/record"
	"brink/replay"
	"brink/rundir"
)

// runFlags are brink run's flags beyond the record options they fill.
type runFlags struct {
	o                                           record.Options
	flow, sessions, order, planFile, cpuProfile string
	sf                                          *shardFlags
	ramp, hold, maxP95                          time.Duration
	maxErr, maxThr, maxCost                     float64
	dryRun, quiet, asJSON, collect              bool
	set                                         map[string]bool
}

func newRunFlags(e env) (*flag.FlagSet, *runFlags) {
	fs := cli.NewFlags("run", "--target URL [flags]",
		"Replays chat sessions with closed-model virtual users on a stepped ramp, records every\n"+
			"request under --runs-dir/<run_id>/traces, and stops after the hold of the first level\n"+
			"that breaks a stop rule (exit code 3). The built-in flow logs in once, then runs chat\n"+
			"sessions of 3-6 turns of think -> ask; --flow replaces it (see brink validate).\n"+
			"--plan reads the ramp and stop rules from YAML; flags given explicitly override it.\n"+
			"Against a brink sim it uses the sim's scenario clock.",
		"  brink run --target http://127.0.0.1:8080 --max-users 100 --hold 5m\n"+
			"  brink run --target https://staging.example.com --flow chat.yaml --sessions corpus.jsonl --plan plan.yaml\n"+
			"  brink run --target http://127.0.0.1:8080 --dry-run", e.stdout)
	def := brink.DefaultPlan()
	f := &runFlags{}
	fs.StringVar(&f.o.Target, "target", "", "base URL of the chat API (required)")
	fs.StringVar(&f.o.RunsDir, "runs-dir", rundir.DefaultRunsDir, "directory that holds run directories, or s3://bucket/prefix")
	f.sf = addShardFlags(fs)
	fs.StringVar(&f.flow, "flow", "", "flow YAML (default: the built-in chat flow)")
	fs.StringVar(&f.sessions, "sessions", "", "corpus of recorded sessions: .jsonl, .csv or .parquet (default: built-in)")
	fs.StringVar(&f.order, "sessions-order", "sample", "replay the corpus in order, or sample it with --seed")
	fs.StringVar(&f.planFile, "plan", "", "plan YAML: ramp and stop rules")
	fs.IntVar(&f.o.Plan.StartUsers, "start-users", def.StartUsers, "users of the first level")
	fs.IntVar(&f.o.Plan.StepUsers, "step-users", def.StepUsers, "users added per level")
	fs.IntVar(&f.o.Plan.MaxUsers, "max-users", def.MaxUsers, "users of the last level")
	fs.DurationVar(&f.ramp, "ramp", def.Ramp.Std(), "time to add a level's users, spread evenly (scenario time)")
	fs.DurationVar(&f.hold, "hold", def.Hold.Std(), "time each level holds its users; level statistics use this window")
	fs.Float64Var(&f.maxErr, "max-error-rate", 0.01, "stop rule: error rate of a level's hold (all steps), 0 disables")
	fs.DurationVar(&f.maxP95, "max-p95", 5*time.Second, "stop rule: p95 conversation (ask) latency of a level's hold, 0 disables")
	fs.Float64Var(&f.maxThr, "max-throttle-rate", 0, "stop rule: throttled share of a level's hold (all steps), 0 disables")
	fs.Float64Var(&f.maxCost, "max-cost-usd", 0, "stop at once when the tokens received so far, priced by the embedded sheet, cost more than this (USD), 0 disables")
	fs.Int64Var(&f.o.Seed, "seed", 1, "random seed (think times, turns, questions)")
	fs.Float64Var(&f.o.Scale, "time-scale", 0, "wall seconds per scenario second; 0 takes the target's clock (brink sim) or 1")
	fs.Float64Var(&f.o.MaxRPS, "max-rps", 0, "cap on requests per second across all users (scenario time), 0: none")
	fs.DurationVar(&f.o.Flush, "flush-every", 5*time.Second, "close a trace segment at least this often (wall time): a crash loses at most this much")
	fs.BoolVar(&f.dryRun, "dry-run", false, "run one virtual user through one session, print each request, write nothing")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	fs.BoolVar(&f.asJSON, "json", false, "print the outcome as one JSON object on stdout (run_dir, run_id, status, stop_reason, requests, levels, edge_level)")
	fs.BoolVar(&f.o.StrictMeasurement, "strict-measurement", false, "hold a level once more when the generator judged its hold suspect, before believing its stop rules (closed model, not with --shard)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the run to this file (for work on brink's speed)")
	fs.BoolVar(&f.collect, "collect", false, "after the run, collect its CloudWatch metrics into metrics/ (brink collect; against AWS it first waits out the publishing delay)")
	return fs, f
}

func runRun(ctx context.Context, e env, args []string) error {
	fs, f := newRunFlags(e)
	if _, err := cli.Parse(fs, args); err != nil {
		return err
	}
	f.set = cli.Set(fs)
	if err := f.options(ctx); err != nil {
		return err
	}
	if f.dryRun {
		return dryRun(ctx, f.o, e.stdout)
	}
	human := e.human(f.asJSON)
	f.o.Abort = e.abort
	stop, err := startGenerator(ctx, f.cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	res, err := recordRun(ctx, f.o, e.stderr, f.quiet)
	if err != nil {
		return err
	}
	fmt.Fprintf(human, "run %s %s: %d requests recorded in %s\n", res.RunID, res.Status, res.Requests, res.Dir)
	if res.StopReason != "" {
		fmt.Fprintf(human, "stop reason: %s\n", res.StopReason)
	}
	if f.collect && res.Status != brink.StatusInterrupted {
		cres, err := collect.Run(ctx, res.Dir, collectOptions(collect.Options{TryTarget: true}, e.stderr, f.quiet))
		if err != nil {
			return fmt.Errorf("%w (the run is kept: retry with brink collect --run %s)", err, res.Dir)
		}
		cres.WriteText(human)
	}
	fmt.Fprintf(human, "next: brink analyze --run %s\n", res.Dir)
	if f.asJSON {
		if err := json.NewEncoder(e.stdout).Encode(res.Outcome()); err != nil {
			return err
		}
	}
	switch res.Status {
	case brink.StatusStopped:
		return errStopRule
	case brink.StatusInterrupted:
		return errInterrupted
	}
	return nil
}

// options turns the flags (over --plan, when given) into the record options.
func (f *runFlags) options(ctx context.Context) error {
	if f.o.Target == "" {
		return cli.Usagef("--target is required (the chat API's base URL, e.g. http://127.0.0.1:8080)")
	}
	if err := f.shardOptions(); err != nil {
		return err
	}
	f.o.Plan.Model, f.o.Plan.Ramp, f.o.Plan.Hold = "closed", brink.Duration(f.ramp), brink.Duration(f.hold)
	f.o.Rules = brink.StopRulesFor(f.maxErr, f.maxP95, f.maxThr)
	plan, rules, err := planOf(f.planFile, f.o.Plan, f.set)
	if err != nil {
		return err
	}
	f.o.Plan = plan
	if rules != nil && !f.set["max-error-rate"] && !f.set["max-p95"] && !f.set["max-throttle-rate"] {
		f.o.Rules = rules
	}
	switch {
	case f.maxCost > 0:
		f.o.Rules = append(f.o.Rules, brink.StopRule{Metric: brink.RuleMaxCostUSD, Threshold: f.maxCost})
	case f.maxCost < 0:
		return cli.Usagef("--max-cost-usd %v: want a positive amount of USD", f.maxCost)
	}
	in := record.Inputs{Flow: f.flow, Sessions: f.sessions, Order: f.order, Seed: f.o.Seed}
	if f.o.CorpusHash, err = in.CorpusHash(); err != nil {
		return err
	}
	f.o.Flow, f.o.Sessions, err = in.Load(ctx)
	return err
}

// shardOptions reads --shard, --start-at and --run-id.
func (f *runFlags) shardOptions() error {
	var err error
	if f.o.Shard, f.o.StartAt, err = f.sf.parse(); err != nil {
		return err
	}
	f.o.RunID = f.sf.runID
	if f.o.Shard.Sharded() && f.dryRun {
		return cli.Usagef("--dry-run sends one user: it is not sharded")
	}
	return record.CheckShardOptions(f.o)
}

// recordRun records a run, showing its start, a cost estimate, live
// progress and each level's verdict on stderr (brink run, brink demo).
func recordRun(ctx context.Context, o record.Options, stderr io.Writer, quiet bool) (*record.Result, error) {
	progress := live.New(stderr, quiet)
	stop := func() {}
	o.OnStart = func(s record.Started) {
		p := o.Plan
		fmt.Fprintf(stderr, "brink run %s: %s of %d..%d users against %s (time scale %g, plan %v scenario, about %v wall)\n",
			s.RunID, brink.Plural(p.Levels(), "level"), p.StartUsers, p.UsersAt(p.Levels()-1), s.Target, s.Clock.Scale, o.Plan.Duration(), s.Clock.WallDuration(o.Plan.Duration()).Round(time.Second))
		fmt.Fprintf(stderr, "brink run: %s\n", pricing.DescribePlanEstimate(o.Plan))
		stop = progress.Start(s.Snapshot)
	}
	o.OnLevel, o.OnSelf = progress.Level, progress.Self
	o.Warn = func(err error) { fmt.Fprintf(stderr, "brink: %v\n", err) }
	res, err := record.Run(ctx, o)
	stop()
	return res, err
}

// planOf is the plan of file (if any) with the plan flags given explicitly
// over it, checked; rules are the file's stop rules (nil: it has none).
func planOf(file string, flags brink.Plan, set map[string]bool) (brink.Plan, []brink.StopRule, error) {
	p, rules := flags, []brink.StopRule(nil)
	if file != "" {
		var err error
		if p, rules, err = replay.LoadPlan(file); err != nil {
			return p, nil, err
		}
		replay.OverridePlan(&p, flags, set)
	}
	if err := p.Validate(); err != nil {
		return p, nil, cli.Usagef("%v", err)
	}
	return p, rules, nil
}
