package record

import (
	"context"
	"fmt"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/pricing"
	"brink/replay"
	"brink/rundir"
)

// Options configure a recorded ramp. Zero values take the defaults.
type Options struct {
	Target   string // base URL of the chat API (required)
	RunsDir  string // default rundir.DefaultRunsDir
	Flow     *replay.Flow
	Sessions replay.SessionSource
	Plan     brink.Plan
	Rules    []brink.StopRule
	Seed     int64
	// Scale is the time scale; 0 takes the target's clock (brink sim) or
	// real time. Against a sim it must match the sim's.
	Scale  float64
	Think  *replay.Think // overrides every think time of the flow
	MaxRPS float64
	Flush  time.Duration // close a trace segment at least this often (wall); default 5 s
	// Abort, when closed, cancels the requests in flight at once (a second
	// Ctrl-C); they are recorded as canceled and the segments still close.
	Abort <-chan struct{}

	// RunID names the run; default: made from its start. The shards of a
	// run share one.
	RunID string
	// StartAt is when the ramp starts (wall clock); zero: now. The shards
	// of a run share it, and one that starts later than StartAt + Grace
	// (default 10 s) refuses.
	StartAt time.Time
	Grace   time.Duration
	// Shard is the stripe of the plan this generator runs (Count > 1: a
	// sharded run); it looks for other shards' stop decisions every
	// PeerPoll (default 2 s, wall).
	Shard    replay.Shard
	PeerPoll time.Duration
	// CorpusHash identifies the sessions corpus, which every shard must share.
	CorpusHash string

	// OnStart is called once the run directory exists, before the first
	// request.
	OnStart func(Started)
	// OnLevel is called after each level's hold was judged and run.json
	// rewritten.
	OnLevel func(replay.LevelReport)
	// Warn receives problems that do not stop the run (run.json could not
	// be rewritten after a level).
	Warn func(error)
	// OnSelf receives each second's self-measurement of the generator.
	OnSelf func(brink.SelfSample)
	// BeforeSend is replay.Options.BeforeSend (tests stall the generator).
	BeforeSend func(scheduled time.Time)
	// StrictMeasurement holds a level once more when the generator's
	// self-measurement judges its hold suspect, before its stop rules are
	// believed (brink run --strict-measurement; not with shards).
	StrictMeasurement bool
}

// Started describes a run that is about to send its first request.
type Started struct {
	RunID, Dir string
	Target     string // credentials redacted
	Method     string // the attack's method (Attack only)
	Clock      brink.Clock
	// Snapshot reads the run's live state; safe to call until Run returns.
	Snapshot func() replay.Snapshot
}

// Result is how a recorded run ended.
type Result struct {
	replay.Result
	RunID, Dir string
}

// Outcome is brink run --json's answer: how the run ended, in one object.
type Outcome struct {
	RunDir     string  `json:"run_dir"`
	RunID      string  `json:"run_id"`
	Status     string  `json:"status"`
	StopReason *string `json:"stop_reason"` // null when none
	Requests   int64   `json:"requests"`
	Levels     int     `json:"levels"`
	EdgeLevel  *int    `json:"edge_level"` // the level whose hold broke a stop rule
}

// Outcome is the run's ending as brink run --json prints it.
func (r *Result) Outcome() Outcome {
	out := Outcome{RunDir: r.Dir, RunID: r.RunID, Status: r.Status, Requests: r.Requests, Levels: len(r.Levels)}
	if r.StopReason != "" {
		reason := r.StopReason
		out.StopReason = &reason
	}
	if r.Edge != nil {
		lvl := r.Edge.Window.Index
		out.EdgeLevel = &lvl
	}
	return out
}

