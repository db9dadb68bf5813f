package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"brink/analyze"
	"brink/internal/cli"
	"brink/report"
)

func runReport(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("report", "--run DIR [flags]  |  --compare RUN_A RUN_B [--out DIR]",
		"Draws an analysed run (analysis/summary.json, and analysis/whatif.json when brink whatif\n"+
			"has run) as eight PNG charts (latency, throughput, errors, timeline, infrastructure,\n"+
			"latency distribution, cost, what-if), one PDF (run facts and findings, the charts, the\n"+
			"level table), summary.md and summary.json (every headline number), under DIR/report.\n"+
			"With --compare, compares two analysed runs as benchstat does: at the user levels both\n"+
			"held, p50/p95/p99, error rate and cost per user-minute, each with a significance test\n"+
			"on the raw values (Mann-Whitney U, Fisher's exact; alpha 0.05, ~ = no significant\n"+
			"difference), plus both runs' curves, as compare.png, compare.pdf and compare.md under\n"+
			"RUN_B/report by default. --json prints {differences, verdict} on stdout.",
		"  brink report --run runs/20261126T101500Z-a1b2c3 --format pdf,png,svg\n"+
			"  brink report --compare runs/20261126T101500Z-a1b2c3 runs/20261127T090000Z-d4e5f6 --out /tmp/cmp", e.stdout)
	run := fs.String("run", "", "the run directory")
	out := fs.String("out", "", "output directory (default DIR/report; with --compare RUN_B/report)")
	formats := fs.String("format", "", "comma-separated formats: pdf, png, svg, md, json (default pdf,png,md,json; with --compare pdf,png,md)")
	cmp := fs.Bool("compare", false, "compare two runs: --compare RUN_A RUN_B")
	asJSON := fs.Bool("json", false, "with --compare: print only the differences and verdict as JSON on stdout")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if *cmp {
		if len(pos) != 2 || *run != "" {
			return cli.Usagef("--compare takes two run directories: brink report --compare RUN_A RUN_B")
		}
		return runCompare(ctx, e, pos[0], pos[1], report.CompareOptions{OutDir: *out, Formats: cli.List(*formats)}, *asJSON)
	}
	if *asJSON {
		return cli.Usagef("--json is for --compare; the report's numbers are in DIR/report/summary.json")
	}
	dir, err := cli.RunDir(*run, pos)
	if err != nil {
		return err
	}
	res, err := report.WriteRun(ctx, dir, report.Options{OutDir: *out, Formats: cli.List(*formats)})
	if errors.Is(err, report.ErrFormat) {
		return cli.Usagef("%v", err)
	}
	if res != nil {
		for _, f := range res.Files {
			fmt.Fprintf(e.stdout, "wrote %s\n", f)
		}
	}
	return err
}

// runCompare tests the two runs' differences (analyze, where DuckDB reads
// the raw values) and draws them (report). With --json stdout holds only
// the differences and verdict; the files written go to stderr.
func runCompare(ctx context.Context, e env, dirA, dirB string, o report.CompareOptions, asJSON bool) error {
	stats, err := analyze.Compare(ctx, dirA, dirB, analyze.CompareOptions{})
	if err != nil {
		return err
	}
	o.Stats = stats
	files := map[bool]io.Writer{false: e.stdout, true: e.stderr}[asJSON]
	res, err := report.CompareRuns(ctx, dirA, dirB, o)
	if res != nil {
		for _, f := range res.Files {
			fmt.Fprintf(files, "wrote %s\n", f)
		}
	}
	switch {
	case errors.Is(err, report.ErrFormat):
		return cli.Usagef("%v", err)
	case err != nil:
		return err
	case asJSON:
		return json.NewEncoder(e.stdout).Encode(stats)
	}
	_, err = fmt.Fprintln(e.stdout, stats.Verdict)
	return err
}
