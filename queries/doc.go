// Package queries holds brink's analysis SQL (DuckDB dialect), one file per
// question it answers, embedded so the binary needs nothing beside it.
//
// Queries read the relations the analyze package registers: traces (the
// run's trace Parquet files, columns as docs/schemas.md), windows (one row
// per level: level, users, ramp_us, steady_us and end_us, microseconds since
// the Unix epoch, scenario time), hold and ramp (the traces that started in
// each level's hold or ramp window, with window_s, the window's length in
// seconds) and, when collected, metrics. Two tables are the passes over
// the holds that the level queries share (exact percentiles cost most, so
// each value is collected once): hold_users (hold_users.sql, per level,
// step and user) and hold_steps (hold_steps.sql, per level and step, made
// after it); levels, level_steps, latency_dist, server_errors, user_levels
// and littles_law read them. cost reads cost_models (cost_models.sql).
// Parameters are positional ($1, $2, ...) and documented at the top of
// each file.
package queries

import (
	"embed"
	"fmt"
)

//go:embed *.sql
var files embed.FS

// Get returns the text of the named query (without ".sql").
func Get(name string) (string, error) {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		return "", fmt.Errorf("query %q: %w", name, err)
	}
	return string(b), nil
}

// MustGet is Get for queries that ship with brink; a missing one is a bug.
func MustGet(name string) string {
	q, err := Get(name)
	if err != nil {
		panic(err)
	}
	return q
}
