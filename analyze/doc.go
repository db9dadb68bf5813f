// Package analyze turns a run directory into answers with DuckDB: the level
// table over each hold window (analysis/levels.parquet), the edge of failure
// recomputed exactly from the traces, and analysis/summary.json, which the
// report package draws from. The SQL lives in the queries package.
//
// It is the only package that links DuckDB (cgo), so the others build fast.
// It never downloads: DuckDB's extension autoload and autoinstall are off.
package analyze
