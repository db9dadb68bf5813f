package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"brink"
	"brink/pricing"
)

func fmtMS(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f", *v)
}

func pct(v float64) string { return fmt.Sprintf("%.2f%%", v*100) }

// tableHeader names the level table's columns. The rates name the steps
// they count: the conversation step's, and all steps' (the stop rule's
// default definition), so one rate is never shown under two names.
func tableHeader(s *brink.Summary) []string {
	step := s.Step
	if step == "" {
		step = brink.StepAsk
	}
	return []string{"level", "users", "requests", "answered/s", "p50 ms", "p95 ms", "p99 ms", "user p95 ms",
		step + " errors", step + " throttled", step + " timeouts", "all-step errors", "in tok/min", "out tok/min"}
}

func tableRows(s *brink.Summary) [][]string {
	rows := make([][]string, 0, len(s.Levels))
	for _, l := range s.Levels {
		lvl := fmt.Sprint(l.Level)
		if l.Verdict == brink.VerdictSuspect {
			lvl += "*" // the instrument distorted it: SuspectNote says so under the table
		}
		rows = append(rows, []string{
			lvl, fmt.Sprint(l.Users), fmt.Sprint(l.Requests), fmt.Sprintf("%.2f", l.AnsweredRPS),
			fmtMS(l.P50MS), fmtMS(l.P95MS), fmtMS(l.P99MS), fmtMS(l.UserP95MedianMS),
			pct(l.ErrorRate), pct(l.ThrottleRate), pct(l.TimeoutRate), pct(l.AllErrorRate),
			fmt.Sprintf("%.0f", l.InputTPM), fmt.Sprintf("%.0f", l.OutputTPM),
		})
	}
	return rows
}

// WriteFindings writes the findings as a list, then the level table, each
// line after indent: what brink analyze and brink demo print.
//
// The findings are the ones the PDF opens with (Findings): the analysis's,
// the first limit that broke and, when wi is not nil, the what-if's.
func WriteFindings(w io.Writer, s *brink.Summary, wi *pricing.WhatIf, indent string) {
	for _, f := range Findings(s, wi) {
		fmt.Fprintf(w, "%s- %s\n", indent, f)
	}
	fmt.Fprintln(w)
	for _, row := range LevelTableText(s) {
		fmt.Fprintf(w, "%s%s\n", indent, row)
	}
	if n := SuspectNote(s); n != "" {
		fmt.Fprintf(w, "%s%s\n", indent, n)
	}
}

// SuspectNote explains the mark of suspect levels in the level table; ""
// when there is none.
func SuspectNote(s *brink.Summary) string {
	if s.Measurement == nil || len(s.Measurement.SuspectLevels) == 0 {
		return ""
	}
	return "* suspect: the generator or its host distorted this level's numbers (summary.json: measurement, levels[].verdict_reason)"
}

