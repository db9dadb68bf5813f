// Package brink holds the records every stage of brink shares: the per-request
// trace row, the run manifest (run.json), the ramp plan and stop rules, the
// scenario clock and the analysis summary that reports are drawn from.
//
// It is the leaf of the dependency graph: it imports nothing else of brink and
// no heavy dependency, so every stage (replay, collect, analyze, report, sim)
// can use it and still build fast. It does no I/O beyond reading and writing
// the small JSON files of a run directory.
package brink

// Version is the tool version written into run.json and reports.
var Version = "0.1.0-dev"

// SchemaVersion is the version of the run-directory data contract: the trace
// and metric Parquet columns, run.json and analysis/summary.json. Readers
// reject a version they do not know.
const SchemaVersion = 1
