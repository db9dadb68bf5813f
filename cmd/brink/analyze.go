package main

import (
	"brink"
	"context"
	"encoding/json"
	"fmt"

	"brink/analyze"
	"brink/internal/cli"
	"brink/pricing"
	"brink/report"
)

func runAnalyze(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("analyze", "--run DIR [flags]",
		"Reads a run's traces with DuckDB and writes analysis/levels.parquet (one row per level,\n"+
			"hold windows only, exact percentiles) and analysis/summary.json (the level table, the\n"+
			"edge of failure recomputed from the traces, and the findings). Prints the findings.",
		"  brink analyze --run runs/20261126T101500Z-a1b2c3", e.stdout)
	run := fs.String("run", "", "the run directory")
	asJSON := fs.Bool("json", false, "print summary.json instead of the table")
	threads := fs.Int("threads", 2, "DuckDB threads")
	mem := fs.String("memory-limit", "1GB", "DuckDB memory limit")
	partial := fs.Bool("allow-partial", false, "analyse a sharded run whose shards are not all done (killed or missing): what is there, and say so")
	prices := fs.String("prices", "", "price sheet YAML to cost the run with (default: the run's prices.yaml, else the embedded sheet)")
	usage := fs.String("usage", "", "YAML sizing of the real stack to price: API type, Lambda memory/arch, DynamoDB mode/capacity (docs/cost.md; default: the sim's)")
	timings := fs.Bool("timings", false, "print each DuckDB statement's time and rows to stderr (where the analysis spends its time)")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	dir, err := cli.RunDir(*run, pos)
	if err != nil {
		return err
	}
	var sheet *pricing.Sheet
	if *prices != "" {
		if sheet, err = pricing.Load(*prices); err != nil {
			return cli.Usagef("--prices: %v", err)
		}
	}
	var tm *analyze.Timings
	if *timings {
		tm = &analyze.Timings{}
		defer tm.Write(e.stderr)
	}
	res, err := analyze.Run(ctx, dir, analyze.Options{DB: analyze.DBOptions{Threads: *threads, MemoryLimit: *mem, Timings: tm}, Prices: sheet, AllowPartial: *partial, UsageFile: *usage})
	if err != nil {
		return err
	}
	s := res.Summary
	for _, w := range s.Warnings {
		fmt.Fprintf(e.stderr, "brink analyze: warning: %s\n", w)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprintf(e.stdout, "run %s (%s): %d requests, %s analysed\n\n", s.RunID, s.Status, s.TotalRequests, brink.Plural(len(s.Levels), "level"))
	report.WriteFindings(e.stdout, s, nil, "")
	fmt.Fprintf(e.stdout, "\nwrote %s\n      %s\nnext: brink report --run %s\n", res.LevelsPath, res.SummaryPath, dir)
	return nil
}
