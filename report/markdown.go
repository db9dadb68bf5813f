package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"brink"
)

func fmtMS(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f", *v)
}

func pct(v float64) string { return fmt.Sprintf("%.2f%%", v*100) }

var tableHeader = []string{"level", "users", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "throttled", "timeouts", "all-step errors", "in tok/min", "out tok/min"}

func tableRows(s *brink.Summary) [][]string {
	rows := make([][]string, 0, len(s.Levels))
	for _, l := range s.Levels {
		rows = append(rows, []string{
			fmt.Sprint(l.Level), fmt.Sprint(l.Users), fmt.Sprint(l.Requests), fmt.Sprintf("%.2f", l.RPS),
			fmtMS(l.P50MS), fmtMS(l.P95MS), fmtMS(l.P99MS),
			pct(l.ErrorRate), pct(l.ThrottleRate), pct(l.TimeoutRate), pct(l.AllErrorRate),
			fmt.Sprintf("%.0f", l.InputTPM), fmt.Sprintf("%.0f", l.OutputTPM),
		})
	}
	return rows
}

// levelTableText renders the level table in fixed-width columns.
func LevelTableText(s *brink.Summary) []string {
	rows := append([][]string{tableHeader}, tableRows(s)...)
	widths := make([]int, len(tableHeader))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	out := make([]string, len(rows))
	for k, r := range rows {
		var b strings.Builder
		for i, c := range r {
			fmt.Fprintf(&b, "%*s  ", widths[i], c)
		}
		out[k] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// Markdown writes summary.md: run facts, findings, the chart and the level table.
func Markdown(w io.Writer, s *brink.Summary, now time.Time) {
	fmt.Fprintf(w, "# brink report: run %s\n\n", s.RunID)
	fmt.Fprintf(w, "%s\n\n%s\n\n", runFacts(s, now), planFacts(s))
	fmt.Fprintf(w, "## Findings\n\n")
	for _, f := range s.Findings {
		fmt.Fprintf(w, "- %s\n", f)
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "\n### Notes\n\n")
		for _, n := range s.Warnings {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	fmt.Fprintf(w, "\n## Charts\n\n")
	for _, ch := range charts {
		fmt.Fprintf(w, "![%s](%s.png)\n", ch.title, ch.name)
	}
	fmt.Fprintf(w, "\n## Levels\n\nHold windows only; latency of answered `%s` requests in scenario ms, exact percentiles; rates of all `%s` requests unless the column says all steps.\n\n", s.Step, s.Step)
	fmt.Fprintf(w, "| %s |\n", strings.Join(tableHeader, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---:|", len(tableHeader)))
	for _, r := range tableRows(s) {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
}
