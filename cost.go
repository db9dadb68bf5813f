package brink

// RuleMaxCostUSD is the stop rule on money: it ends a run once the tokens
// received so far (answered turns), priced by the price sheet, pass
// Threshold US dollars. Unlike the other rules it is checked as answers
// arrive, not at the end of a hold (package pricing's Meter keeps the
// running total).
const RuleMaxCostUSD = "max_cost_usd"

// CostBreakdown is an amount of money by component. LLM = LLMInput +
// LLMOutput; Total = LLM + Lambda + DynamoDB + APIGateway.
type CostBreakdown struct {
	LLMInput   float64 `json:"llm_input"`
	LLMOutput  float64 `json:"llm_output"`
	LLM        float64 `json:"llm"`
	Lambda     float64 `json:"lambda"`
	DynamoDB   float64 `json:"dynamodb"`
	APIGateway float64 `json:"api_gateway"`
	Total      float64 `json:"total"`
}

// Sum sets LLM and Total from the components.
func (b CostBreakdown) Sum() CostBreakdown {
	b.LLM = b.LLMInput + b.LLMOutput
	b.Total = b.LLM + b.Lambda + b.DynamoDB + b.APIGateway
	return b
}

// Scale multiplies every component by f.
func (b CostBreakdown) Scale(f float64) CostBreakdown {
	return CostBreakdown{b.LLMInput * f, b.LLMOutput * f, b.LLM * f, b.Lambda * f, b.DynamoDB * f, b.APIGateway * f, b.Total * f}
}

// CostSummary is summary.json's "cost": what the run's hold windows cost,
// per level, from the tokens the traces received and the requests they made.
type CostSummary struct {
	Currency   string `json:"currency"`
	PriceSheet string `json:"price_sheet"` // "embedded" or the file
	PricesAsOf string `json:"prices_as_of"`
	// Assumptions are the usage figures infrastructure cost rests on.
	Assumptions CostAssumptions `json:"assumptions"`
	// BaselineLevel is the level the headline numbers describe: the last
	// level before the edge of failure (the level itself when it is the
	// first), else the last level that answered a turn.
	BaselineLevel int         `json:"baseline_level"`
	Levels        []LevelCost `json:"levels"`
	// TurnGrowth is how input tokens grow with the turn number of a
	// conversation (answered turns of the whole run, every phase).
	TurnGrowth []TurnTokens `json:"turn_growth"`
	// InputTokensPerTurn is the least-squares slope of input tokens over
	// turn number: what each earlier turn adds to the prompt. Nil with
	// fewer than two distinct turn numbers.
	InputTokensPerTurn *float64 `json:"input_tokens_added_per_turn"`
	// FailureExposure is the billing exposure of failures (tokens Bedrock
	// billed for answers that never arrived). Nil until metrics are
	// collected: it needs AWS/Bedrock token counts.
	FailureExposure []FailureExposure `json:"failure_exposure,omitempty"`
	Notes           []string          `json:"notes,omitempty"`
}

// CostAssumptions are the per-request assumptions of the infrastructure cost.
type CostAssumptions struct {
	DefaultModel           string  `json:"default_model"` // for answers that name no model
	LambdaMemoryMB         int     `json:"lambda_memory_mb"`
	LambdaArch             string  `json:"lambda_arch"`
	LambdaDurationMS       float64 `json:"lambda_duration_ms"` // 0: measured (latency − gateway overhead)
	APIGatewayOverhead     float64 `json:"api_gateway_overhead_ms"`
	APIGatewayType         string  `json:"api_gateway_type"`
	DynamoDBMode           string  `json:"dynamodb_mode"`
	WriteUnitsPerTurn      float64 `json:"write_units_per_turn"`
	ReadUnitsPerTurn       float64 `json:"read_units_per_turn"`
	ProvisionedWCU         float64 `json:"provisioned_wcu"`
	ProvisionedRCU         float64 `json:"provisioned_rcu"`
	BedrockTPMQuota        float64 `json:"bedrock_tokens_per_minute_quota"`
	BedrockCrossRegionTPM  float64 `json:"bedrock_cross_region_tokens_per_minute_quota,omitempty"`
	BedrockMaxTokens       int     `json:"bedrock_max_tokens,omitempty"`
	LambdaConcurrencyLimit int     `json:"lambda_concurrency_limit"`
	// Sizing says which stack was priced and where its sizing came from
	// (the sim's defaults, brink analyze --usage FILE, the metrics' API type).
	Sizing string `json:"sizing,omitempty"`
}

// QuestionsPerUserMinute is the level's measured engagement: answered
// turns per active user per minute. Virtual users that think a few seconds
// ask far more often than people do, so every cost per user-minute is shown
// beside it. 0 without user-minutes.
func (l LevelCost) QuestionsPerUserMinute() float64 {
	if l.UserMinutes <= 0 {
		return 0
	}
	return float64(l.AnsweredTurns) / l.UserMinutes
}

// LevelCost is one level's hold window in money and tokens.
type LevelCost struct {
	Level             int     `json:"level"`
	Users             int     `json:"users"`
	WindowS           float64 `json:"window_s"`
	UserMinutes       float64 `json:"user_minutes"` // users × hold minutes
	AnsweredTurns     int64   `json:"answered_turns"`
	APIRequests       int64   `json:"api_requests"` // all steps, every request that reached the gateway
	LambdaInvocations int64   `json:"lambda_invocations"`
	LambdaSeconds     float64 `json:"lambda_seconds"` // billed duration, all invocations
	LambdaGBSeconds   float64 `json:"lambda_gb_seconds"`
	WriteUnits        float64 `json:"write_units"`
	ReadUnits         float64 `json:"read_units"`
	InputTokens       int64   `json:"input_tokens"`
	OutputTokens      int64   `json:"output_tokens"`
	// Tokens per answered turn (input + output, and each); nil without turns.
	TokensPerTurnMean       *float64      `json:"tokens_per_turn_mean"`
	TokensPerTurnP95        *float64      `json:"tokens_per_turn_p95"`
	InputTokensPerTurnMean  *float64      `json:"input_tokens_per_turn_mean"`
	InputTokensPerTurnP95   *float64      `json:"input_tokens_per_turn_p95"`
	OutputTokensPerTurnMean *float64      `json:"output_tokens_per_turn_mean"`
	OutputTokensPerTurnP95  *float64      `json:"output_tokens_per_turn_p95"`
	USD                     CostBreakdown `json:"usd"`
	PerUserMinute           CostBreakdown `json:"usd_per_user_minute"`
	PerTurnUSD              *float64      `json:"usd_per_answered_turn"`
	Models                  []ModelTokens `json:"models"`
}

// ModelTokens is what one model answered in a level's hold.
type ModelTokens struct {
	Model        string  `json:"model"`
	Turns        int64   `json:"turns"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	InputUSD     float64 `json:"input_usd"`
	OutputUSD    float64 `json:"output_usd"`
}

// TurnTokens is the mean tokens of the n-th turn of a conversation.
type TurnTokens struct {
	Turn             int     `json:"turn"`
	Answered         int64   `json:"answered"`
	InputTokensMean  float64 `json:"input_tokens_mean"`
	OutputTokensMean float64 `json:"output_tokens_mean"`
}

// FailureExposure is what a level's failures billed: tokens Bedrock counted
// minus tokens the traces received.
type FailureExposure struct {
	Level        int     `json:"level"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	USD          float64 `json:"usd"`
}
