package replay

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"brink"
)

// LevelReport is the live verdict on one level's hold window.
type LevelReport struct {
	Window    brink.LevelWindow
	Requests  int64 // all steps, started in the hold
	Errors    int64
	Throttled int64
	Rules     []RuleValue
	Breached  *RuleValue // the first rule broken, nil if none
}

// Result is how a run ended.
type Result struct {
	Status     string // brink.StatusCompleted, StatusStopped or StatusInterrupted
	StopReason string
	Started    time.Time // scenario time
	Ended      time.Time
	Levels     []brink.LevelWindow // the levels that began, the last cut at the stop
	Requests   int64
	Edge       *LevelReport // the level that broke a stop rule
}

// Snapshot is the run's live state, for a status line.
type Snapshot struct {
	Elapsed   time.Duration // scenario time since the start
	Level     int
	Users     int // target users of the level
	Active    int // virtual users running
	Phase     string
	Requests  int64
	Errors    int64
	KeyStep   string
	LiveP50MS float64 // approximate (HDR) p50 of the key step in the current level, 0 before any
	LiveP95MS float64
}

// Runner runs one ramp. Create it with New, then call Run once.
type Runner struct {
	opts   Options
	base   string
	host   string // the only host requests may go to
	flow   *Flow
	picker SessionSource
	users  []map[string]string
	client *http.Client
	// rt is the transport of the client NewClient made, which follows no
	// redirect and has no cookie jar or timeout of its own: a request is
	// sent on it directly, as Client.Do would, without copying its headers
	// for redirects that never happen (1-2% of the generator's core).
	rt           http.RoundTripper
	defaultThink *Think
	live         *live
	start        time.Time
	timeline     atomic.Pointer[[]brink.LevelWindow] // levels(); swapped whole when a hold is repeated (repeat.go)
	windows      []*window

	// Repeated holds (Options.RepeatHold): the plan's timeline, which
	// levels were repeated, the repeats' tallies, and per level a gate the
	// next level's ramp waits at (nil without RepeatHold).
	planned  []brink.LevelWindow
	repeated []bool
	repeats  []*window
	gates    []chan struct{}

	stopCh     chan struct{}
	stopOnce   sync.Once
	hardCtx    context.Context
	hardCancel context.CancelFunc
	wg         sync.WaitGroup

	requests, errors atomic.Int64
	inflight         atomic.Int64
	lagMaxUS         atomic.Int64 // largest start − scheduled since Load read it, scenario µs
	activeUsers      atomic.Int64
	limiter          *rate.Limiter // --max-rps; nil: no cap
	began            atomic.Bool   // timeline and windows are set
	sinkErr          atomic.Pointer[error]
	spent            atomic.Pointer[float64] // set when the budget ran out
	wake             wakeHeap                // the users that think
}

// Secrets are the values the run must never print: redact what leaves it.
func (r *Runner) Secrets() *brink.Secrets { return r.opts.Secrets }

// CheckOptions checks the options as New does, without a sink: a caller runs it
// before it creates anything a failed start would leave behind.
func CheckOptions(opts Options) error {
	if opts.Sink == nil {
		opts.Sink = Discard{}
	}
	if err := opts.setDefaults(); err != nil {
		return err
	}
	_, err := loadUsers(opts.Flow, opts.Plan.MaxUsers)
	return err
}

// Discard is a Sink that keeps nothing (checks, dry runs).
type Discard struct{}

func (Discard) Write(brink.Trace) error { return nil }

