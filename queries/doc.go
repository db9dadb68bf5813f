// Package queries holds brink's analysis SQL (DuckDB dialect), one file per
// question it answers, embedded so the binary needs nothing beside it.
//
// Every query reads two relations the analyze package registers: traces (the
// run's trace Parquet files, columns as docs/schemas.md) and windows (one row
// per level: level, users, steady_us and end_us, the hold window in
// microseconds since the Unix epoch, scenario time). Parameters are
// positional ($1, $2, ...) and documented at the top of each file.
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
