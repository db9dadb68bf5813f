package sim

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"brink"
	"brink/internal/yamlx"
)

// Config holds every limit and latency of the model. Durations are scenario
// time. DefaultConfig's values are chosen so brink's demo ramp (10 users, +10
// per level) sees conversation latency rise from about level 4 to 1.5-1.8x
// the first level's and crosses the Lambda concurrency limit at 60-70 users,
// with DynamoDB and the Bedrock quotas binding after it (docs/sim.md).
type Config struct {
	Seed       int64          `yaml:"seed"`
	APIGateway APIGatewayConf `yaml:"api_gateway"`
	Lambda     LambdaConf     `yaml:"lambda"`
	DynamoDB   DynamoDBConf   `yaml:"dynamodb"`
	Bedrock    BedrockConf    `yaml:"bedrock"`
	Auth       AuthConf       `yaml:"auth"`
	Logs       LogsConf       `yaml:"logs"`
	CloudWatch CloudWatchConf `yaml:"cloudwatch"`
	// Retry is the AWS SDK retryer inside the function, used for DynamoDB
	// and Bedrock calls alike.
	Retry RetryConf `yaml:"retry"`
}

// APIGatewayConf models the REST API in front of the function.
type APIGatewayConf struct {
	APIName string `yaml:"api_name"` // the ApiName dimension
	Stage   string `yaml:"stage"`    // the Stage dimension
	// IntegrationTimeout ends a request with 504 (API Gateway's 29 s).
	IntegrationTimeout time.Duration `yaml:"integration_timeout"`
	Overhead           time.Duration `yaml:"overhead"` // per request
	// BodyReadTimeout is how long (wall clock: it is the network's, not the
	// model's) a client may take to send its request body. The body is read
	// before a Lambda slot is taken, as API Gateway receives the whole
	// request before it invokes the function; a client that stalls gets 408.
	BodyReadTimeout time.Duration `yaml:"body_read_timeout"`
	// MaxBodyBytes bounds a request body (413 past it).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ThrottleRate and ThrottleBurst are the stage's (account's) throttling
	// token bucket: requests a second and the bucket's size (AWS: 10,000 and
	// 5,000). A request that finds it empty is answered 429 before the
	// function is invoked.
	ThrottleRate  float64 `yaml:"throttle_rate"`
	ThrottleBurst float64 `yaml:"throttle_burst"`
}

// AuthConf bounds the sim's login tokens and chat sessions.
type AuthConf struct {
	// TokenTTL is a token's lifetime, announced as expires_in: past it the
	// token answers 401 and the client logs in again.
	TokenTTL time.Duration `yaml:"token_ttl"`
	// MaxTokens and MaxSessions bound the tables; the oldest token and the
	// least recently used session go first (a session that went is 404).
	MaxTokens   int `yaml:"max_tokens"`
	MaxSessions int `yaml:"max_sessions"`
	// SessionIdleTTL forgets a chat session unused that long.
	SessionIdleTTL time.Duration `yaml:"session_idle_ttl"`
}

