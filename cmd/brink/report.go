package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"brink/report"
)

func runReport(ctx context.Context, e env, args []string) error {
	fs := newFlags("report", "--run DIR [flags]  |  --compare RUN_A RUN_B [--out DIR]",
		"Draws an analysed run (analysis/summary.json, and analysis/whatif.json when brink whatif\n"+
			"has run) as eight PNG charts (latency, throughput, errors, timeline, infrastructure,\n"+
			"latency distribution, cost, what-if), one PDF (run facts and findings, the charts, the\n"+
			"level table), summary.md and summary.json (every headline number), under DIR/report.\n"+
			"With --compare, overlays two analysed runs' curves and tabulates the change from A to B\n"+
			"(edge of failure, knees, p95 at each common level, cost per user-minute) as\n"+
			"compare.png, compare.pdf and compare.md, under RUN_B/report by default.",
		"  brink report --run runs/20261126T101500Z-a1b2c3 --format pdf,png,svg\n"+
			"  brink report --compare runs/20261126T101500Z-a1b2c3 runs/20261127T090000Z-d4e5f6 --out /tmp/cmp", e.stdout)
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
		res, err = report.CompareRuns(ctx, pos[0], pos[1], report.CompareOptions{OutDir: *out, Formats: splitList(*formats)})
	} else {
		dir, derr := runDirArg(*run, pos)
		if derr != nil {
			return derr
		}
		res, err = report.WriteRun(ctx, dir, report.Options{OutDir: *out, Formats: splitList(*formats)})
	}
	if errors.Is(err, report.ErrFormat) {
		return usagef("%v", err)
	}
	if res != nil {
		for _, f := range res.Files {
			fmt.Fprintf(e.stdout, "wrote %s\n", f)
		}
	}
	return err
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
