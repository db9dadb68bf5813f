// Package pricing holds brink's price sheet and the arithmetic that turns
// token and request counts into dollars: the cost of a measured run, the
// estimate printed before a run, and the what-if projections (more users,
// more engagement, longer answers, another model, caching, rate limits).
//
// It is pure Go and reads nothing but the YAML it is given: it does not
// query traces (package analyze does, with DuckDB) and it does not fetch
// prices from AWS. Every price names its source and the date it was read;
// the embedded default (prices.yaml) is us-east-1 on-demand USD.
package pricing

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"brink"
	"brink/internal/yamlx"
)

//go:embed prices.yaml
var defaultYAML []byte

// DefaultYAML is the text of the embedded price sheet, to copy and edit.
func DefaultYAML() []byte { return slices.Clone(defaultYAML) }

// Sheet is a price sheet. Prices are in Currency (USD for the default).
type Sheet struct {
	Currency   string                `yaml:"currency" json:"currency"`
	Region     string                `yaml:"region" json:"region"`
	Bedrock    map[string]ModelPrice `yaml:"bedrock" json:"bedrock"`
	Lambda     LambdaPrice           `yaml:"lambda" json:"lambda"`
	DynamoDB   DynamoDBPrice         `yaml:"dynamodb" json:"dynamodb"`
	APIGateway APIGatewayPrice       `yaml:"api_gateway" json:"api_gateway"`
	// File is where the sheet was read from ("embedded" for the default).
	File string `yaml:"-" json:"file"`
}

// Source says where an entry's figures come from and when they were read.
type Source struct {
	Source string `yaml:"source" json:"source"`
	AsOf   string `yaml:"as_of" json:"as_of"` // YYYY-MM-DD
}

// ModelPrice is a Bedrock model's on-demand price per million tokens.
type ModelPrice struct {
	Name             string  `yaml:"name" json:"name"`
	InputPerMillion  float64 `yaml:"input_per_million" json:"input_per_million"`
	OutputPerMillion float64 `yaml:"output_per_million" json:"output_per_million"`
	// RegionalPremium is what a geographic cross-region inference profile
	// (us., eu., apac. in front of the id) costs over the listed (global)
	// price, as a fraction: 0.10 for Claude 4.5 models.
	RegionalPremium float64 `yaml:"regional_premium,omitempty" json:"regional_premium,omitempty"`
	Source          string  `yaml:"source" json:"source"`
	AsOf            string  `yaml:"as_of" json:"as_of"`
}

// LambdaPrice is AWS Lambda's price of requests and of compute.
type LambdaPrice struct {
	RequestsPerMillion float64 `yaml:"requests_per_million" json:"requests_per_million"`
	GBSecondX86        float64 `yaml:"gb_second_x86" json:"gb_second_x86"`
	GBSecondARM        float64 `yaml:"gb_second_arm" json:"gb_second_arm"`
	Source             string  `yaml:"source" json:"source"`
	AsOf               string  `yaml:"as_of" json:"as_of"`
}

// DynamoDBPrice is DynamoDB's on-demand request-unit and provisioned
// capacity-unit-hour prices.
type DynamoDBPrice struct {
	OnDemandWritePerMillion float64 `yaml:"on_demand_write_per_million" json:"on_demand_write_per_million"`
	OnDemandReadPerMillion  float64 `yaml:"on_demand_read_per_million" json:"on_demand_read_per_million"`
	ProvisionedWCUHour      float64 `yaml:"provisioned_wcu_hour" json:"provisioned_wcu_hour"`
	ProvisionedRCUHour      float64 `yaml:"provisioned_rcu_hour" json:"provisioned_rcu_hour"`
	Source                  string  `yaml:"source" json:"source"`
	AsOf                    string  `yaml:"as_of" json:"as_of"`
}

// APIGatewayPrice is API Gateway's price per million requests.
type APIGatewayPrice struct {
	HTTPPerMillion float64 `yaml:"http_per_million" json:"http_per_million"`
	RESTPerMillion float64 `yaml:"rest_per_million" json:"rest_per_million"`
	Source         string  `yaml:"source" json:"source"`
	AsOf           string  `yaml:"as_of" json:"as_of"`
}

var knownKeys = yamlx.Keys(Sheet{})

// Default returns the embedded price sheet.
func Default() *Sheet {
	s, err := Parse("embedded", defaultYAML)
	if err != nil {
		panic(err) // the embedded sheet is tested
	}
	return s
}

