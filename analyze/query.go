package analyze

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"brink/internal/suggest"
	"brink/rundir"
)

// OpenRun opens DuckDB over a run directory for ad-hoc SQL, with the views
// traces (every readable trace segment), windows (the level holds), metrics
// (collected metrics, if any), levels (analysis/levels.parquet, if analysed)
// and ramps. It returns warnings for anything skipped.
func OpenRun(ctx context.Context, runDir string, o DBOptions) (*sql.DB, []string, error) {
	run, err := rundir.Open(ctx, runDir)
	if err != nil {
		return nil, nil, err
	}
	db, err := Open(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	warnings, err := loadRun(ctx, db, run)
	if err != nil {
		db.Close()
		return nil, warnings, err
	}
	_, mw, err := loadMetrics(ctx, db, run)
	warnings = append(warnings, mw...)
	if err != nil {
		db.Close()
		return nil, warnings, err
	}
	for _, v := range []struct{ view, file string }{{"levels", rundir.LevelsFile}, {"ramps", rundir.RampsFile}} {
		p, err := run.Fetch(ctx, v.file)
		if err != nil {
			continue
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE VIEW %s AS SELECT * FROM read_parquet(%s)`, v.view, quote(p))); err != nil {
			warnings = append(warnings, fmt.Sprintf("skipped %s: %v", p, err))
		}
	}
	return db, warnings, nil
}

// QueryFormats are the output formats of Query.
var QueryFormats = []string{"table", "csv", "json"}

// Query runs one SQL statement over the run in runDir (the views of
// OpenRun) and writes its rows to w in format: table, csv or json (one
// object per line). Warnings name what OpenRun skipped.
func Query(ctx context.Context, runDir, stmt, format string, allowWrite bool, w io.Writer) (warnings []string, err error) {
	if !slices.Contains(QueryFormats, format) {
		return nil, fmt.Errorf("format %q: want table, csv or json", format)
	}
	if err := CheckStatement(stmt, allowWrite); err != nil {
		return nil, err
	}
	db, warnings, err := OpenRun(ctx, runDir, DBOptions{})
	if err != nil {
		return warnings, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, stmt)
	if err != nil {
		msg := firstLine(err.Error())
		if strings.Contains(msg, "does not exist") {
			msg += "; the views are traces, windows, hold, ramp, metrics (when collected), levels and ramps (when analysed)"
		}
		return warnings, fmt.Errorf("query: %v", msg)
	}
	defer rows.Close()
	return warnings, writeRows(rows, format, w)
}

// writeRows writes rows as a right-aligned table, CSV, or one JSON object
// per line.
func writeRows(rows *sql.Rows, format string, w io.Writer) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var tw *tabwriter.Writer
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	switch format {
	case "table":
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(cols, "\t")+"\t")
	case "csv":
		cw = csv.NewWriter(w)
		cw.Write(cols)
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("query: %w", err)
		}
		switch format {
		case "json":
			m := make(map[string]any, len(cols))
			for i, c := range cols {
				m[c] = jsonValue(vals[i])
			}
			if err := enc.Encode(m); err != nil {
				return err
			}
		default:
			cells := make([]string, len(cols))
			for i, v := range vals {
				cells[i] = cell(v)
			}
			if tw != nil {
				fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
			} else {
				cw.Write(cells)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query: %v", firstLine(err.Error()))
	}
	if tw != nil {
		return tw.Flush()
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	return nil
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case float64:
		return fmt.Sprint(x)
	default:
		return fmt.Sprint(x)
	}
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	default:
		return x
	}
}

// ErrStatement is returned for a statement brink query will not run.
var ErrStatement = errors.New("statement refused")

// CheckStatement lets through one statement that only reads (SELECT,
// WITH, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE, FROM, VALUES, TABLE); with
// allowWrite, any one statement (COPY … TO, ATTACH, INSTALL, LOAD write
// files or reach out).
func CheckStatement(stmt string, allowWrite bool) error {
	body, rest := splitStatement(stmt)
	if strings.TrimSpace(rest) != "" {
		return fmt.Errorf("%w: one statement at a time (found more after the first ';')", ErrStatement)
	}
	first := strings.ToUpper(firstWord(body))
	if first == "" {
		return fmt.Errorf("%w: the statement is empty", ErrStatement)
	}
	if allowWrite {
		return nil
	}
	reading := []string{"SELECT", "WITH", "EXPLAIN", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE", "FROM", "VALUES", "TABLE", "("}
	if slices.Contains(reading, first) {
		return nil
	}
	if s := suggest.Closest(first, reading); s != "" {
		return fmt.Errorf("%w: %s is not a statement brink query runs (did you mean %s?)", ErrStatement, first, s)
	}
	return fmt.Errorf("%w: %s may write files or load code; brink query runs SELECT, EXPLAIN, DESCRIBE and SHOW (give --allow-write to run it)", ErrStatement, first)
}

// splitStatement cuts stmt at its first ';' outside quotes and comments.
func splitStatement(stmt string) (first, rest string) {
	var quote byte
	for i := 0; i < len(stmt); i++ {
		c := stmt[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && i+1 < len(stmt) && stmt[i+1] == '-':
			for i < len(stmt) && stmt[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(stmt) && stmt[i+1] == '*':
			end := strings.Index(stmt[i+2:], "*/")
			if end < 0 {
				return stmt, ""
			}
			i += end + 3
		case c == ';':
			return stmt[:i], stmt[i+1:]
		}
	}
	return stmt, ""
}

// firstWord is the statement's first keyword, past blanks and comments.
func firstWord(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(s, "--"):
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i+1:]
				continue
			}
			return ""
		case strings.HasPrefix(s, "/*"):
			if i := strings.Index(s, "*/"); i >= 0 {
				s = s[i+2:]
				continue
			}
			return ""
		case strings.HasPrefix(s, "("):
			return "("
		}
		end := strings.IndexFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
		if end < 0 {
			return s
		}
		return s[:end]
	}
}
