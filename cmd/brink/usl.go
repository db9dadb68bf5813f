package main

import (
	"context"
	"encoding/json"
	"fmt"

	"brink/analyze/usl"
)

func runUSL(ctx context.Context, e env, args []string) error {
	fs := newFlags("usl", "FILE.csv [flags]",
		"Fits the Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)) to throughput X\n"+
			"measured at concurrency N, by least squares, and prints σ (contention), κ (coherency),\n"+
			"λ (one user's throughput), the peak concurrency N* = √((1−σ)/κ) and the throughput there,\n"+
			"at full precision. FILE.csv has a header row, then one N,X row per measurement (at least\n"+
			"3 distinct N; 6 or more for a trustworthy fit). Warnings go to stderr.",
		"  brink usl levels.csv\n"+
			"  brink usl levels.csv --json", e.stdout)
	asJSON := fs.Bool("json", false, "print the fit as JSON (n_star and peak_throughput are null when there is no peak)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one CSV file (a header row, then N,X rows), e.g. brink usl levels.csv")
	}
	m, err := usl.FitFile(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(m.ToJSON())
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(e.stderr, "brink usl: warning: %s\n", w)
	}
	return m.WriteText(e.stdout)
}