// LambdaConf models the function every route invokes.
type LambdaConf struct {
	FunctionName string `yaml:"function_name"` // the FunctionName dimension and log group
	// ConcurrencyLimit is the reserved (or account) concurrency: a request
	// arriving while that many invocations run is throttled: the client
	// gets 500 through API Gateway's proxy integration.
	ConcurrencyLimit int `yaml:"concurrency_limit"`
	// Reserved says ConcurrencyLimit is the function's reserved concurrency;
	// false: the function runs in the account's unreserved pool, of which
	// ConcurrencyLimit is what it can have (UnreservedConcurrentExecutions
	// counts it).
	Reserved bool `yaml:"reserved"`
	// AccountConcurrency is the region's concurrency quota (AWS: 1,000); a
	// reservation must leave 100 of it unreserved.
	AccountConcurrency int `yaml:"account_concurrency"`
	// ScaleUpPer10s is Lambda's scaling rate: a function gains at most this
	// many new execution environments every 10 seconds (AWS: 1,000); a cold
	// start past it is throttled.
	ScaleUpPer10s int `yaml:"scale_up_per_10s"`
	MemoryMB      int `yaml:"memory_mb"` // for GB-seconds and the REPORT line
	// InitDuration is the median cold start (log-normal, spread InitSigma),
	// paid when no warm execution environment is free.
	InitDuration time.Duration `yaml:"init_duration"`
	InitSigma    float64       `yaml:"init_sigma"`
	// IdleTimeout is how long an unused environment stays warm.
	IdleTimeout     time.Duration `yaml:"idle_timeout"`
	AuthDuration    time.Duration `yaml:"auth_duration"`     // login handler
	NewChatDuration time.Duration `yaml:"new_chat_duration"` // create-session handler
	TurnOverhead    time.Duration `yaml:"turn_overhead"`     // per turn, besides Bedrock and DynamoDB
	// LogFormat is the function's log format: "text" writes REPORT lines,
	// "json" writes platform.report events (record.metrics.initDurationMs),
	// as Lambda does for functions set to JSON logging and always on Lambda
	// Managed Instances.
	LogFormat string `yaml:"log_format"`
	// SnapStart makes a cold start a restore from a snapshot: the report
	// carries Restore Duration (restoreDurationMs) instead of Init Duration.
	SnapStart bool `yaml:"snap_start"`
}

// Lambda log formats.
const (
	LogText = "text"
	LogJSON = "json"
)

// CloudWatchConf says at what resolution the sim's metrics are kept.
type CloudWatchConf struct {
	// HighResolution keeps every AWS/* series at 1 second, as no AWS service
	// publishes them: for tests that need to see single seconds. By default
	// (false) they are standard-resolution, as AWS publishes them: 1-minute
	// data, and DynamoDB's provisioned capacity 5-minute data; a shorter
	// period is answered with one datapoint per stored period.
	HighResolution bool `yaml:"high_resolution"`
}

// LogsConf injects CloudWatch Logs' failures, so a client's handling of
// them can be tested against the sim.
type LogsConf struct {
	// StartQueryError answers every StartQuery with this AWS error code
	// (AccessDeniedException, LimitExceededException, ...) instead of
	// running it; empty: queries run.
	StartQueryError string `yaml:"start_query_error"`
	// QueryDuration is how long (wall clock: the service's time, not the
	// model's) a query stays Running before it is Complete; 0: at once.
	QueryDuration time.Duration `yaml:"query_duration"`
}

// logsErrors are the StartQuery errors the sim can inject, with AWS's
// HTTP status for each.
var logsErrors = map[string]int{
	"AccessDeniedException":       400,
	"LimitExceededException":      400,
	"ServiceUnavailableException": 500,
	"InvalidParameterException":   400,
	"ResourceNotFoundException":   400,
}

// DynamoDB capacity modes.
const (
	Provisioned = "provisioned"
	OnDemand    = "on_demand"
)

// DynamoDBConf models the tables each turn writes to.
type DynamoDBConf struct {
	Mode string `yaml:"mode"` // provisioned or on_demand
	// WriteLatency is the SuccessfulRequestLatency of one PutItem.
	WriteLatency time.Duration `yaml:"write_latency"`
	// BurstSeconds of unused provisioned capacity are kept for bursts, as
	// DynamoDB does (300 s).
	BurstSeconds float64 `yaml:"burst_seconds"`
	// OnDemandInitialPeak is the per-second write units an on-demand table
	// takes before it has seen traffic (its "previous peak").
	OnDemandInitialPeak float64 `yaml:"on_demand_initial_peak"`
	// Tables are written once each per turn, in this order: the first
	// BeforeModel of them before Bedrock is called, the rest after.
	Tables      []TableConf `yaml:"tables"`
	BeforeModel int         `yaml:"before_model"`
}

