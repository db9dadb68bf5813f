package usl

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"brink/analyze/xycsv"
)

// FitFile fits the USL to the N,X rows of a CSV file (a header row first);
// an error names the file and line of a bad point, or says to add levels.
func FitFile(path string) (Model, error) {
	d, err := xycsv.ReadFile(path)
	if err != nil {
		return Model{}, err
	}
	m, err := Fit(d.X, d.Y)
	var pe *PointError
	switch {
	case errors.As(err, &pe):
		return m, d.At(pe.Index, "%s", pe.Msg)
	case errors.Is(err, ErrTooFewPoints):
		return m, fmt.Errorf("%s: %w; add more levels", d.File, err)
	case err != nil:
		return m, fmt.Errorf("%s: %w", d.File, err)
	}
	return m, nil
}

// JSON is brink usl --json's answer: n_star and peak_throughput are null
// when there is no peak, r2 when it is undefined.
type JSON struct {
	Sigma    float64  `json:"sigma"`
	Kappa    float64  `json:"kappa"`
	Lambda   float64  `json:"lambda"`
	NStar    *float64 `json:"n_star"`
	PeakX    *float64 `json:"peak_throughput"`
	Points   int      `json:"points"`
	SSE      float64  `json:"sse"`
	R2       *float64 `json:"r2"`
	Warnings []string `json:"warnings"`
}

// ToJSON is the fit as JSON.
func (m Model) ToJSON() JSON {
	out := JSON{Sigma: m.Sigma, Kappa: m.Kappa, Lambda: m.Lambda, Points: m.Points, SSE: m.SSE, Warnings: m.Warnings}
	if n, x, ok := m.Peak(); ok {
		out.NStar, out.PeakX = &n, &x
	}
	if !math.IsNaN(m.R2) {
		out.R2 = &m.R2
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	return out
}

// WriteText writes the fit's parameters, peak and quality, one per line at
// full precision.
func (m Model) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "sigma   %s\n", full(m.Sigma))
	fmt.Fprintf(w, "kappa   %s\n", full(m.Kappa))
	fmt.Fprintf(w, "lambda  %s\n", full(m.Lambda))
	if n, x, ok := m.Peak(); ok {
		fmt.Fprintf(w, "n_star  %s\n", full(n))
		fmt.Fprintf(w, "peak    %s\n", full(x))
	} else {
		fmt.Fprintf(w, "n_star  none: no peak in sight (κ = 0: throughput keeps growing under the fit)\n")
		fmt.Fprintf(w, "peak    none\n")
	}
	_, err := fmt.Fprintf(w, "fit     %d points, SSE %s, R² %s\n", m.Points, full(m.SSE), full(m.R2))
	return err
}

func full(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
