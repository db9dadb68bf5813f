package rundir

import (
	"fmt"
	"path"
)

// The layout of a run directory, runs/<run_id>/. Every file a run holds is
// named here and nowhere else; docs/schemas.md describes each. Names are
// slash-separated and relative to the run directory.
const (
	// ManifestFile is run.json: what was run, against what, and the level
	// timeline; written at the start and rewritten as levels finish.
	ManifestFile = "run.json"

	// TracesDir holds the trace segments, part-NNNNN.parquet, one row per
	// request. An open segment has a temporary name until it is closed.
	TracesDir = "traces"
	// TraceSegmentPrefix starts every closed segment's file name.
	TraceSegmentPrefix = "part-"

	// MetricsDir holds the platform's own metrics that brink collect
	// fetched; analysis reads every Parquet file in it as CloudWatch data.
	MetricsDir = "metrics"
	// CloudWatchFile is the GetMetricData datapoints.
	CloudWatchFile = MetricsDir + "/cloudwatch.parquet"
	// LogsFile is the Logs Insights rows (Lambda cold starts).
	LogsFile = MetricsDir + "/logs.parquet"
	// CollectFile is collect.json: what was asked, what came back empty,
	// warnings.
	CollectFile = MetricsDir + "/collect.json"

	// AnalysisDir holds what brink analyze and brink whatif write.
	AnalysisDir = "analysis"
	// LevelsFile is one row per level and step over the holds.
	LevelsFile = AnalysisDir + "/levels.parquet"
	// RampsFile is one row per level and step over the ramps.
	RampsFile = AnalysisDir + "/ramps.parquet"
	// SummaryFile is summary.json: the level table, edge, knees, cost, findings.
	SummaryFile = AnalysisDir + "/summary.json"
	// CostFile is the cost of each level's hold by component.
	CostFile = AnalysisDir + "/cost.parquet"
	// WhatIfFile is whatif.json, brink whatif's projections.
	WhatIfFile = AnalysisDir + "/whatif.json"
	// ImportedLevelsFile is the level table of a run imported from a tool
	// that keeps no per-request rows (Locust): run.json says aggregated.
	ImportedLevelsFile = AnalysisDir + "/levels_imported.parquet"

	// PricesFile is a price sheet kept with the run: when present, analyze
	// prices the run with it instead of the embedded sheet.
	PricesFile = "prices.yaml"

	// ReportDir holds brink report's output: the charts (ChartFile), the
	// PDF, summary.md and summary.json.
	ReportDir = "report"
	// ReportPDFFile is the multi-page PDF.
	ReportPDFFile = ReportDir + "/report.pdf"
	// ReportMarkdownFile is summary.md.
	ReportMarkdownFile = ReportDir + "/summary.md"
	// ReportSummaryFile is report/summary.json, every headline number.
	ReportSummaryFile = ReportDir + "/summary.json"

	// The files below belong to later parts of the contract (sharded runs,
	// the instrument's self-measurement); they are named here so that one
	// file keeps the whole layout.

	// ShardsDir holds shards/<i>.json, one manifest per shard of a sharded run.
	ShardsDir = "shards"
	// StopFile is stop.json: written by the shard that broke a stop rule.
	StopFile = "stop.json"
	// GeneratorDir holds the generator's self-measurement (CPU, steal,
	// scheduler latency, requests in flight), never under MetricsDir: one
	// JSON line per second (brink.SelfSample).
	GeneratorDir = "generator"
	// SelfFile is an unsharded run's self-measurement.
	SelfFile = GeneratorDir + "/self.jsonl"
	// SimSelfFile is the brink sim's self-measurement (Brink/Sim: each
	// second's turn lateness and modelled service time), collected from the
	// sim that served the run in the metrics schema, and, like the
	// generator's, never under MetricsDir.
	SimSelfFile = "sim/self.parquet"
)

// ChartFile is a chart's file under ReportDir: report/<chart>.<ext>.
func ChartFile(chart, ext string) string { return ReportDir + "/" + chart + "." + ext }

// CompareFile is brink report --compare's output in run B's report folder:
// report/compare.<ext>.
func CompareFile(ext string) string { return ReportDir + "/compare." + ext }

// TraceSegmentName is the n-th closed trace segment's file name (without
// its directory).
func TraceSegmentName(n int) string { return SegmentName(TraceSegmentPrefix, n) }

// SegmentName is the n-th closed segment's file name with the prefix: the
// one format every segment writer and reader uses.
func SegmentName(prefix string, n int) string { return fmt.Sprintf("%s%05d.parquet", prefix, n) }

// ShardTracesDir is shard i's trace folder in a sharded run, Hive-style so
// that DuckDB and Athena see a shard column: traces/shard=i.
func ShardTracesDir(i int) string { return fmt.Sprintf("%s/shard=%d", TracesDir, i) }

// ShardSelfFile is shard i's self-measurement: generator/shard=i/self.jsonl.
func ShardSelfFile(i int) string { return fmt.Sprintf("%s/shard=%d/self.jsonl", GeneratorDir, i) }

// ShardManifestFile is shard i's manifest, shards/i.json.
func ShardManifestFile(i int) string { return path.Join(ShardsDir, fmt.Sprintf("%d.json", i)) }

// TraceSegmentPath is the n-th closed segment of an unsharded run:
// traces/part-NNNNN.parquet.
func TraceSegmentPath(n int) string { return TracesDir + "/" + TraceSegmentName(n) }