// New checks the options and prepares a run.
func New(opts Options) (*Runner, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(opts.Target)
	r := &Runner{opts: opts, base: strings.TrimRight(opts.Target, "/"), host: u.Host, flow: opts.Flow,
		picker: opts.Sessions, client: opts.Client, defaultThink: DefaultThink(), live: newLive(opts.KeyStep),
		stopCh: make(chan struct{}), wake: wakeHeap{kick: make(chan struct{}, 1)}}
	if opts.MaxRPS > 0 {
		// The cap is in scenario requests per second; the limiter runs on the wall clock.
		wall := opts.MaxRPS / opts.Clock.Scale
		r.limiter = rate.NewLimiter(rate.Limit(wall), max(1, int(wall/10)))
	}
	if opts.Think != nil {
		// An override replaces every think time of the flow.
		f := *opts.Flow
		f.Think = opts.Think
		f.Steps = append([]Step(nil), f.Steps...)
		for i := range f.Steps {
			if f.Steps[i].Think != nil {
				f.Steps[i].Think = opts.Think
			}
		}
		r.flow = &f
		r.defaultThink = opts.Think
	}
	var err error
	if r.users, err = loadUsers(r.flow, opts.Plan.MaxUsers); err != nil {
		return nil, err
	}
	conns := opts.Plan.MaxUsers
	// As many users run at once as the pool has connections: more would
	// only queue for one, each with a goroutine and a request built.
	r.wake.limit = int64(min(conns+16, MaxConnsPerHost))
	if opts.Plan.Open() {
		conns = 1024           // sessions come and go; keep a pool, not one per session
		r.wake.limit = 1 << 62 // sessions have their own cap (max_sessions)
	}
	if r.client == nil {
		if r.client, err = NewClient(conns, ClientOptions{CABundle: r.flowPath(r.flow.CABundle), Proxy: r.flow.Proxy}); err != nil {
			return nil, err
		}
		r.rt = r.client.Transport
	}
	return r, nil
}

func (r *Runner) flowPath(p string) string {
	if p == "" || filepath.IsAbs(p) || r.flow.dir == "" {
		return p
	}
	return filepath.Join(r.flow.dir, p)
}

// allowedHost: requests go only to the host the user named.
func (r *Runner) allowedHost(h string) bool { return strings.EqualFold(h, r.host) }

func (r *Runner) stopping() bool {
	select {
	case <-r.stopCh:
		return true
	default:
		return false
	}
}

func (r *Runner) stop() { r.stopOnce.Do(func() { close(r.stopCh) }) }

// overBudget ends the run because the max_cost_usd guard tripped.
func (r *Runner) overBudget(spent float64) {
	if r.spent.CompareAndSwap(nil, &spent) {
		r.stop()
	}
}

func (r *Runner) fail(err error) {
	if r.sinkErr.CompareAndSwap(nil, &err) {
		r.stop()
	}
}

// levelAt says which level and phase a request starting at t belongs to.
// After the last hold (while the run stops) requests are tagged as the last
// level's ramp so they never count in a hold window.
func (r *Runner) levelAt(t time.Time) (int, string) {
	per := r.opts.Plan.Ramp.Std() + r.opts.Plan.Hold.Std()
	tl := r.levels()
	last := len(tl) - 1
	i := int(t.Sub(r.start) / per)
	switch {
	case i < 0:
		return 0, brink.PhaseRamp
	case i > last && !t.Before(tl[last].End):
		return last, brink.PhaseRamp
	case i > last:
		i = last // in a repeated last hold
	}
	// A repeated hold moves the later levels later, never earlier: step
	// back from the plan's level to the one that holds t.
	for i > 0 && t.Before(tl[i].RampStart) {
		i--
	}
	switch {
	case !t.Before(tl[i].SteadyStart):
		return i, brink.PhaseSteady
	default:
		return i, brink.PhaseRamp
	}
}

// sleepUntil waits until the scenario instant t; false if the run stops
// or ctx ends first.
func (r *Runner) sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(r.opts.Clock.Wall(t))
	if d <= 0 {
		return !r.stopping() && ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-r.stopCh:
		return false
	case <-ctx.Done():
		return false
	}
}