// LevelTableText renders the level table in fixed-width columns.
func LevelTableText(s *brink.Summary) []string {
	head := tableHeader(s)
	rows := append([][]string{head}, tableRows(s)...)
	widths := make([]int, len(head))
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

// markdown writes summary.md: run facts, findings, the headline numbers,
// the charts (links to the PNGs beside it), the level table, the cost per
// level and the what-if scenarios.
func markdown(w io.Writer, in *input, now time.Time) {
	s := in.s
	fmt.Fprintf(w, "# brink report: run %s\n\n", s.RunID)
	fmt.Fprintf(w, "%s\n\n%s\n\n", runFacts(s, now), planFacts(s))
	if len(s.Approximate) > 0 {
		fmt.Fprintf(w, "**Approximate answers** (imported run, no per-request rows):\n\n")
		for _, a := range s.Approximate {
			fmt.Fprintf(w, "- %s\n", a)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "## Findings\n\n")
	for _, f := range findings(in) {
		fmt.Fprintf(w, "- %s\n", f)
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "\n### Notes\n\n")
		for _, n := range s.Warnings {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	fmt.Fprintf(w, "\n## Headline numbers\n\n| | |\n|---|---:|\n")
	for _, r := range headlineRows(in) {
		fmt.Fprintf(w, "| %s | %s |\n", r[0], r[1])
	}
	fmt.Fprintf(w, "\nEvery number is also in `summary.json` beside this file.\n\n## Charts\n\n")
	for _, ch := range charts {
		fmt.Fprintf(w, "### %s\n\n![%s](%s.png)\n\n", ch.title, ch.title, ch.name)
	}
	fmt.Fprintf(w, "## Levels\n\nHold windows only; latency of answered `%s` requests in scenario ms, exact percentiles; rates of all `%s` requests unless the column says all steps; user p95 is the 95th percentile across the level's users of each user's median latency.\n\n", s.Step, s.Step)
	fmt.Fprintf(w, "| %s |\n", strings.Join(tableHeader(s), " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---:|", len(tableHeader(s))))
	for _, r := range tableRows(s) {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	if n := SuspectNote(s); n != "" {
		fmt.Fprintf(w, "\n%s\n", n)
	}
	if c := s.Cost; c != nil && len(c.Levels) > 0 {
		fmt.Fprintf(w, "\n## Cost per active user per minute\n\n%s, %s prices as of %s; the level's hold cost ÷ (users × minutes). An active user here is a virtual user asking the questions per minute shown (its engagement); a person asks fewer.\n\n", c.Currency, c.PriceSheet, c.PricesAsOf)
		fmt.Fprintf(w, "| level | users | questions/user-min | total | LLM input | LLM output | Lambda | DynamoDB | API Gateway | per answered turn |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, l := range c.Levels {
			u := l.PerUserMinute
			turn := "-"
			if l.PerTurnUSD != nil {
				turn = fmt.Sprintf("%.6f", *l.PerTurnUSD)
			}
			mark := ""
			if l.Level == c.BaselineLevel {
				mark = " (baseline)"
			}
			fmt.Fprintf(w, "| %d%s | %d | %.2f | %.6f | %.6f | %.6f | %.6f | %.6f | %.6f | %s |\n", l.Level, mark, l.Users, l.QuestionsPerUserMinute(), u.Total, u.LLMInput, u.LLMOutput, u.Lambda, u.DynamoDB, u.APIGateway, turn)
		}
	}
	if in.w != nil && len(in.w.Results) > 0 {
		fmt.Fprintf(w, "\n## What-if\n\nProjected by `brink whatif` from level %d (%d users, %.2f questions per user per minute measured). $/day counts the scenario's users for the hours a day shown (24 h: the whole day at that concurrency, unless the scenario says); $/month is 365/12 such days. Over quota names every quota the scenario overruns (need/limit).\n\n", in.w.Baseline.Level, in.w.Baseline.Users, in.w.Baseline.TurnsPerUserMinute)
		fmt.Fprintf(w, "| scenario | users | questions/user-min | $/user-min | $/day | $/month | load (measured users) | over quota |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
		for _, r := range in.w.Results {
			fmt.Fprintf(w, "| %s | %.0f | %.2f | %.6f | %.2f (%s h) | %.0f | %.0f | %s |\n", r.Scenario.Name, r.AverageUsers, r.TurnsPerUserMinute, r.PerUserMinute.Total, r.PerDay.Total, trimFloat(hoursOf(r), 2), r.PerMonth.Total, r.LoadEquivalentUsers, overQuota(r))
		}
	}
}

// headlineRows are the headline numbers as label and value, for summary.md.
func headlineRows(in *input) [][2]string {
	h := headline(in, time.Time{})
	users := func(v *int) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%d users", *v)
	}
	num := func(v *float64, format string) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf(format, *v)
	}
	rows := [][2]string{
		{"Users tested (highest level)", fmt.Sprint(h.MaxUsersTested)},
		{fmt.Sprintf("p95 first over %s s", secs(h.LatencyLimitMS/1000)), users(h.P95CrossedUsers)},
		{fmt.Sprintf("Error rate first over %s%%", trimFloat(h.ErrorRateLimit*100, 2)), users(h.ErrorsCrossedUsers)},
		{"Edge of failure", users(h.EdgeUsers)},
		{"p95 latency knee", users(h.LatencyKneeUsers)},
		{"Warning the knee gave before errors", users(h.LatencyWarningUsers)},
		{"Throughput knee", users(h.ThroughputKneeUsers)},
		{"Peak measured throughput", num(h.MaxAnsweredRPS, "%.2f answered conversations/s")},
		{"USL peak N*", uslPeak(h, num)},
	}
	if h.FirstLimit != nil {
		rows = append(rows, [2]string{"First limit to break", fmt.Sprintf("%s at %d users", *h.FirstLimit, *h.FirstLimitUsers)})
	} else {
		rows = append(rows, [2]string{"First limit to break", "-"})
	}
	rows = append(rows,
		[2]string{"Cost per active user per minute" + map[bool]string{true: fmt.Sprintf(" (at %s)", users(h.CostBaselineUsers)), false: ""}[h.CostBaselineUsers != nil], num(h.USDPerUserMinute, "$%.6f") + num(h.QuestionsPerUserMinute, " at %.2f questions/user-min")},
		[2]string{"Cost per answered turn", num(h.USDPerAnsweredTurn, "$%.6f")})
	for _, r := range h.WhatIf {
		rows = append(rows, [2]string{"What-if " + r.Scenario + " per day", fmt.Sprintf("$%.2f (%s h a day)", r.USDPerDay, trimFloat(r.HoursPerDay, 2))})
	}
	return rows
}

// uslPeak is the USL peak in words: none when the fit has κ = 0.
func uslPeak(h Headline, num func(*float64, string) string) string {
	if h.USLPeakUsers == nil && h.USLKappa != nil {
		return "no peak in sight (kappa = 0)"
	}
	return num(h.USLPeakUsers, "%.0f users")
}
