package main

import (
	"context"
	"encoding/json"
	"fmt"

	"brink/analyze"
	"brink/pricing"
	"brink/report"
)

// runDirArg takes the run directory from --run or the one positional argument.
func runDirArg(flagVal string, pos []string) (string, error) {
	switch {
	case flagVal != "" && len(pos) == 0:
		return flagVal, nil
	case flagVal == "" && len(pos) == 1:
		return pos[0], nil
	case flagVal == "" && len(pos) == 0:
		return "", usagef("name the run directory: --run runs/<run_id>")
	default:
		return "", usagef("give one run directory (got --run %q and %q)", flagVal, pos)
	}
}

func runAnalyze(ctx context.Context, e env, args []string) error {
	fs := newFlags("analyze", "--run DIR [flags]",
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
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	dir, err := runDirArg(*run, pos)
	if err != nil {
		return err
	}
	var sheet *pricing.Sheet
	if *prices != "" {
		if sheet, err = pricing.Load(*prices); err != nil {
			return usagef("--prices: %v", err)
		}
	}
	res, err := analyze.Run(ctx, dir, analyze.Options{DB: analyze.DBOptions{Threads: *threads, MemoryLimit: *mem}, Prices: sheet, AllowPartial: *partial, UsageFile: *usage})
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
	fmt.Fprintf(e.stdout, "run %s (%s): %d requests, %d levels analysed\n\n", s.RunID, s.Status, s.TotalRequests, len(s.Levels))
	report.WriteFindings(e.stdout, s, "")
	fmt.Fprintf(e.stdout, "\nwrote %s\n      %s\nnext: brink report --run %s\n", res.LevelsPath, res.SummaryPath, dir)
	return nil
}
