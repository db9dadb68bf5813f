package main

import (
	"context"
	"encoding/json"
	"math"

	"brink/analyze/knee"
)

func runKnee(ctx context.Context, e env, args []string) error {
	fs := newFlags("knee", "FILE.csv [flags]",
		"Finds the knee (or elbow) of the curve in FILE.csv with Kneedle, as the Python library\n"+
			"kneed 0.8.6 does by default (no smoothing, sensitivity S). FILE.csv has a header row,\n"+
			"then one x,y row per point, sorted by x. Use --curve concave for throughput vs users and\n"+
			"--curve convex for latency vs users. Prints the knee's x and y, or says there is none.",
		"  brink knee levels.csv\n"+
			"  brink knee p95.csv --curve convex --json", e.stdout)
	curve := fs.String("curve", "concave", "shape around the knee: concave (bends down, e.g. throughput) or convex (bends up, e.g. latency)")
	direction := fs.String("direction", "increasing", "increasing or decreasing: whether y grows or shrinks with x")
	sens := fs.Float64("sensitivity", 1, "Kneedle's S, >= 0: how far the curve must flatten before a knee counts (0 finds the first bend)")
	online := fs.Bool("online", false, "keep scanning after the first knee and report the last one")
	asJSON := fs.Bool("json", false, `print {"knee_x": ..., "knee_y": ...}, with null when there is no knee`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one CSV file (a header row, then x,y rows), e.g. brink knee levels.csv")
	}
	opt := knee.Options{Curve: knee.Curve(*curve), Direction: knee.Direction(*direction), Sensitivity: *sens, Online: *online}
	if opt.Curve != knee.Concave && opt.Curve != knee.Convex {
		return usagef("--curve %q: use concave or convex", *curve)
	}
	if opt.Direction != knee.Increasing && opt.Direction != knee.Decreasing {
		return usagef("--direction %q: use increasing or decreasing", *direction)
	}
	if math.IsNaN(*sens) || math.IsInf(*sens, 0) || *sens < 0 {
		return usagef("--sensitivity %v: use a number >= 0 (1 is the default)", *sens)
	}
	res, d, err := knee.FindFile(pos[0], opt)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(res.ToJSON())
	}
	return res.WriteText(e.stdout, d)
}
