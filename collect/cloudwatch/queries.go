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
	// MinPeriod is the coarsest resolution AWS publishes the metric at
	// (DynamoDB's provisioned capacity: 300 s); the query's period is
	// rounded up to a multiple of it. 0: the window's period.
	MinPeriod int32 `json:"min_period_s,omitempty"`
	// Self marks the brink sim's self-measurement (Brink/Sim): custom
	// metrics stored at 1 second, asked at 1 s while younger than 3 hours
	// whatever the spec's high_resolution, and returned in Result.Sim, not
	// with the platform's metrics.
	Self bool `json:"self,omitempty"`
}

// PeriodFor is the period this series is asked at when the window's
// period is p.
func (s Series) PeriodFor(p int32) int32 {
	if s.MinPeriod <= p || s.MinPeriod == 0 {
		return p
	}
	return (s.MinPeriod + p - 1) / p * p
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
	NSBrinkSim   = "Brink/Sim" // brink sim's self-measurement
)

const (
	unitCount = "Count"
	unitMS    = "Milliseconds"
)

// kind says which statistics a metric is asked for with.
type kind uint8

const (
	count    kind = iota // Sum
	gauge                // Maximum
	latency              // Spec.LatencyStats
	averages             // Average and Maximum: a latency AWS lists no percentiles for
)

type catalogued struct {
	name      string
	kind      kind
	unit      string
	minPeriod int32 // see Series.MinPeriod
}

var (
	restAPIMetrics = []catalogued{{"Count", count, unitCount, 0}, {"4XXError", count, unitCount, 0}, {"5XXError", count, unitCount, 0},
		{"Latency", latency, unitMS, 0}, {"IntegrationLatency", latency, unitMS, 0}}
	httpAPIMetrics = []catalogued{{"Count", count, unitCount, 0}, {"4xx", count, unitCount, 0}, {"5xx", count, unitCount, 0},
		{"Latency", latency, unitMS, 0}, {"IntegrationLatency", latency, unitMS, 0}}
	lambdaMetrics = []catalogued{{"Invocations", count, unitCount, 0}, {"Errors", count, unitCount, 0}, {"Throttles", count, unitCount, 0},
		{"ConcurrentExecutions", gauge, unitCount, 0}, {"Duration", latency, unitMS, 0}}
	// Table and GSI metrics. The per-cause throttle events tell a hot
	// partition (KeyRange), the table's on-demand maximum throughput
	// (MaxOnDemand) and the account's table-level limit (AccountLimit) apart;
	// provisioned capacity is 5-minute data.
	tableMetrics = []catalogued{{"ConsumedWriteCapacityUnits", count, unitCount, 0}, {"ConsumedReadCapacityUnits", count, unitCount, 0},
		{"ProvisionedWriteCapacityUnits", gauge, unitCount, 300}, {"ProvisionedReadCapacityUnits", gauge, unitCount, 300},
		{"WriteThrottleEvents", count, unitCount, 0}, {"ReadThrottleEvents", count, unitCount, 0},
		{"WriteKeyRangeThroughputThrottleEvents", count, unitCount, 0}, {"ReadKeyRangeThroughputThrottleEvents", count, unitCount, 0},
		{"WriteMaxOnDemandThroughputThrottleEvents", count, unitCount, 0}, {"ReadMaxOnDemandThroughputThrottleEvents", count, unitCount, 0},
		{"WriteAccountLimitThrottleEvents", count, unitCount, 0}, {"ReadAccountLimitThrottleEvents", count, unitCount, 0}}
	// SuccessfulRequestLatency: AWS lists Average, Minimum, Maximum and
	// SampleCount as its valid statistics, no percentiles.
	operationMetrics = []catalogued{{"ThrottledRequests", count, unitCount, 0}, {"SuccessfulRequestLatency", averages, unitMS, 0}}
	bedrockMetrics   = []catalogued{{"Invocations", count, unitCount, 0}, {"InvocationThrottles", count, unitCount, 0},
		{"InvocationClientErrors", count, unitCount, 0}, {"InvocationServerErrors", count, unitCount, 0},
		{"InputTokenCount", count, unitCount, 0}, {"OutputTokenCount", count, unitCount, 0},
		{"InvocationLatency", latency, unitMS, 0}, {"TimeToFirstToken", latency, unitMS, 0}}
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
			case averages:
				stats = []string{"Average", "Maximum"}
			}
			for _, st := range stats {
				sr := Series{Namespace: ns, Metric: c.name, Dimensions: dims, Stat: st, Unit: c.unit, MinPeriod: c.minPeriod}
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
	for _, ix := range s.DynamoDB.Indexes {
		add(NSDynamoDB, tableMetrics, Dimension{"TableName", ix.Table}, Dimension{"GlobalSecondaryIndexName", ix.Name})
	}
	for _, m := range s.Bedrock.Models {
		add(NSBedrock, bedrockMetrics, Dimension{"ModelId", m})
	}
	if s.BrinkSim {
		// The verdict wants each second's p99 lateness with its count (to
		// weigh the seconds of a hold) and the turns' modelled p50.
		for _, sr := range []Series{{Metric: "Lateness", Stat: "p99"}, {Metric: "Lateness", Stat: "Maximum"},
			{Metric: "Lateness", Stat: "SampleCount"}, {Metric: "ServiceTime", Stat: "p50"}} {
			sr.Namespace, sr.Unit, sr.Self = NSBrinkSim, unitMS, true
			if sr.Stat == "SampleCount" {
				sr.Unit = unitCount
			}
			out = append(out, sr)
		}
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
