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

	// OnStart is called once the run directory exists, before the first
	// request.
	OnStart func(Started)
	// OnLevel is called after each level's hold was judged and run.json
	// rewritten.
	OnLevel func(replay.LevelReport)
	// Warn receives problems that do not stop the run (run.json could not
	// be rewritten after a level).
	Warn func(error)
}

// Started describes a run that is about to send its first request.
type Started struct {
	RunID, Dir string
	Target     string // credentials redacted
	Clock      brink.Clock
	// Snapshot reads the run's live state; safe to call until Run returns.
	Snapshot func() replay.Snapshot
}

// Result is how a recorded run ended.
type Result struct {
	replay.Result
	RunID, Dir string
}

// Run records one ramp: it creates the run directory, replays the plan
// against the target, and finishes run.json with the run's end. The run
// directory is returned with whatever error ended the run, so that what was
// recorded can be found.
func Run(ctx context.Context, o Options) (*Result, error) {
	clock, err := runClock(ctx, o.Target, o.Scale)
	if err != nil {
		return nil, err
	}
	started := clock.Now()
	w, err := rundir.Create(ctx, rundir.CreateOptions{
		RunsDir: o.RunsDir, Started: started, Target: o.Target,
		Flow: brink.FlowRef{Name: o.Flow.Name, Source: o.Flow.Source, SHA256: o.Flow.SHA256},
		Plan: o.Plan, StopRules: o.Rules, Clock: clock, Seed: o.Seed,
	})
	if err != nil {
		return nil, err
	}
	res := &Result{RunID: w.ID(), Dir: w.Dir()}
	tw, err := parquet.NewTraceWriter(w.Path(rundir.TracesDir), parquet.TraceOptions{RunID: w.ID(), FlushEvery: o.Flush, Prefix: rundir.TraceSegmentPrefix})
	if err != nil {
		return res, err
	}
	r, err := replay.New(replay.Options{Budget: budgetFor(o.Rules),
		Target: o.Target, RunID: w.ID(), Plan: o.Plan, StopRules: o.Rules, Clock: clock, Seed: o.Seed, Abort: o.Abort,
		Flow: o.Flow, Sessions: o.Sessions, Sink: tw, Think: o.Think, MaxRPS: o.MaxRPS, Start: started,
		OnLevel: func(rep replay.LevelReport) {
			if err := w.Level(ctx, rep.Window); err != nil && o.Warn != nil {
				o.Warn(err)
			}
			if o.OnLevel != nil {
				o.OnLevel(rep)
			}
		},
	})
	if err != nil {
		tw.Close()
		w.Finish(ctx, rundir.Ending{Ended: clock.Now(), Status: brink.StatusFailed, Reason: err.Error()})
		return res, &OptionError{err}
	}
	if o.OnStart != nil {
		o.OnStart(Started{RunID: w.ID(), Dir: w.Dir(), Target: brink.RedactURL(o.Target), Clock: clock, Snapshot: r.Snapshot})
	}
	rr, runErr := r.Run(ctx)
	res.Result = rr
	closeErr := tw.Close()
	e := rundir.Ending{Ended: rr.Ended, Status: rr.Status, Reason: rr.StopReason, Levels: rr.Levels}
	if rr.Edge != nil {
		lvl := rr.Edge.Window.Index
		e.EdgeLevel = &lvl
	}
	if closeErr != nil && e.Status != brink.StatusFailed {
		e.Status, e.Reason = brink.StatusFailed, closeErr.Error()
	}
	if err := w.Finish(ctx, e); err != nil {
		return res, err
	}
	if runErr != nil {
		return res, runErr
	}
	if closeErr != nil {
		return res, fmt.Errorf("close traces: %w (segments closed before are kept)", closeErr)
	}
	return res, nil
}

// runClock is the run's scenario clock: the target's when it announces one
// (brink sim), else real time from now, or a compressed clock from now
// when scale is given against a target without one.
func runClock(ctx context.Context, target string, scale float64) (brink.Clock, error) {
	client, err := replay.NewClient(1, replay.ClientOptions{})
	if err != nil {
		return brink.Clock{}, err
	}
	defer client.CloseIdleConnections()
	clock, fromTarget, err := brink.DiscoverClock(ctx, client, target)
	if err != nil {
		return clock, err
	}
	if scale > 0 {
		if fromTarget && scale != clock.Scale {
			return clock, &OptionError{fmt.Errorf("--time-scale %g disagrees with the target's clock (scale %g): leave it out", scale, clock.Scale)}
		}
		clock = brink.Clock{Epoch: time.Now().UTC(), Scale: scale}
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
