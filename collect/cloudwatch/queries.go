package cloudwatch

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Series is one metric, dimension set and statistic: one GetMetricData query.
type Series struct {
	Namespace  string      `json:"namespace"`
	Metric     string      `json:"metric"`
	Dimensions []Dimension `json:"-"`
	Stat       string      `json:"stat"`
	Unit       string      `json:"unit"` // what the row records; not sent (a wrong unit gives no data)
}

// Dimension is a name and value of a metric's dimension set.
type Dimension struct{ Name, Value string }

// DimString renders dimensions as "Name=Value,..." sorted by name: the
// dimensions column of metrics/*.parquet.
func DimString(dims []Dimension) string {
	d := slices.Clone(dims)
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
	parts := make([]string, len(d))
	for i, x := range d {
		parts[i] = x.Name + "=" + x.Value
	}
	return strings.Join(parts, ",")
}

// Key identifies the series in messages and collect.json.
func (s Series) Key() string {
	return s.Namespace + " " + s.Metric + " {" + DimString(s.Dimensions) + "} " + s.Stat
}

// Namespaces.
const (
	NSAPIGateway = "AWS/ApiGateway"
	NSLambda     = "AWS/Lambda"
	NSDynamoDB   = "AWS/DynamoDB"
	NSBedrock    = "AWS/Bedrock"
)

const (
	unitCount = "Count"
	unitMS    = "Milliseconds"
)

// kind says which statistics a metric is asked for with.
type kind uint8

const (
	count   kind = iota // Sum
	gauge               // Maximum
	latency             // Spec.LatencyStats
)

type catalogued struct {
	name string
	kind kind
	unit string
}

var (
	restAPIMetrics = []catalogued{{"Count", count, unitCount}, {"4XXError", count, unitCount}, {"5XXError", count, unitCount},
		{"Latency", latency, unitMS}, {"IntegrationLatency", latency, unitMS}}
	httpAPIMetrics = []catalogued{{"Count", count, unitCount}, {"4xx", count, unitCount}, {"5xx", count, unitCount},
		{"Latency", latency, unitMS}, {"IntegrationLatency", latency, unitMS}}
	lambdaMetrics = []catalogued{{"Invocations", count, unitCount}, {"Errors", count, unitCount}, {"Throttles", count, unitCount},
		{"ConcurrentExecutions", gauge, unitCount}, {"Duration", latency, unitMS}}
	tableMetrics = []catalogued{{"ConsumedWriteCapacityUnits", count, unitCount}, {"ConsumedReadCapacityUnits", count, unitCount},
		{"ProvisionedWriteCapacityUnits", gauge, unitCount}, {"WriteThrottleEvents", count, unitCount}, {"ReadThrottleEvents", count, unitCount}}
	operationMetrics = []catalogued{{"ThrottledRequests", count, unitCount}, {"SuccessfulRequestLatency", latency, unitMS}}
	bedrockMetrics   = []catalogued{{"Invocations", count, unitCount}, {"InvocationThrottles", count, unitCount},
		{"InvocationClientErrors", count, unitCount}, {"InvocationServerErrors", count, unitCount},
		{"InputTokenCount", count, unitCount}, {"OutputTokenCount", count, unitCount},
		{"InvocationLatency", latency, unitMS}, {"TimeToFirstToken", latency, unitMS}}
)

// DefaultLatencyStats are the statistics asked of latency metrics.
var DefaultLatencyStats = []string{"Average", "p95", "p99"}

// Series lists what the spec asks for, each metric, dimension set and
// statistic once, in a stable order.
func (s Spec) Series() []Series {
	latStats := s.LatencyStats
	if len(latStats) == 0 {
		latStats = DefaultLatencyStats
	}
	var out []Series
	seen := map[string]bool{}
	add := func(ns string, cat []catalogued, dims ...Dimension) {
		for _, c := range cat {
			if slices.Contains(s.Exclude, c.name) {
				continue
			}
			stats := []string{"Sum"}
			switch c.kind {
			case gauge:
				stats = []string{"Maximum"}
			case latency:
				stats = latStats
			}
			for _, st := range stats {
				sr := Series{Namespace: ns, Metric: c.name, Dimensions: dims, Stat: st, Unit: c.unit}
				if k := sr.Key(); !seen[k] {
					seen[k] = true
					out = append(out, sr)
				}
			}
		}
	}
	switch s.API.Kind {
	case "rest":
		add(NSAPIGateway, restAPIMetrics, Dimension{"ApiName", s.API.Name}, Dimension{"Stage", s.API.Stage})
	case "http":
		add(NSAPIGateway, httpAPIMetrics, Dimension{"ApiId", s.API.ID}, Dimension{"Stage", s.API.Stage})
	}
	for _, f := range s.Lambda.Functions {
		add(NSLambda, lambdaMetrics, Dimension{"FunctionName", f})
	}
	for _, t := range s.DynamoDB.Tables {
		add(NSDynamoDB, tableMetrics, Dimension{"TableName", t})
		for _, op := range s.DynamoDB.Operations {
			add(NSDynamoDB, operationMetrics, Dimension{"TableName", t}, Dimension{"Operation", op})
		}
	}
	for _, m := range s.Bedrock.Models {
		add(NSBedrock, bedrockMetrics, Dimension{"ModelId", m})
	}
	return out
}

// Retention of CloudWatch data by resolution: 1-second (high-resolution)
// datapoints for 3 hours, 1-minute for 15 days, 5-minute for 63 days,
// 1-hour for 455 days.
const (
	HighResRetention = 3 * time.Hour
	MinuteRetention  = 15 * 24 * time.Hour
	FiveMinRetention = 63 * 24 * time.Hour
)

// PeriodFor is the finest period whose data CloudWatch still keeps for a
// window starting at start: the start is first rounded down to the
// period, as the request will be, and it is that rounded start whose age
// must lie within the period's retention (a start 20 s inside the 15-day
// limit rounds to a minute that may lie outside it).
func PeriodFor(now, start time.Time, highResolution bool) int32 {
	for _, p := range []int32{1, 60, 300} {
		if p == 1 && !highResolution {
			continue
		}
		if Period(now.Sub(start.Truncate(time.Duration(p)*time.Second)), highResolution) <= p {
			return p
		}
	}
	return 3600
}

// Period is the finest period CloudWatch still keeps for data of this age
// (now minus the window's start), in seconds: 1 when high resolution is asked
// and the data is at most 3 hours old, 60 up to 15 days, 300 up to 63 days,
// 3600 beyond.
func Period(age time.Duration, highResolution bool) int32 {
	switch {
	case highResolution && age <= HighResRetention:
		return 1
	case age <= MinuteRetention:
		return 60
	case age <= FiveMinRetention:
		return 300
	default:
		return 3600
	}
}
