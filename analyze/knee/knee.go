// Package knee finds the knee (or elbow) of a curve with Kneedle (Satopaa,
// Albrecht, Irwin and Raghavan, "Finding a 'Kneedle' in a Haystack", 2011),
// step for step as the Python library kneed 0.8.6 computes it with its
// defaults: no smoothing (interp_method "interp1d" evaluated at the input
// points), x and y normalised to [0,1], the normalised curve turned
// concave-increasing according to Curve and Direction, the difference
// curve y−x, its local maxima and minima (scipy argrelextrema with >= and
// <=, so plateaus count), a threshold T = y_max − S·mean(diff(x_normalised))
// per maximum that drops to 0 after a local minimum, and a knee wherever
// the difference curve falls below the current threshold. Offline mode
// returns the first knee, online mode keeps going and returns the last.
//
// It does not smooth (kneed's "polynomial" interp_method is not offered),
// plot, or choose Curve and Direction for you. Deliberate differences from
// kneed: x must be strictly increasing (kneed accepts any order but its
// answer only means something for sorted x); fewer than 3 points give "no
// knee" with a Reason instead of kneed's accidental answers; and Y is set
// for a knee at x = 0 (kneed leaves knee_y None there because it tests the
// knee's truthiness).
package knee

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Curve is the shape of the curve around the knee.
type Curve string

// Direction says whether y grows or shrinks with x.
type Direction string

// The accepted shapes and directions.
const (
	Concave    Curve     = "concave" // bends down, like throughput vs users: a knee
	Convex     Curve     = "convex"  // bends up, like latency vs users: an elbow
	Increasing Direction = "increasing"
	Decreasing Direction = "decreasing"
)

// Options are Kneedle's parameters. The zero value is not valid: start
// from DefaultOptions.
type Options struct {
	Curve     Curve     // Concave or Convex
	Direction Direction // Increasing or Decreasing
	// Sensitivity is S: how many "x steps" the difference curve must drop
	// below a local maximum before that maximum is a knee. 1 is the paper's
	// and kneed's default; 0 declares a knee at the first drop; larger
	// values are more conservative.
	Sensitivity float64
	// Online keeps scanning after the first knee and returns the last one
	// found (kneed's online=True); offline returns the first.
	Online bool
}

// DefaultOptions is kneed's default: concave, increasing, S = 1, offline.
var DefaultOptions = Options{Curve: Concave, Direction: Increasing, Sensitivity: 1}

// Result is the knee, if there is one.
type Result struct {
	Found  bool
	Index  int     // the knee's index in x and y
	X, Y   float64 // x[Index], y[Index]
	All    []int   // indices of every knee found, in the order found (one element offline)
	Reason string  // why there is no knee, when Found is false
}

// PointError is a problem with one input point.
type PointError struct {
	Index int
	Msg   string
}

func (e *PointError) Error() string { return fmt.Sprintf("point %d: %s", e.Index, e.Msg) }

// ErrOptions is returned (wrapped) for an invalid Options value.
var ErrOptions = errors.New("invalid knee options")

