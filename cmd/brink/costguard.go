package main

import (
	"fmt"
	"io"

	"brink"
	"brink/pricing"
)

// printCostEstimate says what the plan would bill Bedrock and the stack if
// no stop rule ended it, from the embedded price sheet and the usage
// assumptions (a real run bills real money: read this before it starts).
func printCostEstimate(w io.Writer, plan brink.Plan) {
	u := pricing.DefaultUsage()
	e, err := pricing.EstimatePlan(plan, pricing.Default(), u, "")
	if err != nil {
		fmt.Fprintf(w, "brink run: no cost estimate: %v\n", err)
		return
	}
	how := fmt.Sprintf("%.0f user-minutes × %.1f turns each", e.UserMinutes, u.TurnsPerUserMinute)
	if plan.Open() {
		how = fmt.Sprintf("%.0f sessions × %.1f turns each", e.Sessions, u.TurnsPerSession)
	}
	fmt.Fprintf(w, "brink run: cost estimate if no stop rule ends it: about $%.2f (LLM $%.2f, Lambda $%.2f, DynamoDB $%.2f, API Gateway $%.2f): "+
		"%s = %.0f turns of %.0f input + %.0f output tokens on %s, prices as of %s (docs/cost.md)\n",
		e.USD.Total, e.USD.LLM, e.USD.Lambda, e.USD.DynamoDB, e.USD.APIGateway, how, e.Turns,
		u.InputTokensPerTurn, u.OutputTokensPerTurn, e.Model, pricing.Default().AsOf())
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
func budgetFor(rules []brink.StopRule) (costBudget, bool) {
	for _, r := range rules {
		if r.Metric == brink.RuleMaxCostUSD {
			return costBudget{meter: pricing.NewMeter(pricing.Default(), pricing.DefaultUsage().DefaultModel), rule: r}, true
		}
	}
	return costBudget{}, false
}