// TableConf is one table and the item a turn writes to it.
type TableConf struct {
	Name   string  `yaml:"name"`
	ItemKB float64 `yaml:"item_kb"` // write units = ceil(ItemKB)
	// WriteCapacity is the provisioned write units per second.
	WriteCapacity float64 `yaml:"write_capacity"`
	// MaxWriteUnits is an on-demand table's maximum throughput (write
	// request units a second; 0: none): past it writes are throttled and
	// counted in WriteMaxOnDemandThroughputThrottleEvents.
	MaxWriteUnits float64 `yaml:"max_write_units"`
}

// Throttle answers: how a Bedrock ThrottlingException reaches the client.
const (
	ThrottleAs429 = 429
	ThrottleAs503 = 503
)

// BedrockConf models one on-demand model.
type BedrockConf struct {
	ModelID            string        `yaml:"model_id"`
	TimeToFirstToken   time.Duration `yaml:"time_to_first_token"`
	TokensPerSecond    float64       `yaml:"tokens_per_second"`
	SystemPromptTokens int           `yaml:"system_prompt_tokens"`
	MaxTokens          int           `yaml:"max_tokens"`
	// Output length is log-normal: median OutputMedian × Verbosity tokens,
	// spread OutputSigma, capped at MaxTokens.
	OutputMedian float64 `yaml:"output_median"`
	OutputSigma  float64 `yaml:"output_sigma"`
	Verbosity    float64 `yaml:"verbosity"`
	// Latency grows with concurrent invocations c as 1 + (c/DegradeAt)^2:
	// at c = DegradeAt an answer takes twice as long.
	DegradeAt float64 `yaml:"degrade_at"`
	// TokensPerMinute is the quota: input plus MaxTokens are reserved when a
	// call starts and the unused part given back when it ends.
	TokensPerMinute float64 `yaml:"tokens_per_minute"`
	// ThrottleStatus is what the function answers when Bedrock still
	// throttles after the retries: 429 or 503.
	ThrottleStatus int `yaml:"throttle_status"`
	// RequestsPerMinute is the model's second on-demand quota: one a call.
	RequestsPerMinute float64 `yaml:"requests_per_minute"`
	// ContextWindow bounds input plus max_tokens: a longer call is refused
	// (ValidationException, InvocationClientErrors) and answered 400.
	ContextWindow int `yaml:"context_window"`
	// ServerErrorRate is the share of calls that fail inside Bedrock
	// (InvocationServerErrors); the SDK retries them, then the function
	// answers 502.
	ServerErrorRate float64 `yaml:"server_error_rate"`
	// Models are further models in the same sim; a turn names one with
	// "model" in its body (default: model_id). Fields left out take the
	// values above.
	Models []ModelConf `yaml:"models"`
}

// ModelConf is one more Bedrock model: its id and its own quotas and speed.
type ModelConf struct {
	ModelID           string        `yaml:"model_id"`
	TokensPerMinute   *float64      `yaml:"tokens_per_minute"`
	RequestsPerMinute *float64      `yaml:"requests_per_minute"`
	TimeToFirstToken  time.Duration `yaml:"time_to_first_token"`
	TokensPerSecond   float64       `yaml:"tokens_per_second"`
	ContextWindow     int           `yaml:"context_window"`
	ServerErrorRate   *float64      `yaml:"server_error_rate"`
}

