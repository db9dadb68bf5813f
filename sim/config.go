package sim

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/goccy/go-yaml"
)

// Config holds every limit and latency of the model. Durations are scenario
// time. DefaultConfig's values are chosen so brink's demo ramp (10 users, +10
// per level) sees conversation latency rise from about level 4 and crosses
// the 5 s p95 and the Lambda concurrency limit within about ten levels.
type Config struct {
	Seed       int64          `yaml:"seed"`
	APIGateway APIGatewayConf `yaml:"api_gateway"`
	Lambda     LambdaConf     `yaml:"lambda"`
	Bedrock    BedrockConf    `yaml:"bedrock"`
}

// APIGatewayConf models the HTTP API in front of the function.
type APIGatewayConf struct {
	// IntegrationTimeout ends a request with 504 (API Gateway's 29 s).
	IntegrationTimeout time.Duration `yaml:"integration_timeout"`
	Overhead           time.Duration `yaml:"overhead"` // per request
}

// LambdaConf models the function every route invokes.
type LambdaConf struct {
	// ConcurrencyLimit is the reserved (or account) concurrency: a request
	// arriving while that many invocations run is throttled with 429.
	ConcurrencyLimit int           `yaml:"concurrency_limit"`
	AuthDuration     time.Duration `yaml:"auth_duration"`     // login handler
	NewChatDuration  time.Duration `yaml:"new_chat_duration"` // create-session handler
	TurnOverhead     time.Duration `yaml:"turn_overhead"`     // per turn, besides Bedrock
}

// BedrockConf models one on-demand model.
type BedrockConf struct {
	ModelID            string        `yaml:"model_id"`
	TimeToFirstToken   time.Duration `yaml:"time_to_first_token"`
	TokensPerSecond    float64       `yaml:"tokens_per_second"`
	SystemPromptTokens int           `yaml:"system_prompt_tokens"`
	MaxTokens          int           `yaml:"max_tokens"`
	// Output length is log-normal: median OutputMedian tokens, spread OutputSigma.
	OutputMedian float64 `yaml:"output_median"`
	OutputSigma  float64 `yaml:"output_sigma"`
	// Latency grows with concurrent invocations c as 1 + (c/DegradeAt)^2:
	// at c = DegradeAt an answer takes twice as long.
	DegradeAt float64 `yaml:"degrade_at"`
}

// DefaultConfig is the documented default model (docs/sim.md).
func DefaultConfig() Config {
	return Config{
		Seed: 1,
		APIGateway: APIGatewayConf{
			IntegrationTimeout: 29 * time.Second,
			Overhead:           15 * time.Millisecond,
		},
		Lambda: LambdaConf{
			ConcurrencyLimit: 36,
			AuthDuration:     60 * time.Millisecond,
			NewChatDuration:  40 * time.Millisecond,
			TurnOverhead:     80 * time.Millisecond,
		},
		Bedrock: BedrockConf{
			ModelID:            "anthropic.claude-3-haiku-20240307-v1:0",
			TimeToFirstToken:   350 * time.Millisecond,
			TokensPerSecond:    120,
			SystemPromptTokens: 350,
			MaxTokens:          700,
			OutputMedian:       150,
			OutputSigma:        0.35,
			DegradeAt:          33,
		},
	}
}

// Validate names the first field that makes the model unusable.
func (c Config) Validate() error {
	switch {
	case c.APIGateway.IntegrationTimeout <= 0:
		return fmt.Errorf("api_gateway.integration_timeout must be positive")
	case c.Lambda.ConcurrencyLimit < 1:
		return fmt.Errorf("lambda.concurrency_limit %d: must be at least 1", c.Lambda.ConcurrencyLimit)
	case c.Bedrock.ModelID == "":
		return fmt.Errorf("bedrock.model_id is empty: name a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0")
	case c.Bedrock.TokensPerSecond <= 0:
		return fmt.Errorf("bedrock.tokens_per_second must be positive")
	case c.Bedrock.OutputMedian < 1:
		return fmt.Errorf("bedrock.output_median must be at least 1")
	case c.Bedrock.MaxTokens < 1:
		return fmt.Errorf("bedrock.max_tokens must be at least 1")
	case c.Bedrock.DegradeAt <= 0:
		return fmt.Errorf("bedrock.degrade_at must be positive")
	}
	return nil
}

// LoadConfig reads a YAML config over the defaults: keys it leaves out keep
// their default. Unknown keys are an error naming the line.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("sim config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b), yaml.DisallowUnknownField())
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("sim config %s: %s", path, yaml.FormatError(err, false, false))
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("sim config %s: %w", path, err)
	}
	return cfg, nil
}