// Load reads a price sheet file; an empty path is the embedded default.
func Load(path string) (*Sheet, error) {
	if path == "" {
		return Default(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("price sheet: %w", err)
	}
	return Parse(path, b)
}

var asOfRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Parse decodes and checks a price sheet. Errors name file:line:col where
// the decoder or the check knows it.
func Parse(file string, data []byte) (*Sheet, error) {
	var s Sheet
	name := "price sheet " + file
	if err := yamlx.Decode(name, data, &s, knownKeys); err != nil {
		return nil, err
	}
	s.File = file
	if s.Currency == "" {
		s.Currency = "USD"
	}
	var errs []error
	bad := func(key, format string, a ...any) {
		line, col := lineOf(data, key)
		errs = append(errs, yamlx.At(name, line, col, format, a...))
	}
	checkSource := func(key string, src Source) {
		if strings.TrimSpace(src.Source) == "" {
			bad(key, "%s: source is missing: every price names where it comes from", key)
		}
		if !asOfRE.MatchString(src.AsOf) {
			bad(key, "%s: as_of %q: want the date the price was read, YYYY-MM-DD", key, src.AsOf)
		}
	}
	checkPrice := func(key, field string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			bad(key, "%s.%s %v: want a price of zero or more", key, field, v)
		}
	}
	if len(s.Bedrock) == 0 {
		bad("bedrock", "bedrock: no model prices: list at least one model id")
	}
	for _, id := range s.ModelIDs() {
		m := s.Bedrock[id]
		if strings.TrimSpace(id) == "" {
			bad("bedrock", "bedrock: an empty model id")
		}
		checkPrice(id, "input_per_million", m.InputPerMillion)
		checkPrice(id, "output_per_million", m.OutputPerMillion)
		if m.RegionalPremium < 0 || m.RegionalPremium > 1 {
			bad(id, "%s.regional_premium %v: want a fraction in 0..1 (0.10 is 10%%)", id, m.RegionalPremium)
		}
		checkSource(id, Source{m.Source, m.AsOf})
	}
	l := s.Lambda
	checkPrice("lambda", "requests_per_million", l.RequestsPerMillion)
	checkPrice("lambda", "gb_second_x86", l.GBSecondX86)
	checkPrice("lambda", "gb_second_arm", l.GBSecondARM)
	checkSource("lambda", Source{l.Source, l.AsOf})
	d := s.DynamoDB
	checkPrice("dynamodb", "on_demand_write_per_million", d.OnDemandWritePerMillion)
	checkPrice("dynamodb", "on_demand_read_per_million", d.OnDemandReadPerMillion)
	checkPrice("dynamodb", "provisioned_wcu_hour", d.ProvisionedWCUHour)
	checkPrice("dynamodb", "provisioned_rcu_hour", d.ProvisionedRCUHour)
	checkSource("dynamodb", Source{d.Source, d.AsOf})
	a := s.APIGateway
	checkPrice("api_gateway", "http_per_million", a.HTTPPerMillion)
	checkPrice("api_gateway", "rest_per_million", a.RESTPerMillion)
	checkSource("api_gateway", Source{a.Source, a.AsOf})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &s, nil
}

// lineOf finds the line and column of a mapping key in the YAML text (the
// first line whose content starts with the key, quoted or not), or 0, 0.
func lineOf(data []byte, key string) (int, int) {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimLeft(line, " \t")
		for _, k := range []string{key + ":", `"` + key + `":`, `'` + key + `':`} {
			if strings.HasPrefix(t, k) {
				return i + 1, len(line) - len(t) + 1
			}
		}
	}
	return 0, 0
}

