// Package usl fits Gunther's Universal Scalability Law,
//
//	X(N) = λN / (1 + σ(N−1) + κN(N−1)),
//
// to measured throughput X at concurrency N, by unweighted nonlinear least
// squares on X with λ (throughput of one user), σ (contention) and κ
// (coherency, crosstalk) all free, and gives the peak N* = √((1−σ)/κ) and
// the throughput there.
//
// The search uses gonum/optimize (BFGS from several starts, one of them the
// exact solution of the linearised model N/X = (1 + σ(N−1) + κN(N−1))/λ),
// then Levenberg–Marquardt steps polish the best start to the precision of
// float64. It does not weight points, drop outliers, bound σ and κ to
// [0,1], or say whether the law suits the data; Model.Warnings flags fits
// that need a second look (too few points, negative coefficients, a peak
// far outside the measured range).
package usl

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// MinPoints is the number of distinct N below which Fit refuses: three
// parameters need three points. RecommendedPoints is where the warning
// about a thin fit stops.
const (
	MinPoints         = 3
	RecommendedPoints = 6
)

// ErrTooFewPoints is returned (wrapped) when there are fewer than MinPoints
// distinct concurrency levels.
var ErrTooFewPoints = errors.New("too few points for a USL fit")

// PointError is a problem with one input point.
type PointError struct {
	Index int
	Msg   string
}

func (e *PointError) Error() string { return fmt.Sprintf("point %d: %s", e.Index, e.Msg) }

// Model is a fitted Universal Scalability Law.
type Model struct {
	Sigma  float64 // σ, contention
	Kappa  float64 // κ, coherency
	Lambda float64 // λ, throughput of a single user

	Points int     // points fitted
	SSE    float64 // residual sum of squares, Σ(X − X̂)²
	R2     float64 // 1 − SSE/Σ(X − mean X)²; NaN when X is constant

	// Warnings are reasons to read the fit with care; empty for a
	// well-posed fit.
	Warnings []string
}

// Throughput is X(n) under the model.
func (m Model) Throughput(n float64) float64 {
	return m.Lambda * n / (1 + m.Sigma*(n-1) + m.Kappa*n*(n-1))
}

// Peak returns the concurrency N* = √((1−σ)/κ) where throughput peaks, and
// X(N*). ok is false when the model has no peak: κ ≤ 0 (throughput keeps
// growing) or σ ≥ 1 (it never grows past one user).
func (m Model) Peak() (n, x float64, ok bool) {
	if !(m.Kappa > 0) || !(m.Sigma < 1) {
		return math.NaN(), math.NaN(), false
	}
	n = math.Sqrt((1 - m.Sigma) / m.Kappa)
	return n, m.Throughput(n), true
}

// Fit fits the law to throughput x measured at concurrency n (n[i] > 0;
// repeated n are allowed and count as separate observations).
func Fit(n, x []float64) (Model, error) {
	if len(n) != len(x) {
		return Model{}, fmt.Errorf("usl: %d concurrency values but %d throughputs", len(n), len(x))
	}
	for i := range n {
		switch {
		case math.IsNaN(n[i]) || math.IsInf(n[i], 0) || math.IsNaN(x[i]) || math.IsInf(x[i], 0):
			return Model{}, &PointError{i, fmt.Sprintf("(%v, %v) is not finite", n[i], x[i])}
		case n[i] <= 0:
			return Model{}, &PointError{i, fmt.Sprintf("concurrency N = %v must be positive", n[i])}
		case x[i] < 0:
			return Model{}, &PointError{i, fmt.Sprintf("throughput X = %v must not be negative", x[i])}
		}
	}
	distinct := len(slices.Compact(slices.Sorted(slices.Values(n))))
	if distinct < MinPoints {
		return Model{}, fmt.Errorf("%w: %d distinct concurrency levels, need at least %d", ErrTooFewPoints, distinct, MinPoints)
	}
	if slices.Max(x) == 0 {
		return Model{}, errors.New("usl: every throughput is 0; nothing to fit")
	}

	p := problem{n: n, x: x}
	best, bestF := []float64(nil), math.Inf(1)
	for _, start := range p.starts() {
		q, f := p.search(start)
		if f < bestF {
			best, bestF = q, f
		}
	}
	if best == nil {
		return Model{}, errors.New("usl: the fit did not converge from any start")
	}
	best = p.polish(best)

	m := Model{Lambda: best[0], Sigma: best[1], Kappa: best[2], Points: len(n)}
	m.SSE = p.sse(best)
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	sst := 0.0
	for _, v := range x {
		sst += (v - mean) * (v - mean)
	}
	m.R2 = math.NaN()
	if sst > 0 {
		m.R2 = 1 - m.SSE/sst
	}
	m.Warnings = m.warnings(distinct, slices.Max(n))
	return m, nil
}

