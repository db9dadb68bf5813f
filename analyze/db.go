package analyze

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// DBOptions bound DuckDB's resources. Zero values take the defaults.
type DBOptions struct {
	Threads     int    // default 2 (this is a 2-core tool by design)
	MemoryLimit string // default "1GB"
	// Timings, when set, records every statement's wall time and rows
	// (brink analyze --timings).
	Timings *Timings
}

// Open returns an in-memory DuckDB that will not download anything.
func Open(ctx context.Context, o DBOptions) (*sql.DB, error) {
	if o.Threads <= 0 {
		o.Threads = 2
	}
	if o.MemoryLimit == "" {
		o.MemoryLimit = "1GB"
	}
	q := url.Values{}
	q.Set("threads", strconv.Itoa(o.Threads))
	q.Set("memory_limit", o.MemoryLimit)
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	conn, err := duckdb.NewConnector("?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	var c driver.Connector = conn
	if o.Timings != nil {
		c = timedConnector{Connector: conn, t: o.Timings}
	}
	db := sql.OpenDB(c)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	// One connection: temporary tables and views live per connection.
	db.SetMaxOpenConns(1)
	return db, nil
}

// quote renders s as a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteList renders a list of string literals for read_parquet([...]).
func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