// Run records one ramp: it creates the run directory, replays the plan
// against the target, and finishes run.json with the run's end. The run
// directory is returned with whatever error ended the run, so that what was
// recorded can be found.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := checkStart(o); err != nil {
		return nil, err
	}
	// The one place secrets are masked: everything that leaves the
	// recorder (errors, run.json's reason, warnings) passes through it.
	secrets := &brink.Secrets{}
	secrets.AddURL(o.Target)
	warn := func(err error) {
		if err != nil && o.Warn != nil {
			o.Warn(secrets.Err(err))
		}
	}
	clock, err := runClock(ctx, o.Target, o.Scale, o.StartAt)
	if err != nil {
		return nil, secrets.Err(err)
	}
	// Everything that can be checked is checked before the run directory
	// exists: a usage error leaves nothing behind.
	if err := replay.CheckOptions(replay.Options{Target: o.Target, Plan: o.Plan, StopRules: o.Rules, Clock: clock, Seed: o.Seed,
		Flow: o.Flow, Sessions: o.Sessions, Think: o.Think, MaxRPS: o.MaxRPS, Secrets: secrets}); err != nil {
		return nil, &OptionError{secrets.Err(err)}
	}
	started := clock.Now()
	if !o.StartAt.IsZero() {
		started = clock.Scenario(o.StartAt)
	}
	w, err := rundir.Create(ctx, rundir.CreateOptions{
		RunsDir: o.RunsDir, RunID: o.RunID, Started: started, Target: o.Target,
		Flow: brink.FlowRef{Name: o.Flow.Name, Source: o.Flow.Source, SHA256: o.Flow.SHA256},
		Plan: o.Plan, StopRules: o.Rules, Clock: clock, Seed: o.Seed,
		Shard: o.Shard.Index, Shards: o.Shard.Count, StartAt: o.StartAt, Hashes: hashes(o),
	})
	if err != nil {
		return nil, err
	}
	// What is recorded is stored even after ctx ends (Ctrl-C): the last
	// segments and manifests still reach the store.
	sctx := context.WithoutCancel(ctx)
	res := &Result{RunID: w.ID(), Dir: w.Dir()}
	// A run that fails before its first request leaves nothing behind.
	discard := func(err error) (*Result, error) {
		if derr := w.Discard(sctx); derr != nil {
			warn(derr)
			return res, secrets.Err(err)
		}
		return &Result{RunID: w.ID()}, secrets.Err(err)
	}
	tw, err := parquet.NewTraceWriter(w.Path(w.TracesDir()), parquet.TraceOptions{RunID: w.ID(), FlushEvery: o.Flush,
		Stored: func(path string, rows int64) error { return w.Segment(sctx, path, rows) }})
	if err != nil {
		return discard(err)
	}
	var meter *selfMeter // measures from the run's start: RepeatHold reads it
	r, err := replay.New(replay.Options{Budget: budgetFor(o.Rules), RepeatHold: repeatSuspect(o, &meter, clock.Scale, warn),
		Target: o.Target, RunID: w.ID(), Plan: o.Plan, StopRules: o.Rules, Clock: clock, Seed: o.Seed, Abort: o.Abort,
		Flow: o.Flow, Sessions: o.Sessions, Sink: tw, Think: o.Think, MaxRPS: o.MaxRPS, Start: started,
		Shard: o.Shard, PeerStop: peerStop(sctx, w, o.Shard), PeerPoll: o.PeerPoll, BeforeSend: o.BeforeSend, Secrets: secrets,
		OnRepeat: func(lw brink.LevelWindow) { warn(w.Repeating(sctx, lw)) },
		OnLevel: func(rep replay.LevelReport) {
			warn(w.Level(sctx, rep.Window))
			warn(decide(sctx, w, o.Shard, rep))
			if o.OnLevel != nil {
				o.OnLevel(rep)
			}
		},
	})
	if err != nil {
		tw.Close()
		res, err := discard(err) // a kept run (its removal failed) keeps its Dir
		return res, &OptionError{err}
	}
	if o.OnStart != nil {
		o.OnStart(Started{RunID: w.ID(), Dir: w.Dir(), Target: brink.RedactURL(o.Target), Clock: clock, Snapshot: r.Snapshot})
	}
	meter, stopMeter, err := measureSelf(w, clock, r.Load, o.OnSelf)
	if err != nil {
		tw.Close()
		return discard(err)
	}
	rr, runErr := r.Run(ctx)
	warn(stopMeter(sctx)) // the run's numbers stand without it; its verdict reads unknown
	if runErr != nil && rr.Requests == 0 {
		tw.Close()
		return discard(runErr)
	}
	res.Result = rr
	closeErr := tw.Close()
	e := rundir.Ending{Ended: rr.Ended, Status: rr.Status, Reason: rr.StopReason, Levels: rr.Levels}
	if rr.Edge != nil {
		lvl := rr.Edge.Window.Index
		e.EdgeLevel = &lvl
		th := brink.DefaultThresholds()
		if o.Plan.Measurement != nil {
			th = o.Plan.Measurement.WithDefaults()
		}
		if why := meter.suspect(rr.Edge.Window, th, clock.Scale); why != "" {
			// A number brink cannot vouch for is not told without its mark.
			e.Reason += "; the level may be suspect: " + why + " (judged live; brink analyze gives the verdict)"
			res.StopReason = e.Reason
		}
	}
	if closeErr != nil && e.Status != brink.StatusFailed {
		e.Status, e.Reason = brink.StatusFailed, closeErr.Error()
	}
	res.StopReason = secrets.Redact(res.StopReason)
	return res, finish(sctx, w, e, secrets, runErr, closeErr)
}