func (m Model) warnings(distinct int, maxN float64) []string {
	var w []string
	if distinct < RecommendedPoints {
		w = append(w, fmt.Sprintf("only %d concurrency levels: a USL fit wants at least %d, so σ, κ and N* are rough", distinct, RecommendedPoints))
	}
	if m.Sigma < 0 {
		w = append(w, fmt.Sprintf("σ = %.3g < 0: throughput grows faster than linearly at low load (warm-up or caching?)", m.Sigma))
	}
	if m.Kappa < 0 {
		w = append(w, fmt.Sprintf("κ = %.3g < 0: the data show no retrograde region, so there is no peak", m.Kappa))
	}
	if nStar, _, ok := m.Peak(); ok && nStar > 2*maxN {
		w = append(w, fmt.Sprintf("N* = %.3g is beyond twice the largest N measured (%g): an extrapolation", nStar, maxN))
	}
	return w
}

// problem holds the data; parameters are q = (λ, σ, κ).
type problem struct{ n, x []float64 }

func (p problem) sse(q []float64) float64 {
	s := 0.0
	for i, n := range p.n {
		d := 1 + q[1]*(n-1) + q[2]*n*(n-1)
		r := p.x[i] - q[0]*n/d
		s += r * r
	}
	return s
}

// starts are the starting points of the search: the linearised
// least-squares solution when it is usable, and a small grid around a
// single user's throughput.
func (p problem) starts() [][]float64 {
	var out [][]float64
	if q, ok := p.linearised(); ok {
		out = append(out, q)
	}
	i := 0
	for j, n := range p.n {
		if n < p.n[i] {
			i = j
		}
	}
	lambda := max(p.x[i]/p.n[i], slices.Max(p.x)/slices.Max(p.n))
	for _, sigma := range []float64{0, 0.05, 0.3} {
		for _, kappa := range []float64{0, 1e-4, 1e-2} {
			out = append(out, []float64{lambda, sigma, kappa})
		}
	}
	return out
}

// linearised solves N/X = a + b(N−1) + cN(N−1) by linear least squares
// (points with X > 0) and maps it to λ = 1/a, σ = b/a, κ = c/a. On exact
// USL data it is the answer; on noisy data it is a good start.
func (p problem) linearised() ([]float64, bool) {
	var rows []float64
	var rhs []float64
	for i, n := range p.n {
		if p.x[i] > 0 {
			rows = append(rows, 1, n-1, n*(n-1))
			rhs = append(rhs, n/p.x[i])
		}
	}
	if len(rhs) < 3 {
		return nil, false
	}
	var abc mat.VecDense
	if err := abc.SolveVec(mat.NewDense(len(rhs), 3, rows), mat.NewVecDense(len(rhs), rhs)); err != nil {
		return nil, false
	}
	a, b, c := abc.AtVec(0), abc.AtVec(1), abc.AtVec(2)
	q := []float64{1 / a, b / a, c / a}
	if !(a > 0) || !finite(q) {
		return nil, false
	}
	return q, true
}

