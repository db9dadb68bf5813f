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
	suspect := 0
	for _, l := range s.Levels {
		if l.WindowS <= 0 {
			continue
		}
		if l.Verdict == brink.VerdictSuspect {
			suspect++ // the instrument's delay is in its numbers: not a point of the curve
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
	if suspect > 0 {
		notes = append(notes, fmt.Sprintf("%d suspect level(s) left out of the knees and the USL fit", suspect))
	}
	// Kneedle assumes a monotone curve; on one that goes against its
	// trend (latency 10.3, 4.4, 6.7, 4.0 s) it still names a knee. Such a
	// curve has no clear knee, and the note says where it broke. Throughput
	// may fall past its peak (the retrograde region), so only the points up
	// to its highest are checked.
	if b := knee.Trend(upToPeak(thr), knee.Increasing, knee.DefaultTrendTolerance); b != nil {
		notes = append(notes, fmt.Sprintf("throughput has no clear knee: it falls from %.2f/s at %d users to %.2f/s at %d users before its peak, and Kneedle needs a rising curve",
			thr[b.From], int(users[b.From]), thr[b.To], int(users[b.To])))
	} else if k, err := knee.Find(users, thr, knee.Options{Curve: knee.Concave, Direction: knee.Increasing, Sensitivity: 1}); err != nil {
		notes = append(notes, "throughput knee: "+err.Error())
	} else if k.Found {
		s.ThroughputKnee = &brink.KneePoint{Users: int(k.X), Value: k.Y}
	} else {
		notes = append(notes, "throughput has no knee: "+k.Reason)
	}
	if b := knee.Trend(p95, knee.Increasing, knee.DefaultTrendTolerance); b != nil {
		notes = append(notes, fmt.Sprintf("p95 latency has no clear knee: it falls from %.2f s at %d users to %.2f s at %d users, and Kneedle needs a rising curve",
			p95[b.From]/1000, int(p95Users[b.From]), p95[b.To]/1000, int(p95Users[b.To])))
	} else if k, err := knee.Find(p95Users, p95, knee.Options{Curve: knee.Convex, Direction: knee.Increasing, Sensitivity: 1}); err != nil {
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
		if suspect > 0 {
			fit.Warnings = append(fit.Warnings, fmt.Sprintf("%d suspect level(s) left out", suspect))
		}
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

// upToPeak is y up to and including its highest point.
func upToPeak(y []float64) []float64 {
	top := 0
	for i, v := range y {
		if v > y[top] {
			top = i
		}
	}
	return y[:min(top+1, len(y))]
}
