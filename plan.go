package brink

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Duration is a time.Duration that reads and writes JSON as "2m0s".
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "2m0s" (or a number of nanoseconds, as older files may hold).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("duration: want a string like \"2m\", got %s", b)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// Std returns the time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Plan is a stepped ramp. Closed model (the default): level i targets
// StartUsers + i×StepUsers concurrent users (capped at MaxUsers); each level
// first adds its new users spread evenly over Ramp, then holds them for
// Hold. Open model: level i starts new sessions at StartRate + i×StepRate
// per minute (capped at MaxRate), rising linearly over Ramp; the level's
// "users" is then its arrival rate in sessions per minute, rounded. All
// durations are scenario time.
type Plan struct {
	Model      string  `json:"model"` // "closed" or "open"
	StartUsers int     `json:"start_users,omitempty"`
	StepUsers  int     `json:"step_users,omitempty"`
	MaxUsers   int     `json:"max_users,omitempty"`
	StartRate  float64 `json:"start_rate,omitempty"` // open: new sessions per minute
	StepRate   float64 `json:"step_rate,omitempty"`
	MaxRate    float64 `json:"max_rate,omitempty"`
	// MaxSessions caps the open model's sessions in flight; arrivals past it
	// wait, and the wait shows as start − scheduled. Default 10,000.
	MaxSessions int      `json:"max_sessions,omitempty"`
	Ramp        Duration `json:"ramp"`
	Hold        Duration `json:"hold"`
	// Measurement overrides the thresholds of the instrument's verdict
	// (nil: the defaults).
	Measurement *Thresholds `json:"measurement,omitempty"`
}

// Open reports whether the plan is the open (arrival-rate) model.
func (p Plan) Open() bool { return p.Model == "open" }

// DefaultPlan is the ramp of the design: start at 10 users, add 10 per level
// spread over 2 minutes, hold each level 5 minutes, at most 200 users.
func DefaultPlan() Plan {
	return Plan{Model: "closed", StartUsers: 10, StepUsers: 10, MaxUsers: 200,
		Ramp: Duration(2 * time.Minute), Hold: Duration(5 * time.Minute)}
}

// Validate reports the first field that makes the plan unusable.
func (p Plan) Validate() error {
	if p.Open() {
		switch {
		case !(p.StartRate > 0):
			return fmt.Errorf("plan: start_rate %v: the open model needs a positive arrival rate (sessions per minute)", p.StartRate)
		case p.StepRate < 0:
			return fmt.Errorf("plan: step_rate %v: must not be negative", p.StepRate)
		case p.MaxRate < p.StartRate:
			return fmt.Errorf("plan: max_rate %v is below start_rate %v", p.MaxRate, p.StartRate)
		case p.MaxSessions < 0:
			return fmt.Errorf("plan: max_sessions %d: must not be negative", p.MaxSessions)
		case p.Ramp < 0:
			return fmt.Errorf("plan: ramp %v: must not be negative", p.Ramp.Std())
		case p.Hold <= 0:
			return fmt.Errorf("plan: hold %v: must be positive", p.Hold.Std())
		}
		return p.CheckLevels()
	}
	switch {
	case p.Model != "" && p.Model != "closed":
		return fmt.Errorf("plan: model %q: want \"closed\" (virtual users) or \"open\" (arrival rate)", p.Model)
	case p.StartUsers < 1:
		return fmt.Errorf("plan: start_users %d: must be at least 1", p.StartUsers)
	case p.StepUsers < 0:
		return fmt.Errorf("plan: step_users %d: must not be negative", p.StepUsers)
	case p.MaxUsers < p.StartUsers:
		return fmt.Errorf("plan: max_users %d is below start_users %d", p.MaxUsers, p.StartUsers)
	case p.Ramp < 0:
		return fmt.Errorf("plan: ramp %v: must not be negative", p.Ramp.Std())
	case p.Hold <= 0:
		return fmt.Errorf("plan: hold %v: must be positive", p.Hold.Std())
	}
	return p.CheckLevels()
}

// MaxLevels bounds a plan's levels: 10,000 levels of the default 7 minutes
// are 48 days. A plan with more (max_users 10^9 by 1) is a mistake, and a
// run.json that says so must not make analysis lay out a timeline that
// does not fit in memory.
const MaxLevels = 10_000

// Levels is the number of levels the plan has if no stop rule ends it,
// clamped to [0, MaxLevels+1] (CheckLevels says when it is out of range).
func (p Plan) Levels() int {
	var n float64 // float: max - start over a step of 1 can overflow an int
	switch {
	case p.Open() && p.StepRate == 0, !p.Open() && p.StepUsers == 0:
		return 1
	case p.Open():
		n = math.Floor((p.MaxRate-p.StartRate)/p.StepRate+1e-9) + 1
	default:
		n = math.Floor((float64(p.MaxUsers)-float64(p.StartUsers))/float64(p.StepUsers)) + 1
	}
	switch {
	case !(n >= 0): // negative or NaN
		return 0
	case n > MaxLevels:
		return MaxLevels + 1
	}
	return int(n)
}

