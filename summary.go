package brink

import "time"

// LevelStats is one level's hold window, for the conversation step (ask)
// unless a field says "all steps". Latencies are scenario ms over answered
// requests; they are nil when the window had no answered request.
type LevelStats struct {
	Level        int       `json:"level"`
	Users        int       `json:"users"`
	WindowStart  time.Time `json:"window_start"`
	WindowEnd    time.Time `json:"window_end"`
	WindowS      float64   `json:"window_s"`
	Requests     int64     `json:"requests"`
	Answered     int64     `json:"answered"`
	RPS          float64   `json:"rps"`
	AnsweredRPS  float64   `json:"answered_rps"` // answered conversations per second: the throughput
	P50MS        *float64  `json:"p50_ms"`
	P95MS        *float64  `json:"p95_ms"`
	P99MS        *float64  `json:"p99_ms"`
	ErrorRate    float64   `json:"error_rate"`
	ThrottleRate float64   `json:"throttle_rate"`
	TimeoutRate  float64   `json:"timeout_rate"`
	InputTPM     float64   `json:"input_tokens_per_min"`
	OutputTPM    float64   `json:"output_tokens_per_min"`
	AllRequests  int64     `json:"all_requests"`
	AllErrorRate float64   `json:"all_error_rate"`
	AllThrottle  float64   `json:"all_throttle_rate"`

	// The slowest users: the 95th percentile across the level's virtual
	// users of each user's own median and worst conversation latency.
	UserP95MedianMS *float64 `json:"user_p95_median_ms"`
	UserP95MaxMS    *float64 `json:"user_p95_max_ms"`
	// Little's law, N = X (R + Z), from the traces: the users the measured
	// throughput, response time and idle time imply. Well below Users means
	// the generator, not the target, was the limit (GeneratorLimited).
	LittleUsers      float64  `json:"littles_law_users"`
	MeanIdleMS       *float64 `json:"mean_idle_ms"`
	GeneratorLimited bool     `json:"generator_limited"`
	// The instrument's own figures over the hold and the verdict on them
	// (measurement.go): suspect when the generator or its host distorted
	// the level beyond a threshold, with the reason in words.
	Verdict       string   `json:"verdict"`
	VerdictReason string   `json:"verdict_reason,omitempty"`
	LagP99MS      *float64 `json:"schedule_lag_p99_ms"`
	ProcessCPU    *float64 `json:"generator_cpu"`
	HostSteal     *float64 `json:"host_steal"`
	// SimLatenessP99MS is the brink sim's p99 lateness over the hold and
	// SimServiceP50MS the modelled conversation time it is judged against
	// (docs/measurement.md); null without the sim's self-measurement.
	SimLatenessP99MS *float64 `json:"sim_lateness_p99_ms"`
	SimServiceP50MS  *float64 `json:"sim_service_p50_ms"`
	// Requests in flight (all steps) per whole second of the hold: the
	// mean and the p99 second (queries/in_flight.sql). A synchronous API
	// runs a Lambda per request in flight, so the what-if sizes Lambda
	// concurrency by their ratio. Nil for runs without per-request rows.
	InFlightMean *float64 `json:"in_flight_mean,omitempty"`
	InFlightP99  *float64 `json:"in_flight_p99,omitempty"`
	// Infra is the collected platform metrics over the hold window (nil
	// when none were collected).
	Infra *InfraStats `json:"infra,omitempty"`
}

// InfraStats are CloudWatch and Logs Insights signals over a hold window.
// A nil field had no datapoint.
type InfraStats struct {
	// MetricPeriods is how many whole CloudWatch periods of MetricPeriodS
	// seconds lie in the hold: only datapoints whose whole period lies in
	// the hold count, and rates divide by the span they cover.
	MetricPeriods        int      `json:"metric_periods"`
	MetricPeriodS        int      `json:"metric_period_s"`
	LambdaMaxConcurrency *float64 `json:"lambda_max_concurrency"`
	LambdaThrottles      *float64 `json:"lambda_throttles"`
	// LambdaInvocationsPerS is Lambda's Invocations over the whole periods:
	// what Lambda bills (a throttled invocation is not billed).
	LambdaInvocationsPerS *float64 `json:"lambda_invocations_per_s"`
	// APIGateway4xx is API Gateway's 4XXError (REST) or 4xx (HTTP) count:
	// its own throttling (429) among other client errors.
	APIGateway4xx      *float64 `json:"api_gateway_4xx"`
	ColdStarts         *float64 `json:"cold_starts"`
	DDBConsumedWCUPerS *float64 `json:"ddb_consumed_wcu_per_s"`
	DDBProvisionedWCU  *float64 `json:"ddb_provisioned_wcu"`
	DDBWriteThrottles  *float64 `json:"ddb_write_throttles"`
	// DynamoDB's throttle events by cause (reads and writes): a hot
	// partition (KeyRange), the on-demand maximum throughput, the account's
	// table-level limit.
	DDBKeyRangeThrottles    *float64 `json:"ddb_key_range_throttles"`
	DDBOnDemandMaxThrottles *float64 `json:"ddb_on_demand_max_throttles"`
	DDBAccountThrottles     *float64 `json:"ddb_account_limit_throttles"`
	BedrockInvocations      *float64 `json:"bedrock_invocations"`
	BedrockThrottles        *float64 `json:"bedrock_throttles"`
	BedrockLatencyMS        *float64 `json:"bedrock_latency_ms"`
	BedrockInputTPM         *float64 `json:"bedrock_input_tokens_per_min"`
	BedrockOutputTPM        *float64 `json:"bedrock_output_tokens_per_min"`
}

