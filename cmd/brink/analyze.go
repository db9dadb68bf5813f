package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"brink"

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

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("analyze", "--run DIR [flags]",
		"Reads a run's traces with DuckDB and writes analysis/levels.parquet (one row per level,\n"+
			"hold windows only, exact percentiles) and analysis/summary.json (the level table, the\n"+
			"edge of failure recomputed from the traces, and the findings). Prints the findings.",
		"  brink analyze --run runs/20261126T101500Z-a1b2c3", stdout)
	run := fs.String("run", "", "the run directory")
	asJSON := fs.Bool("json", false, "print summary.json instead of the table")
	threads := fs.Int("threads", 2, "DuckDB threads")
	mem := fs.String("memory-limit", "1GB", "DuckDB memory limit")
	prices := fs.String("prices", "", "price sheet YAML to cost the run with (default: the run's prices.yaml, else the embedded sheet)")
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
	res, err := analyze.Run(ctx, dir, analyze.Options{DB: analyze.DBOptions{Threads: *threads, MemoryLimit: *mem}, Prices: sheet})
	if err != nil {
		return err
	}
	s := res.Summary
	for _, w := range s.Warnings {
		fmt.Fprintf(stderr, "brink analyze: warning: %s\n", w)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprintf(stdout, "run %s (%s): %d requests, %d levels analysed\n\n", s.RunID, s.Status, s.TotalRequests, len(s.Levels))
	for _, f := range s.Findings {
		fmt.Fprintf(stdout, "- %s\n", f)
	}
	fmt.Fprintln(stdout)
	for _, row := range report.LevelTableText(s) {
		fmt.Fprintln(stdout, row)
	}
	fmt.Fprintf(stdout, "\nwrote %s\n      %s\nnext: brink report --run %s\n", res.LevelsPath, res.SummaryPath, dir)
	return nil
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "--run DIR [flags]  |  --compare RUN_A RUN_B [--out DIR]",
		"Draws an analysed run (analysis/summary.json, and analysis/whatif.json when brink whatif\n"+
			"has run) as eight PNG charts (latency, throughput, errors, timeline, infrastructure,\n"+
			"latency distribution, cost, what-if), one PDF (run facts and findings, the charts, the\n"+
			"level table), summary.md and summary.json (every headline number), under DIR/report.\n"+
			"With --compare, overlays two analysed runs' curves and tabulates the change from A to B\n"+
			"(edge of failure, knees, p95 at each common level, cost per user-minute) as\n"+
			"compare.png, compare.pdf and compare.md, under RUN_B/report by default.",
		"  brink report --run runs/20261126T101500Z-a1b2c3 --format pdf,png,svg\n"+
			"  brink report --compare runs/20261126T101500Z-a1b2c3 runs/20261127T090000Z-d4e5f6 --out /tmp/cmp", stdout)
	run := fs.String("run", "", "the run directory")
	out := fs.String("out", "", "output directory (default DIR/report; with --compare RUN_B/report)")
	formats := fs.String("format", "", "comma-separated formats: pdf, png, svg, md, json (default pdf,png,md,json; with --compare pdf,png,md)")
	cmp := fs.Bool("compare", false, "compare two runs: --compare RUN_A RUN_B")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var res *report.Result
	if *cmp {
		if len(pos) != 2 || *run != "" {
			return usagef("--compare takes two run directories: brink report --compare RUN_A RUN_B")
		}
		var sums [2]*brink.Summary
		for i, d := range pos {
			if sums[i], err = readSummary(d); err != nil {
				return err
			}
		}
		dir := *out
		if dir == "" {
			dir = filepath.Join(pos[1], brink.ReportDir)
		}
		res, err = report.Compare(sums[0], sums[1], report.CompareOptions{OutDir: dir, Formats: splitList(*formats)})
	} else {
		dir, derr := runDirArg(*run, pos)
		if derr != nil {
			return derr
		}
		s, serr := readSummary(dir)
		if serr != nil {
			return serr
		}
		res, err = report.Write(dir, s, report.Options{OutDir: *out, Formats: splitList(*formats)})
	}
	if err != nil {
		if errors.Is(err, report.ErrFormat) {
			return usagef("%v", err)
		}
		return err
	}
	for _, f := range res.Files {
		fmt.Fprintf(stdout, "wrote %s\n", f)
	}
	return nil
}
