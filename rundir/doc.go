// Package rundir owns the run directory, brink's data contract between
// stages: every name in its layout (layout.go), run.json through a run's
// life (Create, Writer.Level, Writer.Finish), the import path (a staging
// name, renamed into place when the import is whole), and opening a run to
// read its trace and metric segments and its analysis files (Open).
//
// No other package joins a path inside a run directory or writes run.json:
// they ask a Run for a file's path by its name here, and pass options to the
// Writer. Storage sits behind Store (create, open, list, remove and rename of
// named files); the local file system (Dir) is the one implementation so
// far. Heavy readers and writers (DuckDB, the Parquet writer, the charts)
// work on local paths from Run.Path.
//
// It imports only the root package brink, and never prints.
package rundir
