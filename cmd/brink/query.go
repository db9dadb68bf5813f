package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"brink/analyze"
)

func runQuery(ctx context.Context, e env, args []string) error {
	stdout, stderr := e.stdout, e.stderr
	fs := newFlags("query", "--run DIR [flags] \"SQL\"",
		"Runs one SQL statement (DuckDB dialect) over a run directory with these views:\n"+
			"  traces   one row per request (docs/schemas.md)\n"+
			"  windows  level, users, ramp_us, steady_us, end_us: the level timeline\n"+
			"  metrics  collected CloudWatch and Logs Insights datapoints, if any\n"+
			"  levels   analysis/levels.parquet, once analysed; ramps likewise",
		"  brink query --run runs/20261126T101500Z-a1b2c3 \"SELECT step, count(*), quantile_cont(latency_ms, 0.95) FROM traces GROUP BY step\"\n"+
			"  brink query --run runs/... --format csv \"SELECT * FROM levels\" > levels.csv", stdout)
	run := fs.String("run", "", "the run directory")
	format := fs.String("format", "table", "output: table, csv or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *run == "" || len(pos) != 1 {
		return usagef("give --run DIR and one SQL statement in quotes")
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usagef("--format %q: want table, csv or json", *format)
	}
	db, warnings, err := analyze.OpenRun(ctx, *run, analyze.DBOptions{})
	if err != nil {
		return err
	}
	defer db.Close()
	for _, w := range warnings {
		fmt.Fprintf(stderr, "brink query: warning: %s\n", w)
	}
	rows, err := db.QueryContext(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("query: %v", firstLineOf(err.Error()))
	}
	defer rows.Close()
	return printRows(rows, *format, stdout)
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func printRows(rows *sql.Rows, format string, w io.Writer) error {
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
		return fmt.Errorf("query: %v", firstLineOf(err.Error()))
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
