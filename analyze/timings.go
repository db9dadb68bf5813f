package analyze

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Timings records the wall time and rows of every statement an analysis
// runs (brink analyze --timings), so the next person can see where the time
// goes. It is filled by the connection Open makes when DBOptions.Timings is
// set; safe for concurrent use.
type Timings struct {
	mu      sync.Mutex
	entries []Timing
}

// Timing is one statement: its name (the query file's, or the start of the
// SQL), its wall time from execution to the last row read, and its rows
// (returned, or for a statement without results, changed or created).
type Timing struct {
	Name string
	Time time.Duration
	Rows int64
}

// Entries are the statements in the order they ran.
func (t *Timings) Entries() []Timing {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Timing(nil), t.entries...)
}

func (t *Timings) add(e Timing) {
	t.mu.Lock()
	t.entries = append(t.entries, e)
	t.mu.Unlock()
}

// Write prints the statements as a table, slowest stages visible at a
// glance, with the total.
func (t *Timings) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ms\trows\tstatement\t")
	var total time.Duration
	for _, e := range t.Entries() {
		total += e.Time
		fmt.Fprintf(tw, "%.1f\t%d\t%s\t\n", float64(e.Time.Microseconds())/1000, e.Rows, e.Name)
	}
	fmt.Fprintf(tw, "%.1f\t\t%s\t\n", float64(total.Microseconds())/1000, "total")
	return tw.Flush()
}

// queryName matches the header of a file in queries/ ("-- levels: ...").
var queryName = regexp.MustCompile(`(?m)^--\s*([a-z_]+):`)

// statementName names a statement: the query file it runs, else its first
// words, with the table a CREATE makes.
func statementName(q string) string {
	prefix := ""
	if m := queryName.FindStringSubmatch(q); m != nil {
		name := m[1]
		if i := strings.Index(q, m[0]); i > 0 {
			prefix = strings.Join(strings.Fields(q[:i]), " ")
			if len(prefix) > 40 {
				prefix = prefix[:40] + "…"
			}
			return prefix + " " + name
		}
		return name
	}
	s := strings.Join(strings.Fields(q), " ")
	if len(s) > 90 {
		s = s[:90] + "…"
	}
	return s
}

// timedConnector wraps a driver.Connector so every statement on its
// connections is timed into t.
type timedConnector struct {
	driver.Connector
	t *Timings
}

func (c timedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &timedConn{Conn: conn, t: c.t}, nil
}

// timedConn forwards to DuckDB's connection, which implements the context
// interfaces database/sql prefers (ExecerContext, QueryerContext,
// ConnPrepareContext, ConnBeginTx, NamedValueChecker).
type timedConn struct {
	driver.Conn
	t *Timings
}

type fullConn interface {
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.NamedValueChecker
}

func (c *timedConn) inner() fullConn { return c.Conn.(fullConn) }

func (c *timedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	start := time.Now()
	res, err := c.inner().ExecContext(ctx, q, args)
	var n int64
	if err == nil {
		n, _ = res.RowsAffected()
	}
	c.t.add(Timing{Name: statementName(q), Time: time.Since(start), Rows: n})
	return res, err
}

func (c *timedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	start := time.Now()
	rows, err := c.inner().QueryContext(ctx, q, args)
	if err != nil {
		c.t.add(Timing{Name: statementName(q), Time: time.Since(start)})
		return nil, err
	}
	return &timedRows{Rows: rows, t: c.t, name: statementName(q), start: start}, nil
}

func (c *timedConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.inner().PrepareContext(ctx, q)
}

func (c *timedConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.inner().BeginTx(ctx, o)
}

func (c *timedConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.inner().CheckNamedValue(nv)
}

// timedRows counts the rows read and records the statement when closed.
type timedRows struct {
	driver.Rows
	t     *Timings
	name  string
	start time.Time
	n     int64
	done  bool
}

func (r *timedRows) Next(dst []driver.Value) error {
	err := r.Rows.Next(dst)
	if err == nil {
		r.n++
	}
	return err
}

func (r *timedRows) Close() error {
	err := r.Rows.Close()
	if !r.done {
		r.done = true
		r.t.add(Timing{Name: r.name, Time: time.Since(r.start), Rows: r.n})
	}
	return err
}

func (r *timedRows) ColumnTypeScanType(i int) reflect.Type {
	if c, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return c.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *timedRows) ColumnTypeDatabaseTypeName(i int) string {
	if c, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return c.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}
