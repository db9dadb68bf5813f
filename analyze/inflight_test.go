package analyze

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"
)

// Requests in flight per second, computed independently from the fixture's
// rows: for each whole second of a level's hold, the overlap of every
// request that started in the hold with that second; then the mean over the
// seconds and quantile_cont at 0.99.
func TestInFlight(t *testing.T) {
	dir, rows := fixtureRun(t)
	res, err := Run(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := manifestOf(t, dir)
	for i, l := range res.Summary.Levels {
		w := m.Levels[i]
		var per []float64
		for sec := w.SteadyStart.Truncate(time.Second); sec.Before(w.End.Truncate(time.Second)); sec = sec.Add(time.Second) {
			v := 0.0
			for _, r := range rows {
				if r.Start.Before(w.SteadyStart) || !r.Start.Before(w.End) || r.LatencyMS <= 0 {
					continue
				}
				end := r.Start.Add(time.Duration(r.LatencyMS * float64(time.Millisecond)))
				lo, hi := maxTime(r.Start, sec), minTime(end, sec.Add(time.Second))
				if hi.After(lo) {
					v += hi.Sub(lo).Seconds()
				}
			}
			per = append(per, v)
		}
		mean := 0.0
		for _, v := range per {
			mean += v
		}
		mean /= float64(len(per))
		p99 := quantileCont(per, 0.99)
		if l.InFlightMean == nil || l.InFlightP99 == nil || math.Abs(*l.InFlightMean-mean) > 1e-9 || math.Abs(*l.InFlightP99-p99) > 1e-9 {
			t.Errorf("level %d: in flight mean %v p99 %v, want %v %v", i, l.InFlightMean, l.InFlightP99, mean, p99)
		}
		t.Logf("level %d: %d seconds, mean %.4f, p99 %.4f (max %.4f)", i, len(per), mean, p99, slices.Max(per))
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