// ModelIDs lists the sheet's model ids, sorted.
func (s *Sheet) ModelIDs() []string {
	ids := make([]string, 0, len(s.Bedrock))
	for id := range s.Bedrock {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// UnknownModelError is a model id the price sheet has no price for.
type UnknownModelError struct {
	ID    string
	File  string   // the sheet
	Known []string // the ids it has
}

func (e *UnknownModelError) Error() string {
	return fmt.Sprintf("model %q has no price in the price sheet (%s); it knows %s. "+
		"To add one, copy the sheet (brink whatif --print-prices > prices.yaml), add an entry under bedrock: "+
		"with input_per_million, output_per_million, source and as_of, and pass --prices prices.yaml",
		e.ID, e.File, strings.Join(e.Known, ", "))
}

// Model returns the price of a Bedrock model id or of an inference
// profile id (us., eu., apac., global. in front of a model id: CloudWatch's
// ModelId and the answer's model then name the profile), or an
// *UnknownModelError. A geographic profile of a model with a regional
// premium costs that much more; a global profile costs the listed price.
func (s *Sheet) Model(id string) (ModelPrice, error) {
	if m, ok := s.Bedrock[id]; ok {
		return m, nil
	}
	base := brink.BaseModelID(id)
	m, ok := s.Bedrock[base]
	if !ok {
		return ModelPrice{}, &UnknownModelError{ID: id, File: s.File, Known: s.ModelIDs()}
	}
	if !strings.HasPrefix(id, "global.") && m.RegionalPremium > 0 {
		f := 1 + m.RegionalPremium
		m.InputPerMillion, m.OutputPerMillion = m.InputPerMillion*f, m.OutputPerMillion*f
		m.Name = fmt.Sprintf("%s (%s profile, +%.0f%%)", m.Name, strings.TrimSuffix(id[:len(id)-len(base)], "."), m.RegionalPremium*100)
	}
	return m, nil
}

// AsOf is the oldest as_of date of the sheet's entries: the sheet is at
// least as stale as that.
func (s *Sheet) AsOf() string {
	dates := []string{s.Lambda.AsOf, s.DynamoDB.AsOf, s.APIGateway.AsOf}
	for _, m := range s.Bedrock {
		dates = append(dates, m.AsOf)
	}
	return slices.Min(dates)
}

// perMillion is the price of one unit, given a price per million.
func perMillion(p float64) float64 { return p / 1e6 }

// TokensUSD prices input and output tokens.
func (m ModelPrice) TokensUSD(input, output float64) (inputUSD, outputUSD float64) {
	return input * perMillion(m.InputPerMillion), output * perMillion(m.OutputPerMillion)
}

// Lambda architectures.
const (
	ArchX86 = "x86"
	ArchARM = "arm"
)

// GBSecond is the price of a GB-second on an architecture (x86 or arm).
func (s *Sheet) GBSecond(arch string) (float64, error) {
	switch arch {
	case ArchX86, "", "x86_64":
		return s.Lambda.GBSecondX86, nil
	case ArchARM, "arm64":
		return s.Lambda.GBSecondARM, nil
	}
	return 0, fmt.Errorf("lambda architecture %q: want x86 or arm", arch)
}

// LambdaUSD prices Lambda invocations and compute (GB-seconds).
func (s *Sheet) LambdaUSD(invocations, gbSeconds float64, arch string) (float64, error) {
	gbs, err := s.GBSecond(arch)
	if err != nil {
		return 0, err
	}
	return invocations*perMillion(s.Lambda.RequestsPerMillion) + gbSeconds*gbs, nil
}

// API Gateway API types.
const (
	APIHTTP = "http"
	APIREST = "rest"
)

// APIGatewayPerRequest is the price of one request to an HTTP or REST API.
func (s *Sheet) APIGatewayPerRequest(kind string) (float64, error) {
	switch kind {
	case APIHTTP, "":
		return perMillion(s.APIGateway.HTTPPerMillion), nil
	case APIREST:
		return perMillion(s.APIGateway.RESTPerMillion), nil
	}
	return 0, fmt.Errorf("api gateway type %q: want http or rest", kind)
}

// DynamoDB capacity modes.
const (
	OnDemand    = "on_demand"
	Provisioned = "provisioned"
)

// DynamoDBOnDemandUSD prices on-demand write and read request units.
func (s *Sheet) DynamoDBOnDemandUSD(writeUnits, readUnits float64) float64 {
	return writeUnits*perMillion(s.DynamoDB.OnDemandWritePerMillion) + readUnits*perMillion(s.DynamoDB.OnDemandReadPerMillion)
}

// DynamoDBProvisionedUSD prices provisioned capacity held for hours.
func (s *Sheet) DynamoDBProvisionedUSD(wcu, rcu, hours float64) float64 {
	return (wcu*s.DynamoDB.ProvisionedWCUHour + rcu*s.DynamoDB.ProvisionedRCUHour) * hours
}

// staleAfter is the age past which a sheet's prices are suspect.
const staleAfter = 365 * 24 * time.Hour

// Stale says, when the sheet's oldest as_of date is more than a year
// before now, what to tell the user; "" when it is current.
func (s *Sheet) Stale(now time.Time) string {
	asOf, err := time.Parse("2006-01-02", s.AsOf())
	if err != nil || now.Sub(asOf) <= staleAfter {
		return ""
	}
	return fmt.Sprintf("price sheet %s is dated %s, more than a year ago: check its prices against the AWS pages it names, or pass --prices FILE with current ones",
		s.File, s.AsOf())
}
