package pricing

import (
	"fmt"
	"time"

	"brink"
)

// Usage holds the per-request assumptions infrastructure cost and the
// capacity checks rest on, where traces cannot say. The defaults match the
// embedded sim's documented defaults (docs/sim.md), so a demo run is priced
// the way the sim is built; set them to your stack's figures for a real API.
type Usage struct {
	// DefaultModel prices answers whose trace names no model.
	DefaultModel string
	// LambdaMemoryMB and LambdaArch size and price the function.
	LambdaMemoryMB int
	LambdaArch     string
	// LambdaDuration is the billed duration of every invocation; 0 takes
	// each request's measured latency minus APIGatewayOverhead (the function
	// waits for Bedrock, so it runs as long as the request, less the
	// gateway's own time).
	LambdaDuration     time.Duration
	APIGatewayOverhead time.Duration
	APIGatewayType     string // http or rest
	// DynamoDB: each answered turn writes WriteUnitsPerTurn (sim: four
	// tables, ⌈0.8⌉+⌈1.5⌉+⌈2.5⌉+⌈0.5⌉ = 7 units) and reads ReadUnitsPerTurn.
	// Provisioned mode bills ProvisionedWCU/RCU per hour whatever the
	// traffic (sim: 15+30+30+15 = 90 WCU); on_demand bills request units.
	DynamoDBMode      string
	WriteUnitsPerTurn float64
	ReadUnitsPerTurn  float64
	ProvisionedWCU    float64
	ProvisionedRCU    float64
	// Limits the what-if checks against. Bedrock's tokens-per-minute quotas
	// are per model, one for in-Region (on-demand) calls and a separate one
	// for calls through a cross-Region inference profile (0: the same as
	// BedrockTPMQuota). A call reserves its input + BedrockMaxTokens when it
	// starts and gives back what its answer did not use.
	BedrockTPMQuota            float64 // on-demand tokens per minute per model (sim: 1,000,000)
	BedrockCrossRegionTPMQuota float64
	BedrockMaxTokens           int // the calls' max_tokens (sim: 700)
	LambdaConcurrencyLimit     int // reserved/account concurrency (sim: 32)
	// The pre-run estimate's figures for a stack not yet measured.
	TurnsPerUserMinute  float64 // closed model: answered turns per active user per minute
	TurnsPerSession     float64 // open model: turns of one session (built-in flow: 3–6)
	InputTokensPerTurn  float64
	OutputTokensPerTurn float64
	// Sizing says where the sizing priced came from, for the report: the
	// sim's defaults, a usage file, the API type the metrics showed.
	Sizing string
}

// SimSizing is DefaultUsage's Sizing.
const SimSizing = "the brink sim's default stack"

// DefaultUsage returns the assumptions that match brink sim's defaults.
func DefaultUsage() Usage {
	return Usage{
		DefaultModel:           "anthropic.claude-3-haiku-20240307-v1:0",
		LambdaMemoryMB:         1024,
		LambdaArch:             ArchX86,
		APIGatewayOverhead:     15 * time.Millisecond,
		APIGatewayType:         APIREST, // the sim models a REST API (ApiName, 4XXError)
		DynamoDBMode:           Provisioned,
		WriteUnitsPerTurn:      7,
		ProvisionedWCU:         90,
		BedrockTPMQuota:        1_000_000,
		BedrockMaxTokens:       700,
		LambdaConcurrencyLimit: 32,
		TurnsPerUserMinute:     6,
		TurnsPerSession:        4.5,
		InputTokensPerTurn:     900,
		OutputTokensPerTurn:    160,
		Sizing:                 SimSizing,
	}
}

// Validate names the first unusable assumption.
func (u Usage) Validate() error {
	switch {
	case u.LambdaMemoryMB < 128 || u.LambdaMemoryMB > 10240:
		return fmt.Errorf("lambda memory %d MB: want 128..10240", u.LambdaMemoryMB)
	case u.LambdaArch != ArchX86 && u.LambdaArch != ArchARM:
		return fmt.Errorf("lambda architecture %q: want x86 or arm", u.LambdaArch)
	case u.APIGatewayType != APIHTTP && u.APIGatewayType != APIREST:
		return fmt.Errorf("api gateway type %q: want http or rest", u.APIGatewayType)
	case u.DynamoDBMode != OnDemand && u.DynamoDBMode != Provisioned:
		return fmt.Errorf("dynamodb mode %q: want on_demand or provisioned", u.DynamoDBMode)
	case u.LambdaDuration < 0 || u.APIGatewayOverhead < 0:
		return fmt.Errorf("lambda duration and gateway overhead must not be negative")
	case u.WriteUnitsPerTurn < 0 || u.ReadUnitsPerTurn < 0 || u.ProvisionedWCU < 0 || u.ProvisionedRCU < 0:
		return fmt.Errorf("dynamodb units must not be negative")
	case u.BedrockTPMQuota < 0 || u.BedrockCrossRegionTPMQuota < 0 || u.BedrockMaxTokens < 0:
		return fmt.Errorf("bedrock quotas and max_tokens must not be negative")
	}
	return nil
}

// Assumptions is the form summary.json records.
func (u Usage) Assumptions() brink.CostAssumptions {
	return brink.CostAssumptions{
		DefaultModel:           u.DefaultModel,
		LambdaMemoryMB:         u.LambdaMemoryMB,
		LambdaArch:             u.LambdaArch,
		LambdaDurationMS:       float64(u.LambdaDuration) / float64(time.Millisecond),
		APIGatewayOverhead:     float64(u.APIGatewayOverhead) / float64(time.Millisecond),
		APIGatewayType:         u.APIGatewayType,
		DynamoDBMode:           u.DynamoDBMode,
		WriteUnitsPerTurn:      u.WriteUnitsPerTurn,
		ReadUnitsPerTurn:       u.ReadUnitsPerTurn,
		ProvisionedWCU:         u.ProvisionedWCU,
		ProvisionedRCU:         u.ProvisionedRCU,
		BedrockTPMQuota:        u.BedrockTPMQuota,
		BedrockCrossRegionTPM:  u.BedrockCrossRegionTPMQuota,
		BedrockMaxTokens:       u.BedrockMaxTokens,
		LambdaConcurrencyLimit: u.LambdaConcurrencyLimit,
		Sizing:                 u.Sizing,
	}
}

// LambdaGB is the function's memory in GB (1024 MB = 1 GB, as AWS bills).
func (u Usage) LambdaGB() float64 { return float64(u.LambdaMemoryMB) / 1024 }

// TPMQuota is the tokens-per-minute quota a model id's calls count against:
// the cross-Region one for an inference profile id, else the on-demand one.
func (u Usage) TPMQuota(id string) (quota float64, kind string) {
	if brink.CrossRegionProfile(id) && u.BedrockCrossRegionTPMQuota > 0 {
		return u.BedrockCrossRegionTPMQuota, "cross-Region"
	}
	if brink.CrossRegionProfile(id) {
		return u.BedrockTPMQuota, "cross-Region (taken equal to the on-demand quota)"
	}
	return u.BedrockTPMQuota, "on-demand"
}