// Run ramps users up level by level until the plan ends, a stop rule breaks
// or ctx is cancelled (status interrupted). Requests in flight when it stops
// get a bounded grace (the request timeout) before they are cancelled.
func (r *Runner) Run(ctx context.Context) (Result, error) {
	r.start = r.opts.Clock.Now()
	if !r.opts.Start.IsZero() {
		r.start = r.opts.Start
	}
	r.planned = r.opts.Plan.Timeline(r.start)
	tl := append([]brink.LevelWindow(nil), r.planned...)
	r.timeline.Store(&tl)
	r.windows = make([]*window, len(tl))
	for i := range r.windows {
		r.windows[i] = newWindow()
	}
	if r.opts.RepeatHold != nil {
		r.repeated, r.repeats, r.gates = make([]bool, len(tl)), make([]*window, len(tl)), make([]chan struct{}, len(tl))
		for i := range tl {
			r.repeats[i], r.gates[i] = newWindow(), make(chan struct{})
		}
	}
	// Requests in flight outlive ctx by a bounded grace (drain); only the
	// hard context, cancelled by Abort or after the grace, cuts them.
	r.hardCtx, r.hardCancel = context.WithCancel(context.WithoutCancel(ctx))
	defer r.hardCancel()
	if r.opts.Abort != nil {
		go func() {
			select {
			case <-r.opts.Abort:
				r.stop()
				r.hardCancel()
			case <-r.hardCtx.Done():
			}
		}()
	}
	r.began.Store(true)

	res := Result{Status: brink.StatusCompleted, Started: r.start}
	if r.opts.OneSession {
		r.wg.Add(1)
		r.vu(0, time.Time{})
		res.Ended = r.opts.Clock.Now()
		res.Requests = r.requests.Load()
		res.Levels = r.started(1, res.Ended)
		if p := r.sinkErr.Load(); p != nil {
			return res, *p
		}
		return res, nil
	}
	go r.wake.loop(r)
	if r.opts.Plan.Open() {
		go r.addArrivals(ctx)
	} else {
		go r.addUsers(ctx)
	}

	peer := r.watchPeers()
	started := 1
	for i := 0; i < len(r.planned); i++ {
		lw := r.levels()[i]
		if !r.sleepUntil(ctx, lw.End) {
			break
		}
		if r.repeatHold(i) {
			if r.opts.OnRepeat != nil {
				r.opts.OnRepeat(r.levels()[i])
			}
			i-- // hold level i again; its stop rules are judged on the repeat
			continue
		}
		r.holdFinal(i)
		lw = r.levels()[i]
		started = i + 2
		rep := r.evaluate(ctx, i)
		if r.opts.OnLevel != nil {
			r.opts.OnLevel(rep)
		}
		if rep.Breached != nil {
			res.Status = brink.StatusStopped
			res.StopReason = fmt.Sprintf("level %d (%d users): %s (was %s)", i, lw.Users, rep.Breached.Rule, rep.Breached.Format())
			if rep.Breached.Note != "" {
				res.StopReason += ": " + rep.Breached.Note
			}
			res.Edge = &rep
			break
		}
		if peer.check() {
			break
		}
	}
	if res.Status == brink.StatusCompleted && peer.last(ctx) {
		res.Status, res.StopReason = brink.StatusStopped, peer.reason
		res.Edge = &LevelReport{Window: r.levels()[min(peer.level, len(r.planned)-1)]}
		started = min(started, peer.level+2)
	}
	if p := r.spent.Load(); p != nil && res.Status == brink.StatusCompleted {
		res.Status = brink.StatusStopped
		limit := 0.0
		for _, rule := range r.opts.StopRules {
			if rule.Metric == brink.RuleMaxCostUSD {
				limit = rule.Threshold
			}
		}
		res.StopReason = fmt.Sprintf("max_cost_usd: the tokens received so far cost $%.4f, over the $%.4f limit", *p, limit)
	}
	if ctx.Err() != nil && res.Status == brink.StatusCompleted {
		res.Status = brink.StatusInterrupted
		res.StopReason = "interrupted: " + context.Cause(ctx).Error()
	}
	r.stop()
	r.drain()
	if p := r.sinkErr.Load(); p != nil {
		res.Status = brink.StatusFailed
		res.StopReason = (*p).Error()
	}
	res.Ended = r.opts.Clock.Now()
	res.Requests = r.requests.Load()
	res.Levels = r.started(min(started, len(r.planned)), res.Ended)
	if p := r.sinkErr.Load(); p != nil {
		return res, fmt.Errorf("record traces: %w", *p)
	}
	return res, nil
}