// search minimises the SSE with BFGS from start. It works in scaled
// parameters (λ/λ₀, σ, κ·N_max) with the SSE divided by X_max², so that
// the three coordinates have comparable curvature.
func (p problem) search(start []float64) ([]float64, float64) {
	l0 := math.Abs(start[0])
	if l0 == 0 {
		l0 = 1
	}
	nMax, xMax := slices.Max(p.n), slices.Max(p.x)
	unscale := func(s []float64) []float64 { return []float64{s[0] * l0, s[1], s[2] / nMax} }
	fn := optimize.Problem{
		Func: func(s []float64) float64 {
			q := unscale(s)
			if !p.valid(q) {
				return math.Inf(1)
			}
			return p.sse(q) / (xMax * xMax)
		},
		Grad: func(grad, s []float64) {
			q := unscale(s)
			g := p.grad(q)
			grad[0] = g[0] * l0 / (xMax * xMax)
			grad[1] = g[1] / (xMax * xMax)
			grad[2] = g[2] / nMax / (xMax * xMax)
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-13,
		MajorIterations:   2000,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-17, Relative: 1e-15, Iterations: 50},
	}
	init := []float64{1, start[1], start[2] * nMax}
	res, err := optimize.Minimize(fn, init, settings, &optimize.BFGS{})
	if res == nil {
		return nil, math.Inf(1)
	}
	// A line search that can make no more progress reports an error, but
	// its location is still the best found; polish takes it from there.
	_ = err
	q := unscale(res.X)
	if !finite(q) || !p.valid(q) {
		return nil, math.Inf(1)
	}
	return q, p.sse(q)
}

// valid: the denominator stays positive at every measured N, so the model
// is finite there.
func (p problem) valid(q []float64) bool {
	if !finite(q) {
		return false
	}
	for _, n := range p.n {
		if 1+q[1]*(n-1)+q[2]*n*(n-1) <= 0 {
			return false
		}
	}
	return true
}

// grad is the gradient of the SSE in (λ, σ, κ).
func (p problem) grad(q []float64) []float64 {
	g := make([]float64, 3)
	for i, n := range p.n {
		d := 1 + q[1]*(n-1) + q[2]*n*(n-1)
		m := q[0] * n / d
		r := p.x[i] - m
		// ∂m/∂λ = N/D, ∂m/∂σ = −m(N−1)/D, ∂m/∂κ = −mN(N−1)/D
		g[0] += -2 * r * n / d
		g[1] += 2 * r * m * (n - 1) / d
		g[2] += 2 * r * m * n * (n - 1) / d
	}
	return g
}

// polish runs Levenberg–Marquardt steps (Marquardt's diagonal scaling)
// from q until the SSE stops falling.
func (p problem) polish(q []float64) []float64 {
	q = slices.Clone(q)
	f := p.sse(q)
	mu := 1e-6
	k := len(p.n)
	jac := mat.NewDense(k, 3, nil)
	res := mat.NewVecDense(k, nil)
	for iter := 0; iter < 200; iter++ {
		for i, n := range p.n {
			d := 1 + q[1]*(n-1) + q[2]*n*(n-1)
			m := q[0] * n / d
			jac.Set(i, 0, n/d)
			jac.Set(i, 1, -m*(n-1)/d)
			jac.Set(i, 2, -m*n*(n-1)/d)
			res.SetVec(i, p.x[i]-m)
		}
		var jtj mat.SymDense
		jtj.SymOuterK(1, jac.T())
		var jtr mat.VecDense
		jtr.MulVec(jac.T(), res)
		improved := false
		for try := 0; try < 30; try++ {
			a := mat.NewSymDense(3, nil)
			a.CopySym(&jtj)
			for j := range 3 {
				a.SetSym(j, j, jtj.At(j, j)*(1+mu))
			}
			var step mat.VecDense
			if err := step.SolveVec(a, &jtr); err != nil {
				mu *= 10
				continue
			}
			cand := []float64{q[0] + step.AtVec(0), q[1] + step.AtVec(1), q[2] + step.AtVec(2)}
			if p.valid(cand) {
				if fc := p.sse(cand); fc < f {
					q, f = cand, fc
					mu = max(mu/10, 1e-15)
					improved = true
					break
				}
			}
			mu *= 10
		}
		if !improved {
			break
		}
	}
	return q
}

func finite(q []float64) bool {
	for _, v := range q {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
