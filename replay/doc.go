// Package replay is brink's load generator: closed-model virtual users that
// replay chat sessions (log in once, then new chat → (think → ask) × turns)
// against an HTTP API on a stepped ramp, record every request as a
// brink.Trace into a Sink, and evaluate the stop rules live on each level's
// hold window.
//
// It does not write files (the Sink does), print (callers poll Snapshot and
// receive level reports through Options.OnLevel) or handle signals (cancel
// the context to interrupt a run).
package replay
