package report

import (
	"context"
	"testing"
	"time"

	"brink"
)

// BenchmarkReport10M draws the full report (8 PNG and SVG charts, the PDF,
// summary.md and summary.json) of a summary the size a 10-million-row run
// has after analysis: 20 levels of the default plan (2 min ramp, 5 min
// hold) and its timeline (840 buckets of 10 s, the most analyze keeps is
// 720, so 15 s buckets: 560 points). The charts plot aggregates, so the
// row count does not matter past the summary; the target is under 5 s.
func BenchmarkReport10M(b *testing.B) {
	if testing.Short() {
		b.Skip("drawing a full report: skipped under -short")
	}
	s := synthSummary(20, brink.DefaultPlan(), 15)
	s.TotalRequests = 10_000_000
	w := fixtureWhatIf()
	run := newRun(b)
	var worst time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := Write(context.Background(), run, s, Options{Now: created, WhatIf: w, Formats: Formats}); err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(t0))
	}
	b.ReportMetric(worst.Seconds(), "wall-s")
	b.ReportMetric(float64(len(s.Timeline)), "timeline-points")
	if worst > 5*time.Second {
		b.Fatalf("report of a 10M-row run took %v, target 5 s", worst)
	}
}