// finish writes the run's end into run.json and returns what ended the run
// badly: the runner's error, else the trace writer's. Both, and the
// ending's reason, leave with every secret masked.
func finish(ctx context.Context, w *rundir.Writer, e rundir.Ending, secrets *brink.Secrets, runErr, closeErr error) error {
	e.Reason = secrets.Redact(e.Reason)
	if err := w.Finish(ctx, e); err != nil {
		return secrets.Err(err)
	}
	if runErr != nil {
		return secrets.Err(runErr)
	}
	if closeErr != nil {
		return secrets.Err(fmt.Errorf("close traces: %w (segments closed before are kept)", closeErr))
	}
	return nil
}

// runClock is the run's scenario clock: the target's when it announces one
// (brink sim), else real time from now, or a compressed clock from now
// when scale is given against a target without one.
func runClock(ctx context.Context, target string, scale float64, epoch time.Time) (brink.Clock, error) {
	client, err := replay.NewClient(1, replay.ClientOptions{})
	if err != nil {
		return brink.Clock{}, err
	}
	defer client.CloseIdleConnections()
	clock, fromTarget, err := brink.DiscoverClock(ctx, client, target)
	if err != nil {
		return clock, err
	}
	switch {
	case fromTarget && scale > 0 && scale != clock.Scale:
		return clock, &OptionError{fmt.Errorf("--time-scale %g disagrees with the target's clock (scale %g): leave it out", scale, clock.Scale)}
	case fromTarget:
		return clock, nil // a matching --time-scale keeps the target's epoch
	case !epoch.IsZero():
		if scale <= 0 {
			scale = 1
		}
		return brink.Clock{Epoch: epoch.UTC(), Scale: scale}, nil // the shards' shared start
	case scale > 0:
		return brink.Clock{Epoch: time.Now().UTC(), Scale: scale}, nil
	}
	return clock, nil
}

// costBudget is the max_cost_usd guard: a pricing.Meter over the tokens the
// run receives, judged against the rule's limit as each trace arrives.
type costBudget struct {
	meter *pricing.Meter
	rule  brink.StopRule
}

func (b costBudget) Observe(t brink.Trace) (float64, bool) {
	b.meter.Observe(t)
	v, over, _ := b.meter.Check(b.rule)
	return v, over
}

// budgetFor returns the guard for the run's max_cost_usd rule, if it has one.
func budgetFor(rules []brink.StopRule) replay.Budget {
	for _, r := range rules {
		if r.Metric == brink.RuleMaxCostUSD {
			return costBudget{meter: pricing.NewMeter(pricing.Default(), pricing.DefaultUsage().DefaultModel), rule: r}
		}
	}
	return nil
}
