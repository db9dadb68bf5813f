package cloudwatch

import (
	_ "embed"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"brink/internal/yamlx"
)

// Spec names the resources whose metrics a run is collected for.
type Spec struct {
	// HighResolution asks for 1-second periods where the data is young
	// enough (3 hours): brink sim keeps 1-second data; AWS service metrics
	// are 1-minute, so against AWS it only helps custom metrics.
	HighResolution bool         `yaml:"high_resolution"`
	API            APISpec      `yaml:"api"`
	Lambda         LambdaSpec   `yaml:"lambda"`
	DynamoDB       DynamoSpec   `yaml:"dynamodb"`
	Bedrock        BedrockSpec  `yaml:"bedrock"`
	LatencyStats   []string     `yaml:"latency_stats"` // default Average, p95, p99
	Exclude        []string     `yaml:"exclude"`       // metric names not to ask for
	LogsInsights   InsightsSpec `yaml:"logs_insights"`
	// BrinkSim asks a brink sim for its own self-measurement (namespace
	// Brink/Sim: each conversation turn's lateness and modelled service
	// time, docs/measurement.md), kept apart from the platform's metrics.
	BrinkSim bool `yaml:"brink_sim"`
}

// APISpec names an API Gateway API. Kind "rest" is a REST API (dimensions
// ApiName and Stage; 4XXError, 5XXError), "http" an HTTP API (ApiId and
// Stage; 4xx, 5xx). An empty Kind with no name and no id asks for nothing.
type APISpec struct {
	Kind  string `yaml:"kind"`
	Name  string `yaml:"name"`
	ID    string `yaml:"id"`
	Stage string `yaml:"stage"`
}

// LambdaSpec names functions and the log groups their REPORT lines go to
// (default /aws/lambda/<function>, in the order of Functions).
type LambdaSpec struct {
	Functions []string `yaml:"functions"`
	LogGroups []string `yaml:"log_groups"`
}

// DynamoSpec names tables, the operations whose per-operation metrics
// (ThrottledRequests, SuccessfulRequestLatency) are asked for, and global
// secondary indexes (their own capacity and throttle metrics, dimensions
// TableName and GlobalSecondaryIndexName).
type DynamoSpec struct {
	Tables     []string    `yaml:"tables"`
	Operations []string    `yaml:"operations"`
	Indexes    []IndexSpec `yaml:"indexes"`
}

// IndexSpec names a global secondary index of one of the spec's tables.
type IndexSpec struct {
	Table string `yaml:"table"`
	Name  string `yaml:"name"`
}

// BedrockSpec names model ids (the ModelId dimension).
type BedrockSpec struct {
	Models []string `yaml:"models"`
}

// InsightsSpec configures the cold-start query. Bin defaults to the metrics
// period; Query, when set, must contain {bin}; Disabled skips the query.
type InsightsSpec struct {
	Disabled bool   `yaml:"disabled"`
	Bin      string `yaml:"bin"`
	Query    string `yaml:"query"`
}

// ColdStartQuery is the Logs Insights query over the Lambda reports, in
// either log format: text REPORT lines (@type REPORT; "Init Duration",
// "Restore Duration") and, under the JSON format, platform.report events
// (type; record.metrics.initDurationMs, restoreDurationMs). Per bin:
// invocations, cold starts (an init phase) and SnapStart restores.
const ColdStartQuery = `filter @type = "REPORT" or type = "platform.report"` +
	` | stats count(*) as invocations,` +
	` sum(strcontains(@message, "Init Duration") + strcontains(@message, "initDurationMs")) as cold_starts,` +
	` sum(strcontains(@message, "Restore Duration") + strcontains(@message, "restoreDurationMs")) as restores` +
	` by bin({bin})`

var (
	//go:embed specs/aws.yaml
	awsSpecYAML []byte
	//go:embed specs/sim.yaml
	simSpecYAML []byte
)

// DefaultSpecYAML is the default spec for a chat stack on AWS, as YAML to
// copy and edit.
func DefaultSpecYAML() []byte { return slices.Clone(awsSpecYAML) }

// DefaultSpec is the spec for a generic API Gateway + Lambda + DynamoDB +
// Bedrock chat stack (specs/aws.yaml).
func DefaultSpec() Spec { return mustSpec("specs/aws.yaml", awsSpecYAML) }

// SimSpec is the spec for brink sim's default model (specs/sim.yaml).
func SimSpec() Spec { return mustSpec("specs/sim.yaml", simSpecYAML) }

func mustSpec(name string, b []byte) Spec {
	s, err := ParseSpec(name, b)
	if err != nil {
		panic(err) // the embedded specs are tested
	}
	return s
}

// specKeys feeds "did you mean" hints.
var specKeys = yamlx.Keys(Spec{})

// LoadSpec reads a spec file.
func LoadSpec(path string) (Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, fmt.Errorf("read metric spec: %w", err)
	}
	return ParseSpec(path, b)
}