// started is the timeline of the first n levels, the last cut at end.
func (r *Runner) started(n int, end time.Time) []brink.LevelWindow {
	out := append([]brink.LevelWindow(nil), r.levels()[:n]...)
	if last := &out[n-1]; end.Before(last.End) {
		last.End = end
		if last.SteadyStart.After(end) {
			last.SteadyStart = end
		}
	}
	return out
}

// addUsers starts each level's new virtual users spread evenly over its
// ramp (Schedule); a shard starts the users it owns.
func (r *Runner) addUsers(ctx context.Context) {
	for s := range Schedule(r.opts.Plan, r.start, r.opts.Seed) {
		if !r.opts.Shard.Owns(s.ID) {
			continue
		}
		s, ok := r.waitRamp(ctx, s)
		if !ok || !r.sleepUntil(ctx, s.At) {
			return
		}
		r.wg.Add(1)
		r.vu(s.ID, s.At)
	}
}

// evaluate waits (bounded by the request timeout) for the requests that
// started in level i's hold to finish, then checks the stop rules.
func (r *Runner) evaluate(ctx context.Context, i int) LevelReport {
	lw := r.levels()[i]
	w := r.windowAt(i, lw.SteadyStart)
	deadline := time.Now().Add(r.opts.Clock.WallDuration(r.maxTimeout()) + 100*time.Millisecond)
	for w.inflight.Load() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(2 * time.Millisecond)
	}
	req, errs, thr := w.counts("")
	// The closed model's users are all busy in a hold (this shard owns the
	// first ones of a level when it has any); an open model's hold may
	// rightly see no arrival.
	manned := !r.opts.Plan.Open() && lw.Users > r.opts.Shard.Index
	rep := LevelReport{Window: lw, Requests: req, Errors: errs, Throttled: thr, Rules: w.evaluate(r.opts.StopRules, w.inflight.Load(), manned)}
	for k := range rep.Rules {
		if rep.Rules[k].Breached {
			rep.Breached = &rep.Rules[k]
			break
		}
	}
	return rep
}

// drain waits for the virtual users to finish their requests in flight, up
// to the request timeout, then cancels what is left (recorded as canceled).
func (r *Runner) drain() {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	t := time.NewTimer(r.opts.Clock.WallDuration(r.maxTimeout()) + 100*time.Millisecond)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.hardCancel()
		<-done
	}
}

// Snapshot reads the live state; safe to call while Run runs.
func (r *Runner) Snapshot() Snapshot {
	now := r.opts.Clock.Now()
	s := Snapshot{Requests: r.requests.Load(), Errors: r.errors.Load(), Active: int(r.activeUsers.Load())}
	if !r.began.Load() {
		return s
	}
	s.Elapsed = now.Sub(r.start)
	s.Level, s.Phase = r.levelAt(now)
	s.Users = r.levels()[s.Level].Users
	s.LiveP50MS, s.LiveP95MS, _ = r.live.quantiles()
	s.KeyStep = r.opts.KeyStep
	return s
}

// Format renders the value in the rule's unit: ms for latency, % for rates.
func (v RuleValue) Format() string {
	if v.Rule.Metric == brink.RuleLatency {
		return fmt.Sprintf("%.0f ms", v.Value)
	}
	return fmt.Sprintf("%.2f%%", v.Value*100)
}

// maxTimeout is the longest request timeout of the flow: the bound on how
// long a request in flight can take.
func (r *Runner) maxTimeout() time.Duration {
	var d time.Duration
	for _, s := range r.flow.Steps {
		d = max(d, s.Timeout)
	}
	return d
}
