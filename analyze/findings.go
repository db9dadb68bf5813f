package analyze

import (
	"fmt"
	"slices"
	"strings"

	"brink"
)

// findings says the headline numbers in plain sentences, for the report's
// first page and the terminal.
func findings(s *brink.Summary) []string {
	out := closedFindings(s)
	if s.Plan.Open() {
		// An open-model level is an arrival rate, kept in the users column.
		for i, f := range out {
			out[i] = strings.ReplaceAll(f, " users", " new sessions/min")
		}
	}
	return out
}

// closedFindings says the findings with levels counted in users.
func closedFindings(s *brink.Summary) []string {
	var out []string
	if len(s.Levels) == 0 {
		return []string{"No level reached its hold window: there is nothing to compare."}
	}
	first, last := s.Levels[0], s.Levels[len(s.Levels)-1]
	if first.P95MS != nil && last.P95MS != nil {
		out = append(out, fmt.Sprintf("p95 conversation latency went from %.2f s at %d users to %.2f s at %d users.",
			*first.P95MS/1000, first.Users, *last.P95MS/1000, last.Users))
	}
	latencyRule, errorRule, errorStep := 5000.0, 0.01, ""
	for _, r := range s.StopRules {
		switch r.Metric {
		case brink.RuleLatency:
			latencyRule = r.Threshold
		case brink.RuleErrorRate:
			errorRule, errorStep = r.Threshold, r.Step
		}
	}
	// The error rate in words is the stop rule's: all steps unless the rule
	// names the conversation step (the table shows both, named).
	errName, errRate, thrRate := "The error rate of all steps", func(l brink.LevelStats) float64 { return l.AllErrorRate }, func(l brink.LevelStats) float64 { return l.AllThrottle }
	if errorStep != "" && errorStep == s.Step {
		errName = fmt.Sprintf("The error rate of %q requests", errorStep)
		errRate, thrRate = func(l brink.LevelStats) float64 { return l.ErrorRate }, func(l brink.LevelStats) float64 { return l.ThrottleRate }
	}
	latAt, errAt := -1, -1
	for i, l := range s.Levels {
		if latAt < 0 && l.P95MS != nil && *l.P95MS > latencyRule {
			latAt = i
		}
		if errAt < 0 && errRate(l) > errorRule {
			errAt = i
		}
	}
	out = append(out, measurementFindings(s)...)
	if latAt >= 0 {
		l := s.Levels[latAt]
		out = append(out, fmt.Sprintf("p95 conversation latency first exceeded %.0f s at level %d (%d users): %.2f s%s.",
			latencyRule/1000, l.Level, l.Users, *l.P95MS/1000, suspectMark(l)))
	} else {
		out = append(out, fmt.Sprintf("p95 conversation latency stayed at or under %.0f s up to %d users.", latencyRule/1000, last.Users))
	}
	if errAt >= 0 {
		l := s.Levels[errAt]
		why := fmt.Sprintf("(throttled %.2f%%)", thrRate(l)*100)
		if l.AllRequests == 0 {
			why = "(no request started in its hold: the target answered nothing)"
		}
		out = append(out, fmt.Sprintf("%s (the stop rule's) first exceeded %.0f%% at level %d (%d users): %.2f%% %s%s.",
			errName, errorRule*100, l.Level, l.Users, errRate(l)*100, why, suspectMark(l)))
	} else {
		worst := 0.0
		for _, l := range s.Levels {
			worst = max(worst, errRate(l))
		}
		out = append(out, fmt.Sprintf("%s (the stop rule's) stayed at or under %.0f%% up to %d users (at most %.2f%%).", errName, errorRule*100, last.Users, worst*100))
	}
	if latAt >= 0 && (errAt < 0 || latAt < errAt) && s.Levels[latAt].Verdict != brink.VerdictSuspect {
		if errAt >= 0 {
			out = append(out, fmt.Sprintf("Latency gave %d users of warning before errors did.", s.Levels[errAt].Users-s.Levels[latAt].Users))
		} else {
			out = append(out, "Latency broke its limit while errors stayed low: latency is the early warning.")
		}
	}
	if s.LatencyKnee != nil {
		line := fmt.Sprintf("The p95 latency knee is at %d users (%.2f s).", s.LatencyKnee.Users, s.LatencyKnee.Value/1000)
		if s.LatencyWarningUsers != nil {
			line += fmt.Sprintf(" It came %d users before the error rate passed %.0f%%.", *s.LatencyWarningUsers, errorRule*100)
		}
		out = append(out, line)
	}
	if s.ThroughputKnee != nil {
		out = append(out, fmt.Sprintf("Throughput bends at %d users (%.2f answered conversations/s).", s.ThroughputKnee.Users, s.ThroughputKnee.Value))
	}
	if u := s.USL; u != nil {
		held := ""
		if slices.Contains(u.Bound, "sigma") {
			held = "; fitted with sigma >= 0 as throughput grew faster than linearly at first"
		}
		if u.PeakN != nil {
			out = append(out, fmt.Sprintf("The USL fit (sigma %.3f, kappa %.4f%s) puts peak throughput at %.0f users (%.2f conversations/s).",
				u.Sigma, u.Kappa, held, *u.PeakN, *u.PeakX))
		} else {
			out = append(out, fmt.Sprintf("The USL fit (sigma %.3f, kappa 0%s) has no peak in sight: throughput keeps growing under it.", u.Sigma, held))
		}
	}
	if s.Edge != nil {
		mark := ""
		for _, l := range s.Levels {
			if l.Level == s.Edge.Level {
				mark = suspectMark(l)
			}
		}
		out = append(out, fmt.Sprintf("Edge of failure: level %d (%d users), where %s%s.", s.Edge.Level, s.Edge.Users, s.Edge.Rule, mark))
	} else {
		out = append(out, fmt.Sprintf("No stop rule broke up to %d users: the edge of failure lies beyond the tested range.", last.Users))
	}
	out = append(out, limitFinding(s))
	if f := periodFinding(s.Levels); f != "" {
		out = append(out, f)
	}
	if f := coldStartFinding(s.Warnings); f != "" {
		out = append(out, f)
	}
	out = append(out, costFindings(s)...)
	if c := s.Cost; c != nil && c.Assumptions.Sizing != "" {
		line := "Infrastructure is priced for " + c.Assumptions.Sizing + "."
		if !strings.HasPrefix(c.Assumptions.Sizing, "usage file") {
			line += " To price your stack's sizing, pass brink analyze --usage FILE (docs/cost.md)."
		}
		out = append(out, line)
	}
	return out
}

