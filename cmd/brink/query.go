package main

import (
	"context"
	"fmt"
	"slices"

	"brink/analyze"
	"brink/internal/cli"
)

func runQuery(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("query", "--run DIR [flags] \"SQL\"",
		"Runs one SQL statement (DuckDB dialect) over a run directory with these views:\n"+
			"  traces   one row per request (docs/schemas.md)\n"+
			"  windows  level, users, ramp_us, steady_us, end_us: the level timeline\n"+
			"  metrics  collected CloudWatch and Logs Insights datapoints, if any\n"+
			"  levels   analysis/levels.parquet, once analysed; ramps likewise",
		"  brink query --run runs/20261126T101500Z-a1b2c3 \"SELECT step, count(*), quantile_cont(latency_ms, 0.95) FROM traces GROUP BY step\"\n"+
			"  brink query --run runs/... --format csv \"SELECT * FROM levels\" > levels.csv", e.stdout)
	run := fs.String("run", "", "the run directory")
	format := fs.String("format", "table", "output: table, csv or json")
	write := fs.Bool("allow-write", false, "also run statements that write files or load code (COPY ... TO, ATTACH, INSTALL, LOAD)")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if *run == "" || len(pos) != 1 {
		return cli.Usagef("give --run DIR and one SQL statement in quotes")
	}
	if !slices.Contains(analyze.QueryFormats, *format) {
		return cli.Usagef("--format %q: want table, csv or json", *format)
	}
	if err := analyze.CheckStatement(pos[0], *write); err != nil {
		return cli.Usagef("%v", err)
	}
	warnings, err := analyze.Query(ctx, *run, pos[0], *format, *write, e.stdout)
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "brink query: warning: %s\n", w)
	}
	return err
}