// ParseSpec decodes and checks a spec; errors name file:line:col where the
// decoder knows them, else the key.
func ParseSpec(file string, data []byte) (s Spec, err error) {
	// goccy/go-yaml v1.19.2 panics on some tagged sequences (found by
	// FuzzParseSpec: `latency_stats: !tag 0 0`); a spec is outside input.
	defer func() {
		if r := recover(); r != nil {
			s, err = Spec{}, fmt.Errorf("%s: not a metric spec the YAML decoder can read (%v)", file, r)
		}
	}()
	if err := yamlx.Decode(file, data, &s, specKeys); err != nil {
		return Spec{}, err
	}
	if err := s.Validate(); err != nil {
		return Spec{}, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

var (
	percentileStat = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100)$`)
	plainStats     = []string{"Sum", "Average", "Minimum", "Maximum", "SampleCount"}
)

// Validate reports the first mistake in s, naming its key.
func (s *Spec) Validate() error {
	switch s.API.Kind {
	case "rest":
		if s.API.Name == "" || s.API.ID != "" {
			return fmt.Errorf("api: a rest API is named by name (its ApiName), not id")
		}
	case "http":
		if s.API.ID == "" || s.API.Name != "" {
			return fmt.Errorf("api: an http API is named by id (its ApiId), not name")
		}
	case "":
		if s.API.Name != "" || s.API.ID != "" {
			return fmt.Errorf("api.kind: say rest (ApiName + Stage) or http (ApiId + Stage)")
		}
	default:
		return fmt.Errorf("api.kind %q: want rest (ApiName + Stage) or http (ApiId + Stage)", s.API.Kind)
	}
	if s.API.Kind != "" && s.API.Stage == "" {
		return fmt.Errorf("api.stage: required (the Stage dimension, e.g. prod)")
	}
	if len(s.Lambda.LogGroups) > 0 && len(s.Lambda.LogGroups) != len(s.Lambda.Functions) {
		return fmt.Errorf("lambda.log_groups: %d groups for %d functions: give one per function, or none for /aws/lambda/<function>",
			len(s.Lambda.LogGroups), len(s.Lambda.Functions))
	}
	for key, list := range map[string][]string{"lambda.functions": s.Lambda.Functions, "lambda.log_groups": s.Lambda.LogGroups,
		"dynamodb.tables": s.DynamoDB.Tables, "dynamodb.operations": s.DynamoDB.Operations, "bedrock.models": s.Bedrock.Models,
		"exclude": s.Exclude} {
		for i, v := range list {
			if strings.TrimSpace(v) == "" || len(v) > 1024 {
				return fmt.Errorf("%s[%d]: empty or too long", key, i)
			}
			if slices.Index(list, v) != i {
				return fmt.Errorf("%s: %q is listed twice", key, v)
			}
		}
	}
	for i, ix := range s.DynamoDB.Indexes {
		switch {
		case ix.Name == "" || len(ix.Name) > 255:
			return fmt.Errorf("dynamodb.indexes[%d].name: empty or too long", i)
		case !slices.Contains(s.DynamoDB.Tables, ix.Table):
			return fmt.Errorf("dynamodb.indexes[%d].table %q: not one of dynamodb.tables", i, ix.Table)
		case slices.IndexFunc(s.DynamoDB.Indexes, func(o IndexSpec) bool { return o == ix }) != i:
			return fmt.Errorf("dynamodb.indexes[%d]: %s/%s is listed twice", i, ix.Table, ix.Name)
		}
	}
	for _, st := range s.LatencyStats {
		if !validStat(st) {
			return fmt.Errorf("latency_stats: %q is not a statistic: want Average, Minimum, Maximum, Sum, SampleCount or pNN (p95, p99.9)", st)
		}
	}
	if slices.Index(s.LatencyStats, "") >= 0 || len(s.LatencyStats) != len(uniq(s.LatencyStats)) {
		return fmt.Errorf("latency_stats: a statistic is listed twice")
	}
	if s.LogsInsights.Bin != "" {
		if _, err := parseBin(s.LogsInsights.Bin); err != nil {
			return fmt.Errorf("logs_insights.bin: %w", err)
		}
	}
	if q := s.LogsInsights.Query; q != "" && !strings.Contains(q, "{bin}") {
		return fmt.Errorf("logs_insights.query: must contain {bin} where the bin width goes, as in bin({bin})")
	}
	return nil
}

func uniq(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

func validStat(st string) bool {
	if slices.Contains(plainStats, st) {
		return true
	}
	if m := percentileStat.FindStringSubmatch(st); m != nil {
		f, err := strconv.ParseFloat(st[1:], 64)
		return err == nil && f > 0 && f <= 100
	}
	return false
}

// parseBin reads a Logs Insights bin width: a Go duration of whole seconds
// (30s, 1m, 1h).
func parseBin(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a duration like 1m or 30s", s)
	}
	if d < time.Second || d%time.Second != 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("%q: want whole seconds between 1s and 24h", s)
	}
	return d, nil
}

// formatBin writes a bin width the way Logs Insights reads it.
func formatBin(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	default:
		return strconv.Itoa(int(d/time.Second)) + "s"
	}
}

// logGroups lists the log groups of the spec's functions.
func (s *Spec) logGroups() []string {
	if len(s.Lambda.LogGroups) > 0 {
		return s.Lambda.LogGroups
	}
	out := make([]string, len(s.Lambda.Functions))
	for i, f := range s.Lambda.Functions {
		out[i] = "/aws/lambda/" + f
	}
	return out
}
