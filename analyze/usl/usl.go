// Package usl fits Gunther's Universal Scalability Law,
//
//	X(N) = λN / (1 + σ(N−1) + κN(N−1)),
//
// to measured throughput X at concurrency N, by unweighted nonlinear least
// squares on X with λ (throughput of one user), σ (contention) and κ
// (coherency, crosstalk) constrained to σ ≥ 0 and κ ≥ 0, and gives the peak
// N* = √((1−σ)/κ) and the throughput there (none when κ = 0).
//
// The bounds matter: data that scale faster than linearly at low load
// (warm-up, caches) give a free fit a negative σ, and a negative σ moves the
// peak (a demo read "peak at 81 users" from σ = −0.012 where the
// constrained fit says 149). Fit first fits freely; when that breaks a
// bound it fits again on each face of the feasible region (σ = 0, κ = 0,
// both) and keeps the best feasible fit, saying which coefficient sits on
// its bound (Model.Bound) and what the free fit said.
//
// The search uses gonum/optimize (BFGS from several starts, one of them the
// exact solution of the linearised model N/X = (1 + σ(N−1) + κN(N−1))/λ),
// then Levenberg–Marquardt steps polish the best start to the precision of
// float64. It does not weight points, drop outliers, or say whether the law
// suits the data; Model.Warnings flags fits that need a second look (too
// few points, a coefficient on its bound, a peak far outside the measured
// range).
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

	// Bound names the coefficients held at 0 because the free fit put them
	// below it ("sigma", "kappa"); empty when the free fit is the fit.
	Bound []string
	// FreeSigma and FreeKappa are the unconstrained fit's coefficients
	// (equal to Sigma and Kappa when Bound is empty).
	FreeSigma, FreeKappa float64

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

	free := problem{n: n, x: x, free: [3]bool{true, true, true}}
	best, err := free.fit()
	if err != nil {
		return Model{}, err
	}
	m := Model{Points: len(n), FreeSigma: best[1], FreeKappa: best[2]}
	if best[1] < 0 || best[2] < 0 {
		// The least-squares minimum over σ, κ ≥ 0 lies on a face of that
		// region when the free minimum is outside it: fit on each face and
		// keep the best that stays feasible.
		freeSSE := free.sse(best)
		best = nil
		bestF := math.Inf(1)
		for _, f := range [][3]bool{{true, false, true}, {true, true, false}, {true, false, false}} {
			p := problem{n: n, x: x, free: f}
			q, err := p.fit()
			if err != nil || q[1] < 0 || q[2] < 0 {
				continue
			}
			if sse := p.sse(q); sse < bestF {
				best, bestF = q, sse
			}
		}
		if best == nil {
			return Model{}, errors.New("usl: the fit with σ ≥ 0 and κ ≥ 0 did not converge")
		}
		// A free coefficient a hair below 0 (rounding on data with σ or
		// κ = 0) is not a bound worth telling.
		if bestF-freeSSE > 1e-12*max(bestF, sumSquares(x)) {
			if m.FreeSigma < 0 {
				m.Bound = append(m.Bound, "sigma")
			}
			if m.FreeKappa < 0 {
				m.Bound = append(m.Bound, "kappa")
			}
		}
	}
	m.Lambda, m.Sigma, m.Kappa = best[0], best[1], best[2]
	p := problem{n: n, x: x}
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
	if slices.Contains(m.Bound, "sigma") {
		w = append(w, fmt.Sprintf("throughput grows faster than linearly at low load (warm-up or caching?): a free fit gives σ = %.3g < 0, so this is the fit with σ ≥ 0 (σ = %.3g)", m.FreeSigma, m.Sigma))
	}
	if slices.Contains(m.Bound, "kappa") {
		w = append(w, fmt.Sprintf("the data show no retrograde region: a free fit gives κ = %.3g < 0, so this is the fit with κ ≥ 0 (κ = %.3g)", m.FreeKappa, m.Kappa))
	}
	if !(m.Kappa > 0) {
		w = append(w, "κ = 0: no peak in sight in the measured range (throughput keeps growing under this model)")
	}
	if nStar, _, ok := m.Peak(); ok && nStar > 2*maxN {
		w = append(w, fmt.Sprintf("N* = %.3g is beyond twice the largest N measured (%g): an extrapolation", nStar, maxN))
	}
	return w
}

// problem holds the data; parameters are q = (λ, σ, κ), of which those not
// free are held at 0.
type problem struct {
	n, x []float64
	free [3]bool
}

// fit is the least-squares minimum from several starts, polished.
func (p problem) fit() ([]float64, error) {
	best, bestF := []float64(nil), math.Inf(1)
	for _, start := range p.starts() {
		q, f := p.search(start)
		if f < bestF {
			best, bestF = q, f
		}
	}
	if best == nil {
		return nil, errors.New("usl: the fit did not converge from any start")
	}
	return p.polish(best), nil
}

func sumSquares(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}

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
			out = append(out, p.hold([]float64{lambda, sigma, kappa}))
		}
	}
	return out
}

// hold sets the coefficients that are not free to 0.
func (p problem) hold(q []float64) []float64 {
	for j := range q {
		if !p.free[j] {
			q[j] = 0
		}
	}
	return q
}

// linearised solves N/X = a + b(N−1) + cN(N−1) by linear least squares
// (points with X > 0) and maps it to λ = 1/a, σ = b/a, κ = c/a. On exact
// USL data it is the answer; on noisy data it is a good start.
func (p problem) linearised() ([]float64, bool) {
	var cols []int
	for j := range 3 {
		if p.free[j] {
			cols = append(cols, j)
		}
	}
	var rows []float64
	var rhs []float64
	for i, n := range p.n {
		if p.x[i] > 0 {
			term := [3]float64{1, n - 1, n * (n - 1)}
			for _, j := range cols {
				rows = append(rows, term[j])
			}
			rhs = append(rhs, n/p.x[i])
		}
	}
	if len(rhs) < len(cols) {
		return nil, false
	}
	var sol mat.VecDense
	if err := sol.SolveVec(mat.NewDense(len(rhs), len(cols), rows), mat.NewVecDense(len(rhs), rhs)); err != nil {
		return nil, false
	}
	var abc [3]float64
	for k, j := range cols {
		abc[j] = sol.AtVec(k)
	}
	a, b, c := abc[0], abc[1], abc[2]
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
			for j := range grad {
				if !p.free[j] {
					grad[j] = 0 // held: BFGS never moves it
				}
			}
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
	q := p.hold(unscale(res.X))
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
			for j := range 3 {
				if !p.free[j] {
					jac.Set(i, j, 0)
				}
			}
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
				if p.free[j] {
					a.SetSym(j, j, jtj.At(j, j)*(1+mu))
				} else {
					a.SetSym(j, j, 1) // a held coefficient's step is 0
				}
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
