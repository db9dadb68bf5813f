package replay

import (
	"fmt"
	"os"
	"time"

	"brink"
	"brink/internal/yamlx"
)

// PlanFile is the YAML form of a plan and its stop rules (docs/flows.md).
type PlanFile struct {
	Model       string         `yaml:"model"`
	StartUsers  *int           `yaml:"start_users"`
	StepUsers   *int           `yaml:"step_users"`
	MaxUsers    *int           `yaml:"max_users"`
	StartRate   *float64       `yaml:"start_rate"`
	StepRate    *float64       `yaml:"step_rate"`
	MaxRate     *float64       `yaml:"max_rate"`
	MaxSessions *int           `yaml:"max_sessions"`
	Ramp        *time.Duration `yaml:"ramp"`
	Hold        *time.Duration `yaml:"hold"`
	StopRules   []RuleFile     `yaml:"stop_rules"`
	// Measurement overrides the thresholds of the instrument's verdict
	// (docs/measurement.md).
	Measurement *brink.Thresholds `yaml:"measurement"`
}

// RuleFile is one stop rule: error_rate and throttle_rate take a fraction
// (max: 0.01), latency takes a percentile of a step and a duration (max: 5s).
type RuleFile struct {
	Metric     string  `yaml:"metric"`
	Step       string  `yaml:"step"`
	Percentile float64 `yaml:"percentile"`
	Max        any     `yaml:"max"`
}

// knownPlanKeys feeds "did you mean" hints.
var knownPlanKeys = yamlx.Keys(PlanFile{})

// LoadPlan reads a plan file over brink.DefaultPlan: keys it leaves out keep
// their default. Stop rules are returned only when the file has the key
// (nil otherwise, meaning the defaults).
func LoadPlan(path string) (brink.Plan, []brink.StopRule, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return brink.Plan{}, nil, fmt.Errorf("plan: %w", err)
	}
	return ParsePlan(path, b)
}

// ParsePlan decodes a plan file; errors name file:line:col.
func ParsePlan(file string, data []byte) (brink.Plan, []brink.StopRule, error) {
	var pf PlanFile
	p := brink.DefaultPlan()
	if err := yamlx.Decode("plan "+file, data, &pf, knownPlanKeys); err != nil {
		return p, nil, err
	}
	fail := func(path, format string, a ...any) error {
		line, col := position(data, path)
		return yamlx.At("plan "+file, line, col, format, a...)
	}
	if pf.Model != "" {
		p.Model = pf.Model
	}
	if pf.Measurement != nil {
		if err := pf.Measurement.Validate(); err != nil {
			return p, nil, fail("$.measurement", "%v", err)
		}
		p.Measurement = pf.Measurement
	}
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.StartUsers, pf.StartUsers)
	set(&p.StepUsers, pf.StepUsers)
	set(&p.MaxUsers, pf.MaxUsers)
	set(&p.MaxSessions, pf.MaxSessions)
	if p.Open() {
		// The closed model's user counts do not apply.
		p.StartUsers, p.StepUsers, p.MaxUsers = 0, 0, 0
		setF := func(dst *float64, v *float64) {
			if v != nil {
				*dst = *v
			}
		}
		setF(&p.StartRate, pf.StartRate)
		setF(&p.StepRate, pf.StepRate)
		setF(&p.MaxRate, pf.MaxRate)
		if pf.MaxRate == nil {
			p.MaxRate = p.StartRate
		}
	}
	if pf.Ramp != nil {
		p.Ramp = brink.Duration(*pf.Ramp)
	}
	if pf.Hold != nil {
		p.Hold = brink.Duration(*pf.Hold)
	}
	if err := p.Validate(); err != nil {
		return p, nil, fail("$", "%v", err)
	}
	var rules []brink.StopRule
	if pf.StopRules != nil {
		rules = []brink.StopRule{}
	}
	for i, r := range pf.StopRules {
		at := fmt.Sprintf("$.stop_rules[%d]", i)
		rule := brink.StopRule{Metric: r.Metric, Step: r.Step, Percentile: r.Percentile}
		switch r.Metric {
		case brink.RuleErrorRate, brink.RuleThrottleRate:
			f, ok := toFloat(r.Max)
			if !ok || f < 0 || f > 1 {
				return p, nil, fail(at+".max", "%s max: want a fraction between 0 and 1 (0.01 is 1%%)", r.Metric)
			}
			rule.Threshold = f
		case brink.RuleMaxCostUSD:
			f, ok := toFloat(r.Max)
			if !ok || f <= 0 {
				return p, nil, fail(at+".max", "max_cost_usd max: want a positive amount of USD")
			}
			rule.Threshold = f
		case brink.RuleLatency:
			if r.Step == "" {
				return p, nil, fail(at, "a latency rule names its step (e.g. step: ask)")
			}
			if r.Percentile <= 0 || r.Percentile >= 1 {
				return p, nil, fail(at+".percentile", "percentile %v: want a fraction such as 0.95", r.Percentile)
			}
			s, ok := r.Max.(string)
			d, err := time.ParseDuration(s)
			if !ok || err != nil || d <= 0 {
				return p, nil, fail(at+".max", "latency max: want a duration such as 5s")
			}
			rule.Threshold = float64(d) / float64(time.Millisecond)
		default:
			return p, nil, fail(at+".metric", "metric %q: want error_rate, throttle_rate, latency or max_cost_usd", r.Metric)
		}
		rules = append(rules, rule)
	}
	return p, rules, nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// OverridePlan applies to p the plan fields whose flags were given
// explicitly (set names them: start-users, step-users, max-users, ramp,
// hold), taking their values from flags: a plan file with flags over it.
func OverridePlan(p *brink.Plan, flags brink.Plan, set map[string]bool) {
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
