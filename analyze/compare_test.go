package analyze

import (
	"context"
	"math"
	"strings"
	"testing"

	"brink"
)

func analysed(t *testing.T, edit func(*brink.Trace)) (string, []brink.Trace) {
	t.Helper()
	dir, rows := fixtureRunWith(t, edit)
	if _, err := Run(context.Background(), dir, Options{}); err != nil {
		t.Fatal(err)
	}
	return dir, rows
}

// A run compared with itself has no significant difference.
func TestCompareSelf(t *testing.T) {
	dir, _ := analysed(t, nil)
	c, err := Compare(context.Background(), dir, dir, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Users) != 2 || len(c.Differences) != 10 {
		t.Fatalf("users %v, %d differences; want 2 levels × 5 metrics", c.Users, len(c.Differences))
	}
	for _, d := range c.Differences {
		if d.Significant || d.PValue == nil || *d.PValue != 1 {
			t.Errorf("%s at %d: p %v significant %v; want p = 1", d.Metric, d.Users, d.PValue, d.Significant)
		}
	}
	if !strings.HasPrefix(c.Verdict, "No significant difference at the 2 common levels") {
		t.Errorf("verdict %q", c.Verdict)
	}
}

// Issue 18 item 8: a copy whose latencies are 1.5× has a significant p95
// rise at every common level. The p value is checked against U counted
// pair by pair and the normal approximation worked by hand.
func TestCompareSlowerCopy(t *testing.T) {
	dirA, rowsA := analysed(t, nil)
	dirB, rowsB := analysed(t, func(tr *brink.Trace) { tr.LatencyMS *= 1.5 })
	c, err := Compare(context.Background(), dirA, dirB, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := manifestOf(t, dirA)
	for _, d := range c.Differences {
		if d.Metric != brink.MetricP95 {
			continue
		}
		w := m.Levels[d.Users/10-1]
		sample := func(rows []brink.Trace) []float64 {
			var v []float64
			for _, r := range rows {
				if r.Step == brink.StepAsk && r.Error == "" && !r.Start.Before(w.SteadyStart) && r.Start.Before(w.End) {
					v = append(v, r.LatencyMS)
				}
			}
			return v
		}
		a, b := sample(rowsA), sample(rowsB)
		var u float64
		for _, x := range a {
			for _, y := range b {
				if x > y {
					u++
				} else if x == y {
					u += 0.5
				}
			}
		}
		_, tie := rankSum(a, b)
		n1, n2 := float64(len(a)), float64(len(b))
		n := n1 + n2
		var want float64
		if tie == 0 {
			want = mannWhitneyExact(len(a), len(b), u)
		} else {
			sd := math.Sqrt(n1 * n2 / 12 * ((n + 1) - tie/(n*(n-1))))
			want = math.Erfc((math.Abs(u-n1*n2/2) - 0.5) / sd / math.Sqrt2)
		}
		if d.PValue == nil || math.Abs(*d.PValue-want) > 1e-12 || !d.Significant || *d.DeltaPct < 49.9 || *d.DeltaPct > 50.1 {
			t.Errorf("p95 at %d users: p %v (want %v), significant %v, delta %v%%", d.Users, d.PValue, want, d.Significant, d.DeltaPct)
		}
		t.Logf("p95 at %d users: a %.0f b %.0f (+%.1f%%), U %v of %v, p %.3g", d.Users, *d.A, *d.B, *d.DeltaPct, u, n1*n2, *d.PValue)
	}
	for _, d := range c.Differences {
		if d.Metric == brink.MetricErrorRate && d.Significant {
			t.Errorf("error rate at %d users: significant, but the copy has the same errors", d.Users)
		}
	}
	if !strings.HasPrefix(c.Verdict, "Run B is worse (2 common levels, alpha = 0.05): p50_ms higher at 10, 20 users; p95_ms higher at 10, 20 users") {
		t.Errorf("verdict %q", c.Verdict)
	}
}
