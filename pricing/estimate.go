package pricing

import (
	"fmt"
	"sync"

	"brink"
)

// EstimateLambdaSecondsPerTurn is the estimate's Lambda time per turn when
// Usage.LambdaDuration is 0: about a streamed answer of 150 tokens.
const EstimateLambdaSecondsPerTurn = 2.5

// Estimate is what a plan would cost if no stop rule ended it early.
type Estimate struct {
	Model        string              `json:"model"`
	UserMinutes  float64             `json:"user_minutes"` // closed model
	Sessions     float64             `json:"sessions"`     // open model
	Turns        float64             `json:"turns"`
	InputTokens  float64             `json:"input_tokens"`
	OutputTokens float64             `json:"output_tokens"`
	USD          brink.CostBreakdown `json:"usd"`
}

// PlanUserMinutes is a closed plan's user-minutes: each level ramps from the
// previous level's users (0 before the first) linearly over Ramp, then holds
// its users for Hold.
func PlanUserMinutes(p brink.Plan) float64 {
	var total float64
	prev := 0
	for i := range p.Levels() {
		u := p.UsersAt(i)
		total += float64(prev+u)/2*p.Ramp.Std().Minutes() + float64(u)*p.Hold.Std().Minutes()
		prev = u
	}
	return total
}

// PlanSessions is an open plan's sessions: each level's arrival rate rises
// linearly from the previous level's (0 before the first) over Ramp, then
// holds for Hold.
func PlanSessions(p brink.Plan) float64 {
	var total, prev float64
	for i := range p.Levels() {
		r := p.RateAt(i)
		total += (prev+r)/2*p.Ramp.Std().Minutes() + r*p.Hold.Std().Minutes()
		prev = r
	}
	return total
}

// EstimatePlan prices a plan before it runs, from the usage assumptions
// (turns per user-minute or per session, tokens per turn) and model (""
// takes Usage.DefaultModel).
func EstimatePlan(p brink.Plan, sheet *Sheet, u Usage, model string) (Estimate, error) {
	if model == "" {
		model = u.DefaultModel
	}
	e := Estimate{Model: model}
	if p.Open() {
		e.Sessions = PlanSessions(p)
		e.Turns = e.Sessions * u.TurnsPerSession
	} else {
		e.UserMinutes = PlanUserMinutes(p)
		e.Turns = e.UserMinutes * u.TurnsPerUserMinute
	}
	e.InputTokens, e.OutputTokens = e.Turns*u.InputTokensPerTurn, e.Turns*u.OutputTokensPerTurn
	reqPerTurn := 1.0
	if u.TurnsPerSession > 0 {
		reqPerTurn += 1 / u.TurnsPerSession // a new chat per session
	}
	b := Baseline{Users: 1, TurnsPerUserMinute: 1, APIRequestsPerTurn: reqPerTurn, InvocationsPerTurn: reqPerTurn,
		LambdaSecondsPerTurn: EstimateLambdaSecondsPerTurn,
		Models:               []ModelShare{{Model: model, Share: 1, InputPerTurn: u.InputTokensPerTurn, OutputPerTurn: u.OutputTokensPerTurn}}}
	r, err := Evaluate(b, Scenario{Name: "plan estimate"}, sheet, u)
	if err != nil {
		return e, err
	}
	e.USD = r.PerTurn.Scale(e.Turns)
	return e, nil
}

// Meter keeps the running cost of the tokens a run has received, for the
// max_cost_usd stop rule. It is safe for concurrent use: the generator calls
// Observe from every virtual user.
type Meter struct {
	mu           sync.Mutex
	sheet        *Sheet
	defaultModel string
	fallback     ModelPrice // for ids the sheet does not know: its dearest model
	usd          float64
	input        int64
	output       int64
	unknown      map[string]int64
}

// NewMeter returns a meter pricing with sheet; answers that name no model
// are priced as defaultModel, answers of a model the sheet does not know as
// the sheet's dearest model (a guard errs on the side of stopping).
func NewMeter(sheet *Sheet, defaultModel string) *Meter {
	m := &Meter{sheet: sheet, defaultModel: defaultModel, unknown: map[string]int64{}}
	for _, p := range sheet.Bedrock {
		if p.InputPerMillion+p.OutputPerMillion > m.fallback.InputPerMillion+m.fallback.OutputPerMillion {
			m.fallback = p
		}
	}
	return m
}

// Observe adds a trace's received tokens (answered requests with usage) and
// returns the total so far in USD.
func (m *Meter) Observe(t brink.Trace) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.Error != "" || !t.HasUsage {
		return m.usd
	}
	id := t.Model
	if id == "" {
		id = m.defaultModel
	}
	p, ok := m.sheet.Bedrock[id]
	if !ok {
		p = m.fallback
		m.unknown[id]++
	}
	in, out := p.TokensUSD(float64(t.InputTokens), float64(t.OutputTokens))
	m.usd += in + out
	m.input += int64(t.InputTokens)
	m.output += int64(t.OutputTokens)
	return m.usd
}

// Total is the cost so far in USD, and the tokens it was priced from.
func (m *Meter) Total() (usd float64, input, output int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.usd, m.input, m.output
}

// Check evaluates a max_cost_usd rule against the total so far: the value
// (USD) and whether the rule is broken (value > threshold). Rules of other
// metrics are not the meter's: ok is false.
func (m *Meter) Check(r brink.StopRule) (value float64, breached, ok bool) {
	if r.Metric != brink.RuleMaxCostUSD {
		return 0, false, false
	}
	usd, _, _ := m.Total()
	return usd, usd > r.Threshold, true
}

// Unknown lists model ids the meter priced at the fallback, with counts.
func (m *Meter) Unknown() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.unknown))
	for k, v := range m.unknown {
		out[k] = v
	}
	return out
}

// CostRule is the max_cost_usd stop rule for a limit in USD.
func CostRule(limitUSD float64) (brink.StopRule, error) {
	if !(limitUSD > 0) {
		return brink.StopRule{}, fmt.Errorf("max cost %v USD: want a positive amount", limitUSD)
	}
	return brink.StopRule{Metric: brink.RuleMaxCostUSD, Threshold: limitUSD}, nil
}

// DescribePlanEstimate says in one line what the plan would bill Bedrock
// and the stack if no stop rule ended it, from the embedded price sheet and
// the default usage assumptions (a real run bills real money: brink run
// prints this before it starts).
func DescribePlanEstimate(plan brink.Plan) string {
	u := DefaultUsage()
	e, err := EstimatePlan(plan, Default(), u, "")
	if err != nil {
		return fmt.Sprintf("no cost estimate: %v", err)
	}
	how := fmt.Sprintf("%.0f user-minutes × %.1f turns each", e.UserMinutes, u.TurnsPerUserMinute)
	if plan.Open() {
		how = fmt.Sprintf("%.0f sessions × %.1f turns each", e.Sessions, u.TurnsPerSession)
	}
	return fmt.Sprintf("cost estimate if no stop rule ends it: about $%.2f (LLM $%.2f, Lambda $%.2f, DynamoDB $%.2f, API Gateway $%.2f): "+
		"%s = %.0f turns of %.0f input + %.0f output tokens on %s, prices as of %s (docs/cost.md)",
		e.USD.Total, e.USD.LLM, e.USD.Lambda, e.USD.DynamoDB, e.USD.APIGateway, how, e.Turns,
		u.InputTokensPerTurn, u.OutputTokensPerTurn, e.Model, Default().AsOf())
}
