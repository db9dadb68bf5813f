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