// Find runs Kneedle on the points (x[i], y[i]).
func Find(x, y []float64, opt Options) (Result, error) {
	if opt.Curve != Concave && opt.Curve != Convex {
		return Result{}, fmt.Errorf("%w: curve %q: use %q or %q", ErrOptions, opt.Curve, Concave, Convex)
	}
	if opt.Direction != Increasing && opt.Direction != Decreasing {
		return Result{}, fmt.Errorf("%w: direction %q: use %q or %q", ErrOptions, opt.Direction, Increasing, Decreasing)
	}
	if math.IsNaN(opt.Sensitivity) || math.IsInf(opt.Sensitivity, 0) || opt.Sensitivity < 0 {
		return Result{}, fmt.Errorf("%w: sensitivity %v: use a number >= 0 (1 is the default)", ErrOptions, opt.Sensitivity)
	}
	if len(x) != len(y) {
		return Result{}, fmt.Errorf("knee: %d x values but %d y values", len(x), len(y))
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return Result{}, &PointError{i, fmt.Sprintf("(%v, %v) is not finite", x[i], y[i])}
		}
		if i > 0 && !(x[i] > x[i-1]) {
			return Result{}, &PointError{i, fmt.Sprintf("x = %v is not greater than the previous x = %v; sort by x and keep one point per x", x[i], x[i-1])}
		}
	}
	n := len(x)
	if n < 3 {
		return Result{Reason: fmt.Sprintf("%d points are too few for a knee: Kneedle needs at least 3", n)}, nil
	}

	xn := normalize(x)
	yn := transform(normalize(y), opt)
	yd := make([]float64, n)
	for i := range yd {
		yd[i] = yn[i] - xn[i]
	}
	maxima := relExtrema(yd, func(a, b float64) bool { return a >= b })
	minima := relExtrema(yd, func(a, b float64) bool { return a <= b })
	if len(maxima) == 0 {
		// Only when the difference curve is NaN, i.e. y is constant.
		return Result{Reason: "the difference curve has no local maximum (is y constant?)"}, nil
	}
	step := 0.0 // mean(diff(x_normalised)), summed in order as numpy does for short arrays
	for i := 1; i < n; i++ {
		step += xn[i] - xn[i-1]
	}
	step = math.Abs(step / float64(n-1))
	tmx := make([]float64, len(maxima))
	for k, i := range maxima {
		tmx[k] = yd[i] - float64(opt.Sensitivity*step) // float64(): no fused multiply-add, as numpy
	}

	var (
		isMax, isMin   = marks(n, maxima), marks(n, minima)
		k              int // next threshold to use
		threshold      float64
		thresholdIndex int
		res            Result
	)
	for i := maxima[0]; i < n-1; i++ {
		if isMax[i] {
			threshold = tmx[k]
			thresholdIndex = i
			k++
		}
		if isMin[i] {
			// After a local minimum only a fall below zero is a knee
			// (kneed's "threshold reset").
			threshold = 0
		}
		if !(yd[i+1] < threshold) {
			continue
		}
		idx := thresholdIndex
		if flipped(opt) {
			idx = n - 1 - thresholdIndex
		}
		if !slices.Contains(res.All, idx) {
			res.All = append(res.All, idx)
		}
		res.Found, res.Index, res.X, res.Y = true, idx, x[idx], y[idx]
		if !opt.Online {
			return res, nil
		}
	}
	if !res.Found {
		res.Reason = fmt.Sprintf("the difference curve never falls below its threshold (sensitivity %v)", opt.Sensitivity)
	}
	return res, nil
}

// flipped: the transform reverses the order of the points, so an index
// on the transformed curve counts from the end of the input.
func flipped(opt Options) bool {
	return (opt.Curve == Concave && opt.Direction == Decreasing) ||
		(opt.Curve == Convex && opt.Direction == Increasing)
}

func normalize(a []float64) []float64 {
	lo, hi := slices.Min(a), slices.Max(a)
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = (v - lo) / (hi - lo) // NaN when a is constant, as in kneed
	}
	return out
}

// transform turns a normalised curve concave and increasing (kneed's
// transform_y); x is left as it is.
func transform(y []float64, opt Options) []float64 {
	mx := slices.Max(y)
	switch {
	case opt.Direction == Decreasing && opt.Curve == Concave:
		slices.Reverse(y)
	case opt.Direction == Decreasing && opt.Curve == Convex:
		for i := range y {
			y[i] = mx - y[i]
		}
	case opt.Direction == Increasing && opt.Curve == Convex:
		for i := range y {
			y[i] = mx - y[i]
		}
		slices.Reverse(y)
	}
	return y
}

// relExtrema is scipy.signal.argrelextrema(a, cmp, order=1, mode="clip"):
// the indices i where cmp(a[i], a[i-1]) and cmp(a[i], a[i+1]), the
// neighbours clipped to the ends (so an end point compares with itself).
func relExtrema(a []float64, cmp func(a, b float64) bool) []int {
	var out []int
	n := len(a)
	for i := range a {
		if cmp(a[i], a[max(i-1, 0)]) && cmp(a[i], a[min(i+1, n-1)]) {
			out = append(out, i)
		}
	}
	return out
}

func marks(n int, idx []int) []bool {
	m := make([]bool, n)
	for _, i := range idx {
		m[i] = true
	}
	return m
}