// ModelConfs are the sim's models with every field resolved, the default
// (model_id) first.
func (b BedrockConf) ModelConfs() []ModelConf {
	def := ModelConf{ModelID: b.ModelID, TokensPerMinute: &b.TokensPerMinute, RequestsPerMinute: &b.RequestsPerMinute,
		TimeToFirstToken: b.TimeToFirstToken, TokensPerSecond: b.TokensPerSecond, ContextWindow: b.ContextWindow,
		ServerErrorRate: &b.ServerErrorRate}
	out := []ModelConf{def}
	for _, m := range b.Models {
		if m.TokensPerMinute == nil {
			m.TokensPerMinute = def.TokensPerMinute
		}
		if m.RequestsPerMinute == nil {
			m.RequestsPerMinute = def.RequestsPerMinute
		}
		if m.ServerErrorRate == nil {
			m.ServerErrorRate = def.ServerErrorRate
		}
		if m.TimeToFirstToken == 0 {
			m.TimeToFirstToken = def.TimeToFirstToken
		}
		if m.TokensPerSecond == 0 {
			m.TokensPerSecond = def.TokensPerSecond
		}
		if m.ContextWindow == 0 {
			m.ContextWindow = def.ContextWindow
		}
		out = append(out, m)
	}
	return out
}

// RetryConf is aws-sdk-go-v2's standard retryer: attempt n (from 1) waits a
// uniform random time up to min(Base × 2^n, MaxBackoff).
type RetryConf struct {
	MaxAttempts int           `yaml:"max_attempts"`
	Base        time.Duration `yaml:"base"`
	MaxBackoff  time.Duration `yaml:"max_backoff"`
}

// DefaultConfig is the documented default model (docs/sim.md).
func DefaultConfig() Config {
	return Config{
		Seed: 1,
		APIGateway: APIGatewayConf{
			APIName:            "brink-chat",
			Stage:              "prod",
			IntegrationTimeout: 29 * time.Second,
			Overhead:           15 * time.Millisecond,
			BodyReadTimeout:    10 * time.Second,
			MaxBodyBytes:       1 << 20,
			ThrottleRate:       10_000,
			ThrottleBurst:      5_000,
		},
		Auth: AuthConf{TokenTTL: time.Hour, MaxTokens: 100_000, MaxSessions: 100_000, SessionIdleTTL: 2 * time.Hour},
		Lambda: LambdaConf{
			FunctionName:       "brink-chat-handler",
			ConcurrencyLimit:   32,
			Reserved:           true,
			AccountConcurrency: 1000,
			ScaleUpPer10s:      1000,
			MemoryMB:           1024,
			InitDuration:       450 * time.Millisecond,
			InitSigma:          0.2,
			IdleTimeout:        10 * time.Minute,
			AuthDuration:       60 * time.Millisecond,
			NewChatDuration:    40 * time.Millisecond,
			TurnOverhead:       40 * time.Millisecond,
			LogFormat:          LogText,
		},
		DynamoDB: DynamoDBConf{
			Mode:                Provisioned,
			WriteLatency:        6 * time.Millisecond,
			BurstSeconds:        300,
			OnDemandInitialPeak: 4000,
			Tables: []TableConf{
				{Name: "chat-conversations", ItemKB: 0.8, WriteCapacity: 15},
				{Name: "chat-user-context", ItemKB: 1.5, WriteCapacity: 30},
				{Name: "chat-messages", ItemKB: 2.5, WriteCapacity: 30},
				{Name: "chat-analytics-events", ItemKB: 0.5, WriteCapacity: 15},
			},
			BeforeModel: 2,
		},
		Bedrock: BedrockConf{
			ModelID:            "anthropic.claude-3-haiku-20240307-v1:0",
			TimeToFirstToken:   350 * time.Millisecond,
			TokensPerSecond:    160,
			SystemPromptTokens: 350,
			MaxTokens:          700,
			OutputMedian:       150,
			OutputSigma:        0.35,
			Verbosity:          1,
			DegradeAt:          20,
			TokensPerMinute:    1_000_000,
			ThrottleStatus:     ThrottleAs429,
			RequestsPerMinute:  2_000,
			ContextWindow:      200_000,
		},
		Retry: RetryConf{MaxAttempts: 3, Base: time.Second, MaxBackoff: 20 * time.Second},
	}
}

