package pricing

import (
	"fmt"
	"math"
	"os"

	"brink/internal/yamlx"
)

// usageFile is the YAML of brink analyze --usage: how the real stack is
// sized, where the traces cannot say. Keys left out keep DefaultUsage's
// values (the brink sim's stack).
type usageFile struct {
	APIGateway struct {
		Type *string `yaml:"type"` // rest or http
	} `yaml:"api_gateway"`
	Lambda struct {
		MemoryMB     *int    `yaml:"memory_mb"`
		Architecture *string `yaml:"architecture"` // x86 or arm
	} `yaml:"lambda"`
	DynamoDB struct {
		Mode              *string  `yaml:"mode"` // provisioned or on_demand
		ProvisionedWCU    *float64 `yaml:"provisioned_wcu"`
		ProvisionedRCU    *float64 `yaml:"provisioned_rcu"`
		WriteUnitsPerTurn *float64 `yaml:"write_units_per_turn"`
		ReadUnitsPerTurn  *float64 `yaml:"read_units_per_turn"`
	} `yaml:"dynamodb"`
	Bedrock struct {
		TPMQuota            *float64 `yaml:"tokens_per_minute_quota"`
		CrossRegionTPMQuota *float64 `yaml:"cross_region_tokens_per_minute_quota"`
		MaxTokens           *int     `yaml:"max_tokens"`
	} `yaml:"bedrock"`
}

var usageKeys = yamlx.Keys(usageFile{})

// LoadUsage reads a usage file (brink analyze --usage).
func LoadUsage(path string) (Usage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return DefaultUsage(), fmt.Errorf("usage file: %w", err)
	}
	return ParseUsage(path, b)
}

// ParseUsage decodes a usage file over DefaultUsage; errors name
// file:line:col or the key. Its Sizing names the file.
func ParseUsage(file string, data []byte) (Usage, error) {
	u := DefaultUsage()
	var f usageFile
	if err := yamlx.Decode("usage file "+file, data, &f, usageKeys); err != nil {
		return u, err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setF := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.APIGatewayType, f.APIGateway.Type)
	if f.Lambda.MemoryMB != nil {
		u.LambdaMemoryMB = *f.Lambda.MemoryMB
	}
	set(&u.LambdaArch, f.Lambda.Architecture)
	set(&u.DynamoDBMode, f.DynamoDB.Mode)
	setF(&u.ProvisionedWCU, f.DynamoDB.ProvisionedWCU)
	setF(&u.ProvisionedRCU, f.DynamoDB.ProvisionedRCU)
	setF(&u.WriteUnitsPerTurn, f.DynamoDB.WriteUnitsPerTurn)
	setF(&u.ReadUnitsPerTurn, f.DynamoDB.ReadUnitsPerTurn)
	setF(&u.BedrockTPMQuota, f.Bedrock.TPMQuota)
	setF(&u.BedrockCrossRegionTPMQuota, f.Bedrock.CrossRegionTPMQuota)
	if f.Bedrock.MaxTokens != nil {
		u.BedrockMaxTokens = *f.Bedrock.MaxTokens
	}
	for _, v := range []float64{u.ProvisionedWCU, u.ProvisionedRCU, u.WriteUnitsPerTurn, u.ReadUnitsPerTurn, u.BedrockTPMQuota, u.BedrockCrossRegionTPMQuota} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return u, fmt.Errorf("usage file %s: %v is not a number", file, v)
		}
	}
	if err := u.Validate(); err != nil {
		return u, fmt.Errorf("usage file %s: %w", file, err)
	}
	u.Sizing = "usage file " + file + ": " + u.Describe()
	return u, nil
}

// Describe says the sizing priced in a few words: "REST API, 1024 MB x86
// Lambda, DynamoDB provisioned 90 WCU / 0 RCU".
func (u Usage) Describe() string {
	api := "HTTP API"
	if u.APIGatewayType == APIREST {
		api = "REST API"
	}
	ddb := fmt.Sprintf("DynamoDB provisioned %g WCU / %g RCU", u.ProvisionedWCU, u.ProvisionedRCU)
	if u.DynamoDBMode == OnDemand {
		ddb = fmt.Sprintf("DynamoDB on-demand (%g write, %g read units a turn)", u.WriteUnitsPerTurn, u.ReadUnitsPerTurn)
	}
	return fmt.Sprintf("%s, %d MB %s Lambda, %s", api, u.LambdaMemoryMB, u.LambdaArch, ddb)
}
