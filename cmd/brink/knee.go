package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"brink/analyze/knee"
	"brink/analyze/xycsv"
)

func runKnee(ctx context.Context, e env, args []string) error {
	stdout := e.stdout
	fs := newFlags("knee", "FILE.csv [flags]",
		"Finds the knee (or elbow) of the curve in FILE.csv with Kneedle, as the Python library\n"+
			"kneed 0.8.6 does by default (no smoothing, sensitivity S). FILE.csv has a header row,\n"+
			"then one x,y row per point, sorted by x. Use --curve concave for throughput vs users and\n"+
			"--curve convex for latency vs users. Prints the knee's x and y, or says there is none.",
		"  brink knee levels.csv\n"+
			"  brink knee p95.csv --curve convex --json", stdout)
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

	d, err := xycsv.ReadFile(pos[0])
	if err != nil {
		return err
	}
	if err := d.CheckIncreasing(); err != nil {
		return err
	}
	res, err := knee.Find(d.X, d.Y, opt)
	var pe *knee.PointError
	if errors.As(err, &pe) {
		return d.At(pe.Index, "%s", pe.Msg)
	}
	if err != nil {
		return err
	}

	if *asJSON {
		out := struct {
			X *float64 `json:"knee_x"`
			Y *float64 `json:"knee_y"`
		}{}
		if res.Found {
			out.X, out.Y = &res.X, &res.Y
		}
		return json.NewEncoder(stdout).Encode(out)
	}
	if !res.Found {
		_, err := fmt.Fprintf(stdout, "no knee: %s\n", res.Reason)
		return err
	}
	fmt.Fprintf(stdout, "knee at %s = %s, %s = %s (line %d)\n",
		d.XName, fullPrecision(res.X), d.YName, fullPrecision(res.Y), d.Lines[res.Index])
	if len(res.All) > 1 {
		xs := make([]string, len(res.All))
		for i, j := range res.All {
			xs[i] = fullPrecision(d.X[j])
		}
		fmt.Fprintf(stdout, "knees found in order: %s = %s (online mode reports the last)\n", d.XName, strings.Join(xs, ", "))
	}
	return nil
}

// fullPrecision prints a float at full precision, the shortest form that reads
// back to the same value.
func fullPrecision(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
