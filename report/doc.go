// Package report draws a run's analysis (analysis/summary.json) for people:
// PNG charts with gonum/plot, one multi-page PDF for capacity reviews, and
// summary.md with the findings and the level table.
//
// It reads only the summary, never the traces, so a report of a huge run
// costs the same as one of a small run. It is the only package that imports
// gonum/plot. Text that goes into the PDF is kept to cp1252, the encoding of
// the PDF's standard fonts.
package report
