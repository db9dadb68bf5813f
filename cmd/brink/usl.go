package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"brink/analyze/usl"
	"brink/analyze/xycsv"
)

func runUSL(ctx context.Context, e env, args []string) error {
	stdout, stderr := e.stdout, e.stderr
	fs := newFlags("usl", "FILE.csv [flags]",
		"Fits the Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)) to throughput X\n"+
			"measured at concurrency N, by least squares, and prints σ (contention), κ (coherency),\n"+
			"λ (one user's throughput), the peak concurrency N* = √((1−σ)/κ) and the throughput there,\n"+
			"at full precision. FILE.csv has a header row, then one N,X row per measurement (at least\n"+
			"3 distinct N; 6 or more for a trustworthy fit). Warnings go to stderr.",
		"  brink usl levels.csv\n"+
			"  brink usl levels.csv --json", stdout)
	asJSON := fs.Bool("json", false, "print the fit as JSON (n_star and peak_throughput are null when there is no peak)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one CSV file (a header row, then N,X rows), e.g. brink usl levels.csv")
	}
	d, err := xycsv.ReadFile(pos[0])
	if err != nil {
		return err
	}
	m, err := usl.Fit(d.X, d.Y)
	var pe *usl.PointError
	switch {
	case errors.As(err, &pe):
		return d.At(pe.Index, "%s", pe.Msg)
	case errors.Is(err, usl.ErrTooFewPoints):
		return fmt.Errorf("%s: %w; add more levels", d.File, err)
	case err != nil:
		return fmt.Errorf("%s: %w", d.File, err)
	}
	nStar, xStar, ok := m.Peak()

	if *asJSON {
		out := struct {
			Sigma    float64  `json:"sigma"`
			Kappa    float64  `json:"kappa"`
			Lambda   float64  `json:"lambda"`
			NStar    *float64 `json:"n_star"`
			PeakX    *float64 `json:"peak_throughput"`
			Points   int      `json:"points"`
			SSE      float64  `json:"sse"`
			R2       *float64 `json:"r2"`
			Warnings []string `json:"warnings"`
		}{Sigma: m.Sigma, Kappa: m.Kappa, Lambda: m.Lambda, Points: m.Points, SSE: m.SSE, Warnings: m.Warnings}
		if ok {
			out.NStar, out.PeakX = &nStar, &xStar
		}
		if !math.IsNaN(m.R2) {
			out.R2 = &m.R2
		}
		if out.Warnings == nil {
			out.Warnings = []string{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(stderr, "brink usl: warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "sigma   %s\n", fullPrecision(m.Sigma))
	fmt.Fprintf(stdout, "kappa   %s\n", fullPrecision(m.Kappa))
	fmt.Fprintf(stdout, "lambda  %s\n", fullPrecision(m.Lambda))
	if ok {
		fmt.Fprintf(stdout, "n_star  %s\n", fullPrecision(nStar))
		fmt.Fprintf(stdout, "peak    %s\n", fullPrecision(xStar))
	} else {
		fmt.Fprintf(stdout, "n_star  none: no peak in sight (κ = 0: throughput keeps growing under the fit)\n")
		fmt.Fprintf(stdout, "peak    none\n")
	}
	_, err = fmt.Fprintf(stdout, "fit     %d points, SSE %s, R² %s\n", m.Points, fullPrecision(m.SSE), fullPrecision(m.R2))
	return err
}
