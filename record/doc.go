// Package record is the recording stage: it replays load against a target
// (package replay) into a new run directory (package rundir), writing every
// request as a trace row (collect/parquet's segment writer) and run.json
// through the run's life, from its first level to its end. Run records a
// stepped ramp of chat sessions (brink run, brink demo); Attack records
// max-rate mode (brink attack).
//
// It never prints: what a command shows comes through the callbacks of its
// options (OnStart, OnLevel, Warn) and the results.
package record