// LimitSignal is the first infrastructure limit that showed, and where.
type LimitSignal struct {
	Signal string  `json:"signal"` // e.g. "Lambda throttles"
	Level  int     `json:"level"`
	Users  int     `json:"users"`
	Value  float64 `json:"value"`
	Source string  `json:"source"` // "cloudwatch" or "traces"
}

// KneePoint is a knee of a curve over users.
type KneePoint struct {
	Users int     `json:"users"`
	Value float64 `json:"value"`
}

// USLFit is the Universal Scalability Law fit of throughput (answered
// conversations per second) against users: X(N) = λN / (1 + σ(N−1) + κN(N−1)).
type USLFit struct {
	Sigma  float64  `json:"sigma"`
	Kappa  float64  `json:"kappa"`
	Lambda float64  `json:"lambda"`
	R2     float64  `json:"r2"`
	PeakN  *float64 `json:"peak_users"` // N* = sqrt((1−σ)/κ); null when κ = 0 (no peak in sight)
	PeakX  *float64 `json:"peak_throughput"`
	// Bound names the coefficients the fit held at 0 (σ, κ ≥ 0) because a
	// free fit put them below: "sigma" when throughput grew faster than
	// linearly, "kappa" when there is no retrograde region.
	Bound    []string `json:"bound,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Edge is the edge of failure: the first level whose hold broke a stop rule.
type Edge struct {
	Level     int     `json:"level"`
	Users     int     `json:"users"`
	Rule      string  `json:"rule"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
}

// Summary is analysis/summary.json: every headline number of a run, and the
// level table reports are drawn from.
type Summary struct {
	SchemaVersion int          `json:"schema_version"`
	RunID         string       `json:"run_id"`
	Status        string       `json:"status"`
	Target        string       `json:"target"`
	StartedAt     time.Time    `json:"started_at"`
	EndedAt       *time.Time   `json:"ended_at,omitempty"`
	TimeScale     float64      `json:"time_scale"`
	Plan          Plan         `json:"plan"`
	StopRules     []StopRule   `json:"stop_rules"`
	Step          string       `json:"step"` // the conversation step the latency columns describe
	TotalRequests int64        `json:"total_requests"`
	Levels        []LevelStats `json:"levels"`
	Edge          *Edge        `json:"edge_of_failure"` // nil: no rule broke
	// Knees (Kneedle, offline, S = 1): of throughput (answered conversations
	// per second) and of p95 conversation latency, both against users. Nil
	// when there is no knee; KneeNote then says why.
	ThroughputKnee *KneePoint `json:"throughput_knee"`
	LatencyKnee    *KneePoint `json:"latency_knee"`
	KneeNote       string     `json:"knee_note,omitempty"`
	// LatencyWarningUsers is how many users the latency knee came before the
	// first level whose error rate (all steps) passed the error rule: the
	// early warning latency gives. Nil when either is missing.
	LatencyWarningUsers *int    `json:"latency_warning_users"`
	USL                 *USLFit `json:"usl"`
	// FirstLimit is the limit that rose first: Lambda, DynamoDB or Bedrock
	// throttles from the collected metrics, or throttled and timed-out
	// requests from the traces. Nil when nothing did.
	FirstLimit       *LimitSignal `json:"first_limit"`
	MetricsCollected bool         `json:"metrics_collected"`
	LiveStop         string       `json:"live_stop_reason,omitempty"`
	EdgeAgrees       *bool        `json:"edge_agrees_with_live,omitempty"`
	Findings         []string     `json:"findings"`
	// Measurement says whether brink can vouch for the numbers (nil in
	// summaries from before brink measured itself).
	Measurement *Measurement `json:"measurement,omitempty"`
	// Partial says what a partial analysis of a sharded run left out
	// (brink analyze --allow-partial); empty when every shard was whole.
	Partial  string   `json:"partial,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// Cost is what the hold windows cost (cost.go); nil when they could not be priced.
	Cost *CostSummary `json:"cost,omitempty"`
	// Approximate names the answers that are not exact: set for runs imported without per-request rows.
	Approximate []string `json:"approximate,omitempty"`
	// Timeline is the run over scenario time (timeline.go); LatencyDist each level's latency quantiles. Absent for imported runs.
	Timeline    []TimelinePoint    `json:"timeline,omitempty"`
	LatencyDist []LatencyQuantiles `json:"latency_distribution,omitempty"`
}
