package brink

import "time"

// Sources of a Metric row.
const (
	SourceCloudWatch   = "cloudwatch"
	SourceLogsInsights = "logs_insights"
)

// Metric is one datapoint of a platform metric: one row of
// metrics/*.parquet (docs/schemas.md, docs/collect.md). One series per
// metric, dimension set and statistic, at one period.
type Metric struct {
	RunID      string
	Source     string // SourceCloudWatch or SourceLogsInsights
	Namespace  string // AWS/Lambda, ...; for Logs Insights the log group
	Metric     string // metric name; for Logs Insights the result field
	Dimensions string // "Name=Value,..." sorted by name; empty for none
	Stat       string // Sum, Average, Maximum, p95, ...
	PeriodS    int32  // the period (or Logs Insights bin) in seconds
	TS         time.Time
	Value      float64
	Unit       string // Count, Milliseconds, ... ("" when unknown)
}