// Validate names the first field that makes the model unusable.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.APIGateway.IntegrationTimeout <= 0 {
		bad("api_gateway.integration_timeout must be positive")
	}
	if c.APIGateway.APIName == "" || c.APIGateway.Stage == "" {
		bad("api_gateway.api_name and api_gateway.stage must be set")
	}
	if c.APIGateway.BodyReadTimeout <= 0 || c.APIGateway.MaxBodyBytes < 1024 {
		bad("api_gateway.body_read_timeout must be positive and api_gateway.max_body_bytes at least 1024")
	}
	if a := c.Auth; a.TokenTTL <= 0 || a.SessionIdleTTL <= 0 || a.MaxTokens < 1 || a.MaxSessions < 1 {
		bad("auth.token_ttl and auth.session_idle_ttl must be positive, auth.max_tokens and auth.max_sessions at least 1")
	}
	l := c.Lambda
	if l.FunctionName == "" {
		bad("lambda.function_name is empty")
	}
	switch {
	case l.ConcurrencyLimit < 1:
		bad("lambda.concurrency_limit %d: must be at least 1", l.ConcurrencyLimit)
	case l.ConcurrencyLimit > l.AccountConcurrency:
		bad("lambda.concurrency_limit %d is above lambda.account_concurrency %d", l.ConcurrencyLimit, l.AccountConcurrency)
	case l.Reserved && l.ConcurrencyLimit > l.AccountConcurrency-100:
		bad("lambda.concurrency_limit %d: a reservation must leave 100 of lambda.account_concurrency %d unreserved (or set lambda.reserved: false)", l.ConcurrencyLimit, l.AccountConcurrency)
	case l.ScaleUpPer10s < 1:
		bad("lambda.scale_up_per_10s %d: must be at least 1", l.ScaleUpPer10s)
	}
	if c.APIGateway.ThrottleRate <= 0 || c.APIGateway.ThrottleBurst < 1 {
		bad("api_gateway.throttle_rate must be positive and api_gateway.throttle_burst at least 1")
	}
	if l.MemoryMB < 128 || l.MemoryMB > 10240 {
		bad("lambda.memory_mb %d: must be in 128..10240", l.MemoryMB)
	}
	if l.LogFormat != LogText && l.LogFormat != LogJSON {
		bad("lambda.log_format %q: must be %q or %q", l.LogFormat, LogText, LogJSON)
	}
	if e := c.Logs.StartQueryError; e != "" && logsErrors[e] == 0 {
		bad("logs.start_query_error %q: must be one of AccessDeniedException, LimitExceededException, ServiceUnavailableException, InvalidParameterException, ResourceNotFoundException", e)
	}
	if c.Logs.QueryDuration < 0 {
		bad("logs.query_duration must not be negative")
	}
	if l.IdleTimeout <= 0 {
		bad("lambda.idle_timeout must be positive")
	}
	if l.InitDuration < 0 || l.InitSigma < 0 {
		bad("lambda.init_duration and lambda.init_sigma must not be negative")
	}
	d := c.DynamoDB
	if d.Mode != Provisioned && d.Mode != OnDemand {
		bad("dynamodb.mode %q: must be %q or %q", d.Mode, Provisioned, OnDemand)
	}
	if d.BeforeModel < 0 || d.BeforeModel > len(d.Tables) {
		bad("dynamodb.before_model %d: must be in 0..%d (the number of tables)", d.BeforeModel, len(d.Tables))
	}
	if d.BurstSeconds < 0 || d.OnDemandInitialPeak <= 0 {
		bad("dynamodb.burst_seconds must not be negative and dynamodb.on_demand_initial_peak must be positive")
	}
	seen := map[string]bool{}
	for i, t := range d.Tables {
		switch {
		case t.Name == "" || seen[t.Name]:
			bad("dynamodb.tables[%d]: name %q is empty or repeated", i, t.Name)
		case t.ItemKB <= 0 || t.ItemKB > 400:
			bad("dynamodb.tables[%d] (%s): item_kb %g must be in (0, 400]", i, t.Name, t.ItemKB)
		case t.MaxWriteUnits < 0 || t.MaxWriteUnits > 0 && d.Mode != OnDemand:
			bad("dynamodb.tables[%d] (%s): max_write_units is an on-demand table's maximum throughput: positive, and only in on_demand mode", i, t.Name)
		case d.Mode == Provisioned && t.WriteCapacity <= 0:
			bad("dynamodb.tables[%d] (%s): write_capacity must be positive in provisioned mode", i, t.Name)
		}
		seen[t.Name] = true
	}
	b := c.Bedrock
	ids := map[string]bool{}
	for i, m := range b.ModelConfs() {
		key := "bedrock"
		if i > 0 {
			key = fmt.Sprintf("bedrock.models[%d]", i-1)
		}
		switch {
		case m.ModelID == "":
			bad("%s.model_id is empty: name one of the models brink knows: %s", key, strings.Join(brink.KnownModels, ", "))
		case !brink.KnownModel(m.ModelID):
			bad("%s.model_id %q is not a Bedrock model brink knows: use one of %s", key, m.ModelID, strings.Join(brink.KnownModels, ", "))
		case ids[m.ModelID]:
			bad("%s.model_id %q is named twice", key, m.ModelID)
		case *m.TokensPerMinute <= 0:
			bad("%s (%s): tokens_per_minute %g must be positive (a quota of zero or below lets nothing through)", key, m.ModelID, *m.TokensPerMinute)
		case *m.RequestsPerMinute <= 0:
			bad("%s (%s): requests_per_minute %g must be positive (a quota of zero or below lets nothing through)", key, m.ModelID, *m.RequestsPerMinute)
		case m.TokensPerSecond <= 0:
			bad("%s (%s): tokens_per_second must be positive", key, m.ModelID)
		case m.ContextWindow < b.MaxTokens+1:
			bad("%s (%s): context_window %d must exceed max_tokens %d", key, m.ModelID, m.ContextWindow, b.MaxTokens)
		case *m.ServerErrorRate < 0 || *m.ServerErrorRate >= 1:
			bad("%s (%s): server_error_rate %g must be in [0, 1)", key, m.ModelID, *m.ServerErrorRate)
		}
		ids[m.ModelID] = true
	}
	switch {
	case b.OutputMedian < 1 || b.Verbosity <= 0:
		bad("bedrock.output_median must be at least 1 and bedrock.verbosity positive")
	case b.MaxTokens < 1:
		bad("bedrock.max_tokens must be at least 1")
	case b.DegradeAt <= 0:
		bad("bedrock.degrade_at must be positive")
	case b.ThrottleStatus != ThrottleAs429 && b.ThrottleStatus != ThrottleAs503:
		bad("bedrock.throttle_status %d: must be 429 or 503", b.ThrottleStatus)
	}
	if c.Retry.MaxAttempts < 1 || c.Retry.Base < 0 || c.Retry.MaxBackoff < 0 {
		bad("retry.max_attempts must be at least 1 and retry.base, retry.max_backoff not negative")
	}
	return errors.Join(errs...)
}

// LoadConfig reads a YAML config over the defaults: keys it leaves out keep
// their default (a tables list replaces the default list). Unknown keys are
// an error naming the line.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return DefaultConfig(), fmt.Errorf("sim config: %w", err)
	}
	return ParseConfig(path, b)
}

// configKeys feeds "did you mean" hints for misspelt keys.
var configKeys = yamlx.Keys(Config{})

// ParseConfig decodes a YAML config (read from file) over the defaults;
// errors name file:line:col.
func ParseConfig(file string, data []byte) (Config, error) {
	cfg := DefaultConfig()
	if err := yamlx.Decode("sim config "+file, data, &cfg, configKeys); err != nil {
		return DefaultConfig(), err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("sim config %s: %w", file, err)
	}
	return cfg, nil
}
