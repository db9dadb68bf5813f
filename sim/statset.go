package sim

import (
	"math"
	"slices"
)

// statSet is one period's statistics of one series: CloudWatch's statistic
// set (SampleCount, Sum, Minimum, Maximum) plus the last sample, for gauges,
// and a sketch for percentiles. Sets merge exactly, except the sketch's
// percentiles, which stay within sketchAlpha.
type statSet struct {
	n, sum, min, max float64
	last             float64 // the latest sample put (or merged) in
	// sk is nil while every sample had the same value (min == max): most
	// seconds of a counter, every second of a constant, cost no sketch.
	sk *sketch
}

func (a *statSet) add(v float64) {
	if a.n == 0 {
		*a = statSet{n: 1, sum: v, min: v, max: v, last: v}
		return
	}
	if a.sk == nil && v != a.min {
		a.sk = &sketch{}
		a.sk.add(a.min, count32(a.n))
	}
	if a.sk != nil {
		a.sk.add(v, 1)
	}
	a.n++
	a.sum += v
	a.min = min(a.min, v)
	a.max = max(a.max, v)
	a.last = v
}

// merge adds b, taken after a, into a.
func (a *statSet) merge(b *statSet) {
	switch {
	case b.n == 0:
		return
	case a.n == 0:
		*a = *b
		if b.sk != nil {
			a.sk = &sketch{}
			a.sk.merge(b.sk)
		}
		return
	}
	if a.sk == nil && (b.sk != nil || b.min != a.min) {
		a.sk = &sketch{}
		a.sk.add(a.min, count32(a.n))
	}
	if a.sk != nil {
		if b.sk != nil {
			a.sk.merge(b.sk)
		} else {
			a.sk.add(b.min, count32(b.n))
		}
	}
	a.n += b.n
	a.sum += b.sum
	a.min = min(a.min, b.min)
	a.max = max(a.max, b.max)
	a.last = b.last
}

func count32(n float64) uint32 { return uint32(min(n, math.MaxUint32)) }

// percentile is the nearest-rank percentile CloudWatch documents for pNN
// ("the value below which NN% of samples fall"), within sketchAlpha of the
// sample of that rank and never outside [min, max].
func (a *statSet) percentile(p float64) float64 {
	if a.n == 0 {
		return 0
	}
	if a.sk == nil || p >= 100 {
		return a.max
	}
	r := math.Ceil(p / 100 * a.n)
	rank := uint64(max(r, 1))
	return min(max(a.sk.rank(rank), a.min), a.max)
}

// compact moves the set's sketch bins into arrays of their size, so the
// room they grew into is let go.
func (a *statSet) compact() {
	if a.sk == nil {
		return
	}
	for _, b := range []*[]bin{&a.sk.pos, &a.sk.neg} {
		if cap(*b) > len(*b) {
			*b = slices.Clone(*b)
		}
	}
}
