package analyze

import (
	"fmt"

	"brink"
	"brink/analyze/knee"
	"brink/analyze/usl"
)

// curves finds the knees of throughput and p95 latency against users, fits
// the USL, and says how much warning latency gave before errors.
func curves(s *brink.Summary) {
	var users, thr, p95Users, p95 []float64
	for _, l := range s.Levels {
		if l.WindowS <= 0 {
			continue
		}
		users = append(users, float64(l.Users))
		thr = append(thr, l.AnsweredRPS)
		if l.P95MS != nil {
			p95Users = append(p95Users, float64(l.Users))
			p95 = append(p95, *l.P95MS)
		}
	}
	var notes []string
	if k, err := knee.Find(users, thr, knee.Options{Curve: knee.Concave, Direction: knee.Increasing, Sensitivity: 1}); err != nil {
		notes = append(notes, "throughput knee: "+err.Error())
	} else if k.Found {
		s.ThroughputKnee = &brink.KneePoint{Users: int(k.X), Value: k.Y}
	} else {
		notes = append(notes, "throughput has no knee: "+k.Reason)
	}
	if k, err := knee.Find(p95Users, p95, knee.Options{Curve: knee.Convex, Direction: knee.Increasing, Sensitivity: 1}); err != nil {
		notes = append(notes, "latency knee: "+err.Error())
	} else if k.Found {
		s.LatencyKnee = &brink.KneePoint{Users: int(k.X), Value: k.Y}
	} else {
		notes = append(notes, "p95 latency has no knee: "+k.Reason)
	}
	if len(notes) > 0 {
		s.KneeNote = joinNotes(notes)
	}
	errRule := 0.01
	for _, r := range s.StopRules {
		if r.Metric == brink.RuleErrorRate {
			errRule = r.Threshold
		}
	}
	if s.LatencyKnee != nil {
		for _, l := range s.Levels {
			if l.AllErrorRate > errRule {
				w := l.Users - s.LatencyKnee.Users
				s.LatencyWarningUsers = &w
				break
			}
		}
	}
	if m, err := usl.Fit(users, thr); err == nil {
		fit := &brink.USLFit{Sigma: m.Sigma, Kappa: m.Kappa, Lambda: m.Lambda, R2: m.R2, Bound: m.Bound, Warnings: m.Warnings}
		if n, x, ok := m.Peak(); ok {
			fit.PeakN, fit.PeakX = &n, &x
		}
		s.USL = fit
	} else {
		s.Warnings = append(s.Warnings, fmt.Sprintf("no USL fit: %v", err))
	}
}

func joinNotes(n []string) string {
	out := n[0]
	for _, s := range n[1:] {
		out += "; " + s
	}
	return out
}