// CheckLevels reports a plan whose level count is out of range: none, or
// more than MaxLevels.
func (p Plan) CheckLevels() error {
	switch n := p.Levels(); {
	case n < 1 && p.Open():
		return fmt.Errorf("plan: start_rate %v, step_rate %v, max_rate %v make no level", p.StartRate, p.StepRate, p.MaxRate)
	case n < 1:
		return fmt.Errorf("plan: start_users %d, step_users %d, max_users %d make no level", p.StartUsers, p.StepUsers, p.MaxUsers)
	case n > MaxLevels && p.Open():
		return fmt.Errorf("plan: start_rate %v to max_rate %v by step_rate %v is more than %d levels: raise step_rate", p.StartRate, p.MaxRate, p.StepRate, MaxLevels)
	case n > MaxLevels:
		return fmt.Errorf("plan: start_users %d to max_users %d by step_users %d is more than %d levels: raise step_users", p.StartUsers, p.MaxUsers, p.StepUsers, MaxLevels)
	}
	return nil
}

// RateAt is the open model's arrival rate of level i, sessions per minute.
func (p Plan) RateAt(i int) float64 {
	return min(p.StartRate+float64(i)*p.StepRate, p.MaxRate)
}

// UsersAt is the target users of level i (open model: its arrival rate in
// sessions per minute, rounded).
func (p Plan) UsersAt(i int) int {
	if p.Open() {
		return int(math.Round(p.RateAt(i)))
	}
	u := p.StartUsers + i*p.StepUsers
	if u > p.MaxUsers {
		u = p.MaxUsers
	}
	return u
}

// Timeline lays the plan's levels out from start (scenario time).
func (p Plan) Timeline(start time.Time) []LevelWindow {
	n := p.Levels()
	out := make([]LevelWindow, n)
	t := start
	for i := range n {
		steady := t.Add(p.Ramp.Std())
		end := steady.Add(p.Hold.Std())
		out[i] = LevelWindow{Index: i, Users: p.UsersAt(i), RampStart: t, SteadyStart: steady, End: end}
		t = end
	}
	return out
}

// Duration is the scenario length of the whole plan.
func (p Plan) Duration() time.Duration {
	return time.Duration(p.Levels()) * (p.Ramp.Std() + p.Hold.Std())
}

// LevelWindow is one level of the timeline, in scenario time. The ramp is
// [RampStart, SteadyStart), the hold (steady window) is [SteadyStart, End).
type LevelWindow struct {
	Index       int       `json:"index"`
	Users       int       `json:"users"`
	RampStart   time.Time `json:"ramp_start"`
	SteadyStart time.Time `json:"steady_start"`
	End         time.Time `json:"end"`
	// RepeatedHold is the level's first hold when brink run
	// --strict-measurement judged it suspect and held the level once more:
	// SteadyStart..End is then the repeat, which alone is the level's hold,
	// and the later levels start a hold later than the plan says.
	RepeatedHold *Span `json:"repeated_hold,omitempty"`
}

// Span is an interval of scenario time, [Start, End).
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Stop rule metrics.
const (
	RuleErrorRate    = "error_rate"    // requests with an error ÷ all requests of the hold window
	RuleThrottleRate = "throttle_rate" // throttled ÷ all requests
	RuleLatency      = "latency"       // a percentile of a step's answered latency, in ms
)

// StopRule ends the ramp after the hold of the first level that breaks it.
// Rates are fractions (0.01 = 1%); latency thresholds are scenario ms.
type StopRule struct {
	Metric     string  `json:"metric"`
	Step       string  `json:"step,omitempty"`       // "" = all steps (rates only)
	Percentile float64 `json:"percentile,omitempty"` // latency only, e.g. 0.95
	Threshold  float64 `json:"threshold"`
}

// DefaultStopRules: errors above 1% (all steps) or p95 conversation latency
// above 5 s.
func DefaultStopRules() []StopRule {
	return []StopRule{
		{Metric: RuleErrorRate, Threshold: 0.01},
		{Metric: RuleLatency, Step: StepAsk, Percentile: 0.95, Threshold: 5000},
	}
}

// StopRulesFor are the rules of brink run's flags: the error rate and the
// throttled share of a level's hold (all steps), and the p95 conversation
// latency; a limit of 0 leaves its rule out.
func StopRulesFor(maxErrorRate float64, maxP95 time.Duration, maxThrottleRate float64) []StopRule {
	rules := []StopRule{}
	if maxErrorRate > 0 {
		rules = append(rules, StopRule{Metric: RuleErrorRate, Threshold: maxErrorRate})
	}
	if maxThrottleRate > 0 {
		rules = append(rules, StopRule{Metric: RuleThrottleRate, Threshold: maxThrottleRate})
	}
	if maxP95 > 0 {
		rules = append(rules, StopRule{Metric: RuleLatency, Step: StepAsk, Percentile: 0.95, Threshold: float64(maxP95) / float64(time.Millisecond)})
	}
	return rules
}

// String names the rule the way reports and run.json say it.
func (r StopRule) String() string {
	step := r.Step
	if step == "" {
		step = "all steps"
	}
	switch r.Metric {
	case RuleLatency:
		return fmt.Sprintf("p%g %s latency > %g ms", r.Percentile*100, step, r.Threshold)
	case RuleMaxCostUSD:
		return fmt.Sprintf("cost of tokens received > $%g", r.Threshold)
	default:
		return fmt.Sprintf("%s (%s) > %g%%", r.Metric, step, r.Threshold*100)
	}
}

// Breached reports whether value breaks the rule.
func (r StopRule) Breached(value float64) bool { return value > r.Threshold }

// Plural says n of a thing: "1 level", "2 levels".
func Plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// RoundDuration rounds a duration for people: to the second from 10 s up,
// to the millisecond below ("hold 20s", never "20.000103654s").
func RoundDuration(d time.Duration) time.Duration {
	if d >= 10*time.Second || d <= -10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
