package sim

import (
	"math"
	"slices"
)

// sketch is a DDSketch (Masson, Rim and Lee, VLDB 2019): samples counted in
// logarithmic bins whose width grows with the value, so any quantile comes
// back within sketchAlpha of the true sample's value, whatever the spread,
// and two sketches merge by adding their bins. It is what lets the metric
// store keep one small statistic set per second instead of every sample and
// still answer pNN for any period.
//
// Bins are kept sparse and sorted: a second of API Gateway latencies fills a
// few dozen of them. Values at or below zero (counters of 0, a negative
// gauge) are kept in a zero bin and a mirrored negative store.
type sketch struct {
	pos, neg []bin // sorted by idx
	zero     uint64
}

type bin struct {
	idx int32
	n   uint32
}

// sketchAlpha is the relative accuracy: DDSketch's usual 1%.
const sketchAlpha = 0.01

var (
	sketchGamma  = (1 + sketchAlpha) / (1 - sketchAlpha)
	sketchLnG    = math.Log(sketchGamma)
	sketchMinPos = 1e-9 // smaller magnitudes count as zero
)

func sketchIndex(v float64) int32 { return int32(math.Ceil(math.Log(v) / sketchLnG)) }

// sketchValue is a bin's representative: the point within alpha of every
// value the bin holds.
func sketchValue(i int32) float64 { return 2 * math.Pow(sketchGamma, float64(i)) / (sketchGamma + 1) }

func (s *sketch) add(v float64, n uint32) {
	switch {
	case v >= sketchMinPos:
		s.pos = addBin(s.pos, sketchIndex(v), n)
	case v <= -sketchMinPos:
		s.neg = addBin(s.neg, sketchIndex(-v), n)
	default:
		s.zero += uint64(n)
	}
}

func addBin(bins []bin, idx int32, n uint32) []bin {
	i, found := slices.BinarySearchFunc(bins, idx, func(b bin, t int32) int { return int(b.idx - t) })
	if found {
		bins[i].n += n
		return bins
	}
	return slices.Insert(bins, i, bin{idx, n})
}

// merge adds o's bins into s.
func (s *sketch) merge(o *sketch) {
	s.pos = mergeBins(s.pos, o.pos)
	s.neg = mergeBins(s.neg, o.neg)
	s.zero += o.zero
}

func mergeBins(a, b []bin) []bin {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return slices.Clone(b)
	}
	out := make([]bin, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || i < len(a) && a[i].idx < b[j].idx:
			out = append(out, a[i])
			i++
		case i >= len(a) || b[j].idx < a[i].idx:
			out = append(out, b[j])
			j++
		default:
			out = append(out, bin{a[i].idx, a[i].n + b[j].n})
			i, j = i+1, j+1
		}
	}
	return slices.Clip(out)
}

// rank returns the value of the rank-th smallest sample (from 1), within
// alpha: negatives from the most negative, then zeros, then positives.
func (s *sketch) rank(rank uint64) float64 {
	var seen uint64
	for i := len(s.neg) - 1; i >= 0; i-- {
		if seen += uint64(s.neg[i].n); seen >= rank {
			return -sketchValue(s.neg[i].idx)
		}
	}
	if seen += s.zero; seen >= rank {
		return 0
	}
	for _, b := range s.pos {
		if seen += uint64(b.n); seen >= rank {
			return sketchValue(b.idx)
		}
	}
	if len(s.pos) > 0 {
		return sketchValue(s.pos[len(s.pos)-1].idx)
	}
	return 0
}
