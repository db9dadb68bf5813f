// Package parquet writes brink's trace records as Parquet files with arrow-go
// (pqarrow, zstd). It is the only package that imports arrow-go.
//
// TraceWriter keeps a run's traces in segments: rows are buffered (in
// reused blocks of 4,096) and, at least every FlushEvery of wall time or
// every MaxRows rows (in whole blocks above 4,096), written as one
// file part-NNNNN.parquet through a temporary name, fsync and rename, so a
// crash loses at most the open segment and never leaves a torn part- file.
// Column names and types follow docs/schemas.md.
package parquet