// limitFinding names the first limit that broke, and where.
func limitFinding(s *brink.Summary) string {
	f := s.FirstLimit
	if f == nil {
		return "No limit broke: no throttling or timeouts in the platform's metrics or the traces."
	}
	src := "the platform's metrics"
	if f.Source == "traces" {
		src = "the traces"
	}
	return fmt.Sprintf("The first limit to break was %s, at %d users (level %d), from %s.", f.Signal, f.Users, f.Level, src)
}

// measurementFindings say, first, which levels brink cannot vouch for.
func measurementFindings(s *brink.Summary) []string {
	m := s.Measurement
	if m == nil || m.Verdict != brink.VerdictDegraded {
		return nil
	}
	var out []string
	for _, l := range s.Levels {
		if l.Verdict == brink.VerdictSuspect {
			out = append(out, fmt.Sprintf("%d users (level %d) is suspect: %s; its latencies include the generator's own delay, and the knee and USL fits leave it out.",
				l.Users, l.Level, l.VerdictReason))
		}
	}
	return out
}

// suspectMark is the mark a number from a suspect level carries.
func suspectMark(l brink.LevelStats) string {
	if l.Verdict != brink.VerdictSuspect {
		return ""
	}
	return " (suspect level: the instrument distorted it)"
}

// periodFinding says how the platform's datapoints were lined up with the
// holds: only whole periods count, and how many each hold held.
func periodFinding(levels []brink.LevelStats) string {
	lo, hi, p := -1, -1, 0
	for _, l := range levels {
		if l.Infra == nil || l.Infra.MetricPeriodS == 0 {
			continue
		}
		p = l.Infra.MetricPeriodS
		if lo < 0 || l.Infra.MetricPeriods < lo {
			lo = l.Infra.MetricPeriods
		}
		hi = max(hi, l.Infra.MetricPeriods)
	}
	if p == 0 {
		return ""
	}
	n := fmt.Sprintf("%d", lo)
	if hi != lo {
		n = fmt.Sprintf("%d to %d", lo, hi)
	}
	line := fmt.Sprintf("Platform metrics are %d s datapoints, counted for a level only when their whole period lies in its hold: %s whole periods a hold.", p, n)
	if lo < minWholePeriods {
		line += fmt.Sprintf(" Fewer than %d make a level's platform numbers unreliable: hold each level longer.", minWholePeriods)
	}
	return line
}
