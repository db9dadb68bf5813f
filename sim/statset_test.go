package sim

import (
	"math"
	mrand "math/rand/v2"
	"slices"
	"testing"
	"time"
)

// nearestRank is the exact percentile the sketch approximates.
func nearestRank(sorted []float64, p float64) float64 {
	r := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(r, 1), len(sorted))-1]
}

// TestStatSetPercentilesWithinAlpha: whatever the spread, sign and split
// into merged parts, every percentile lies within sketchAlpha of the exact
// nearest-rank value, and count, sum, min and max are exact.
func TestStatSetPercentilesWithinAlpha(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(1, 2))
	draws := map[string]func() float64{
		"lognormal ms": func() float64 { return 200 * math.Exp(rng.NormFloat64()) },
		"zeros and ones": func() float64 {
			return float64(rng.IntN(2))
		},
		"constant":         func() float64 { return 6 },
		"signed":           func() float64 { return rng.NormFloat64() * 50 },
		"wide (1e-3..1e6)": func() float64 { return math.Pow(10, rng.Float64()*9-3) },
	}
	for name, draw := range draws {
		t.Run(name, func(t *testing.T) {
			var vals []float64
			var whole statSet
			parts := make([]statSet, 7)
			for i := range 5000 {
				v := draw()
				vals = append(vals, v)
				whole.add(v)
				parts[i%7].add(v)
			}
			var merged statSet
			for i := range parts {
				merged.merge(&parts[i])
			}
			slices.Sort(vals)
			var sum float64
			for _, v := range vals {
				sum += v
			}
			for _, set := range []*statSet{&whole, &merged} {
				if set.n != 5000 || set.min != vals[0] || set.max != vals[len(vals)-1] || math.Abs(set.sum-sum) > 1e-6*math.Abs(sum)+1e-9 {
					t.Fatalf("n %v min %v max %v sum %v; want 5000 %v %v %v", set.n, set.min, set.max, set.sum, vals[0], vals[len(vals)-1], sum)
				}
				for _, p := range []float64{0, 1, 10, 50, 90, 95, 99, 99.9, 100} {
					want := nearestRank(vals, p)
					if got := set.percentile(p); math.Abs(got-want) > sketchAlpha*math.Abs(want)+1e-9 {
						t.Errorf("p%v = %v, want %v within %v%%", p, got, want, 100*sketchAlpha)
					}
				}
			}
		})
	}
}

// TestStoreRollsSecondsIntoMinutes: past three hours, seconds are merged
// into minutes; a 60 s query reads the same totals across the boundary, and
// the store's size stops growing with time.
func TestStoreRollsSecondsIntoMinutes(t *testing.T) {
	ep := time.Unix(1_800_000_000, 0)
	m := newMetrics(ep)
	sr := m.declare(NSLambda, "Duration", unitMS, fillNone)
	const hours = 5
	for sec := range hours * 3600 {
		for j := range 3 {
			m.put(sr, ep.Add(time.Duration(sec)*time.Second), float64(1+j+sec%100))
		}
	}
	if len(sr.secs) != secondRetention || sr.base != ep.Unix()+hours*3600-secondRetention {
		t.Fatalf("%d seconds kept from %d; want %d", len(sr.secs), sr.base, secondRetention)
	}
	now := ep.Unix() + hours*3600
	aggs := m.aggregate(sr, ep.Unix(), now, 60, now)
	if len(aggs) != hours*60 {
		t.Fatalf("%d minutes, want %d", len(aggs), hours*60)
	}
	for i, a := range aggs {
		// Each minute holds 60 seconds × 3 samples: 1+j+sec%100.
		var want float64
		for s := i * 60; s < i*60+60; s++ {
			want += float64(3*(1+s%100) + 3)
		}
		if a.N != 180 || a.Sum != want {
			t.Fatalf("minute %d: %v samples, sum %v; want 180, %v", i, a.N, a.Sum, want)
		}
	}
	if got := m.aggregate(sr, ep.Unix(), ep.Unix()+60, 1, now); len(got) != 0 {
		t.Errorf("1-second data older than 3 hours: %d datapoints, want none (as CloudWatch)", len(got))
	}
	if got := m.aggregate(sr, now-10, now, 1, now); len(got) != 10 || got[0].N != 3 {
		t.Errorf("recent seconds: %d datapoints", len(got))
	}
}
