package usl

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestFitIssueData: the case in the issue (data made from σ = κ = 0.02,
// λ = 1 and rounded to 4 decimals). The reference values come from an
// independent Gauss–Newton fit written in plain Python with exact
// rational linear solves (see docs/knee-usl.md).
func TestFitIssueData(t *testing.T) {
	n := []float64{1, 2, 4, 6, 8, 10}
	x := []float64{1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557}
	m, err := Fit(n, x)
	if err != nil {
		t.Fatal(err)
	}
	nStar, xStar, ok := m.Peak()
	if !ok {
		t.Fatal("no peak")
	}
	for _, c := range []struct {
		name              string
		got, ref, rounded float64
	}{
		{"sigma", m.Sigma, 0.020005761329581193, 0.020},
		{"kappa", m.Kappa, 0.019999665278074546, 0.020},
		{"lambda", m.Lambda, 1.000005121735087, 1.000},
		{"N*", nStar, 7.000038000692717, 7.000},
		{"X(N*)", xStar, 3.571409491768589, 3.571},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !near(c.got, c.ref, 1e-9) {
				t.Errorf("%s = %.17g, reference %.17g", c.name, c.got, c.ref)
			}
			if math.Round(c.got*1000)/1000 != c.rounded {
				t.Errorf("%s = %.6f, want %.3f to 3 decimals", c.name, c.got, c.rounded)
			}
		})
	}
	if !near(m.SSE, 2.7328153727e-10, 1e-6) || m.R2 < 0.9999999 || m.Points != 6 || len(m.Warnings) != 0 {
		t.Errorf("SSE %g R2 %v points %d warnings %q", m.SSE, m.R2, m.Points, m.Warnings)
	}
	assertMinimum(t, n, x, m)
}

// assertMinimum checks that the fit is a least-squares minimum: the
// gradient of the SSE vanishes (relative to its per-parameter scale) and
// every small step in any direction makes the SSE larger. A coefficient on
// its bound (σ or κ = 0) is checked only for steps into σ, κ ≥ 0 (the KKT
// conditions of the constrained problem).
func assertMinimum(t *testing.T, n, x []float64, m Model) {
	t.Helper()
	p := problem{n: n, x: x, free: [3]bool{true, true, true}}
	q := []float64{m.Lambda, m.Sigma, m.Kappa}
	g := p.grad(q)
	scale := 0.0
	for _, v := range x {
		scale += v * v
	}
	for i, v := range g {
		if i > 0 && q[i] == 0 {
			if v < -1e-9*scale {
				t.Errorf("gradient %v at %v: raising the bound coefficient %d would lower the SSE", g, q, i)
			}
			continue
		}
		if math.Abs(v*math.Max(math.Abs(q[i]), 1e-3)) > 1e-9*scale {
			t.Errorf("gradient %v at %v is not ~0", g, q)
			break
		}
	}
	f := p.sse(q)
	for i := range q {
		for _, h := range []float64{-1e-5, 1e-5} {
			if i > 0 && q[i] == 0 && h < 0 {
				continue
			}
			d := append([]float64(nil), q...)
			d[i] += h * math.Max(math.Abs(q[i]), 1e-3)
			if fd := p.sse(d); fd < f {
				t.Errorf("stepping parameter %d by %g lowers the SSE from %g to %g", i, h, f, fd)
			}
		}
	}
}

// TestFitRecoversParameters: throughput computed exactly from known
// parameters is fitted back to those parameters.
func TestFitRecoversParameters(t *testing.T) {
	tests := []struct {
		name                 string
		lambda, sigma, kappa float64
		n                    []float64
	}{
		{"issue parameters", 1, 0.02, 0.02, []float64{1, 2, 4, 6, 8, 10}},
		{"chat API", 2.4, 0.05, 0.0004, []float64{5, 10, 20, 40, 60, 80, 100, 150}},
		{"high contention", 35, 0.3, 0.001, []float64{1, 2, 3, 5, 8, 13, 21, 34}},
		{"no coherency", 10, 0.08, 0, []float64{1, 2, 4, 8, 16, 32}},
		{"linear", 3, 0, 0, []float64{1, 2, 3, 4, 5, 6}},
		{"three points", 1, 0.1, 0.01, []float64{1, 5, 10}},
		{"repeated levels", 7, 0.04, 0.002, []float64{1, 1, 10, 10, 20, 20, 40, 40}},
		{"past the peak", 120, 0.01, 0.0001, []float64{10, 50, 100, 200, 300, 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			truth := Model{Lambda: tt.lambda, Sigma: tt.sigma, Kappa: tt.kappa}
			x := make([]float64, len(tt.n))
			for i, n := range tt.n {
				x[i] = truth.Throughput(n)
			}
			m, err := Fit(tt.n, x)
			if err != nil {
				t.Fatal(err)
			}
			if !near(m.Lambda, tt.lambda, 1e-8) || math.Abs(m.Sigma-tt.sigma) > 1e-8 || math.Abs(m.Kappa-tt.kappa) > 1e-10 {
				t.Errorf("fit λ=%.12g σ=%.12g κ=%.12g, want λ=%g σ=%g κ=%g", m.Lambda, m.Sigma, m.Kappa, tt.lambda, tt.sigma, tt.kappa)
			}
			if m.SSE > 1e-18*float64(len(x))*tt.lambda*tt.lambda*1e4 {
				t.Errorf("SSE = %g, want ~0", m.SSE)
			}
		})
	}
}

// TestFitNoisy: with noise the fit is still a least-squares minimum and
// lands near the parameters that made the data.
func TestFitNoisy(t *testing.T) {
	truth := Model{Lambda: 4, Sigma: 0.06, Kappa: 0.0015}
	n := []float64{1, 4, 8, 12, 16, 24, 32, 48, 64}
	noise := []float64{0.01, -0.02, 0.015, -0.01, 0.02, -0.015, 0.005, 0.01, -0.02} // ±2 %
	x := make([]float64, len(n))
	for i := range n {
		x[i] = truth.Throughput(n[i]) * (1 + noise[i])
	}
	m, err := Fit(n, x)
	if err != nil {
		t.Fatal(err)
	}
	assertMinimum(t, n, x, m)
	nStar, _, ok := m.Peak()
	wantN, _, _ := truth.Peak()
	if !ok || math.Abs(nStar-wantN)/wantN > 0.1 || math.Abs(m.Lambda-4)/4 > 0.05 {
		t.Errorf("N* = %v (truth %v), λ = %v (truth 4)", nStar, wantN, m.Lambda)
	}
}

func TestPeak(t *testing.T) {
	tests := []struct {
		name string
		m    Model
		ok   bool
		n, x float64
	}{
		{"issue", Model{Lambda: 1, Sigma: 0.02, Kappa: 0.02}, true, 7, 7 / (1 + 0.02*6 + 0.02*42)},
		{"kappa zero", Model{Lambda: 1, Sigma: 0.02}, false, 0, 0},
		{"kappa negative", Model{Lambda: 1, Sigma: 0.02, Kappa: -0.001}, false, 0, 0},
		{"sigma one", Model{Lambda: 1, Sigma: 1, Kappa: 0.01}, false, 0, 0},
		{"sigma negative", Model{Lambda: 2, Sigma: -0.01, Kappa: 0.0101}, true, 10, 20 / (1 - 0.09 + 0.909)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, x, ok := tt.m.Peak()
			if ok != tt.ok || (ok && (!near(n, tt.n, 1e-12) || !near(x, tt.x, 1e-12))) || (!ok && !math.IsNaN(n)) {
				t.Errorf("Peak() = %v, %v, %v; want %v, %v, %v", n, x, ok, tt.n, tt.x, tt.ok)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		n, x []float64
		want []string // substrings, one per warning, in order
	}{
		{"five levels", []float64{1, 2, 4, 8, 16}, []float64{1, 1.9, 3.4, 5.2, 6.1}, []string{"only 5 concurrency levels"}},
		{"no retrograde", []float64{1, 2, 3, 4, 5, 6}, []float64{1, 2.05, 3.2, 4.4, 5.7, 7.1}, []string{"σ ≥ 0 (σ = 0)", "κ ≥ 0 (κ = 0)", "no peak in sight"}},
		{"far peak", []float64{1, 2, 3, 4, 5, 6}, []float64{1, 1.98, 2.94, 3.88, 4.8, 5.7}, []string{"beyond twice the largest N"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Fit(tt.n, tt.x)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Warnings) != len(tt.want) {
				t.Fatalf("warnings %q, want %d", m.Warnings, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(m.Warnings[i], w) {
					t.Errorf("warning %q does not say %q", m.Warnings[i], w)
				}
			}
		})
	}
}

func TestFitErrors(t *testing.T) {
	tests := []struct {
		name      string
		n, x      []float64
		tooFew    bool
		wantIndex int // -1: not a PointError
	}{
		{"two points", []float64{1, 2}, []float64{1, 2}, true, -1},
		{"two distinct levels", []float64{1, 1, 2, 2}, []float64{1, 1, 2, 2}, true, -1},
		{"none", nil, nil, true, -1},
		{"zero N", []float64{1, 0, 2, 3}, []float64{1, 1, 2, 3}, false, 1},
		{"negative X", []float64{1, 2, 3}, []float64{1, -2, 3}, false, 1},
		{"NaN", []float64{1, 2, 3}, []float64{1, 2, math.NaN()}, false, 2},
		{"all zero", []float64{1, 2, 3}, []float64{0, 0, 0}, false, -1},
		{"lengths", []float64{1, 2, 3}, []float64{1, 2}, false, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(tt.n, tt.x)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrTooFewPoints) != tt.tooFew {
				t.Errorf("err = %v, ErrTooFewPoints %v", err, tt.tooFew)
			}
			var pe *PointError
			if errors.As(err, &pe) != (tt.wantIndex >= 0) || (pe != nil && pe.Index != tt.wantIndex) {
				t.Errorf("err = %v, want a PointError at %d", err, tt.wantIndex)
			}
		})
	}
}

func TestThroughput(t *testing.T) {
	m := Model{Lambda: 1, Sigma: 0.02, Kappa: 0.02}
	for _, c := range []struct{ n, x float64 }{{1, 1}, {2, 2 / 1.06}, {10, 10 / 2.98}} {
		if got := m.Throughput(c.n); !near(got, c.x, 1e-15) {
			t.Errorf("X(%v) = %v, want %v", c.n, got, c.x)
		}
	}
}

// uslConstrainedByGrid is an independent fit on the face σ = 0: for each κ
// the best λ has the closed form Σxf/Σf² (f = N/(1+κN(N−1))), so the SSE is
// a function of κ alone, minimised here by a scan and golden-section search.
func uslConstrainedByGrid(n, x []float64, kmax float64) (lambda, kappa float64) {
	sse := func(k float64) (float64, float64) {
		var sxf, sff float64
		for i := range n {
			f := n[i] / (1 + k*n[i]*(n[i]-1))
			sxf += x[i] * f
			sff += f * f
		}
		l := sxf / sff
		s := 0.0
		for i := range n {
			r := x[i] - l*n[i]/(1+k*n[i]*(n[i]-1))
			s += r * r
		}
		return s, l
	}
	best, bk := math.Inf(1), 0.0
	for i := 0; i <= 10000; i++ {
		k := kmax * float64(i) / 10000
		if f, _ := sse(k); f < best {
			best, bk = f, k
		}
	}
	lo, hi := max(bk-kmax/10000, 0), bk+kmax/10000
	g := (math.Sqrt(5) - 1) / 2
	for range 200 {
		a, b := hi-g*(hi-lo), lo+g*(hi-lo)
		fa, _ := sse(a)
		fb, _ := sse(b)
		if fa < fb {
			hi = b
		} else {
			lo = a
		}
	}
	kappa = (lo + hi) / 2
	_, lambda = sse(kappa)
	return lambda, kappa
}

// Issue 18 item 5: throughput that grows faster than linearly at low load
// (the first levels warm up) gives a free fit σ < 0, and that σ pulls the
// peak in. The fit keeps σ ≥ 0 and its peak is the σ = 0 fit's peak,
// computed independently by a one-dimensional search.
func TestFitSuperlinearHoldsSigma(t *testing.T) {
	n := []float64{10, 20, 30, 40, 50, 60, 70, 80}
	warm := []float64{0.80, 0.90, 0.97, 1, 1, 1, 1, 1}
	truth := Model{Lambda: 1, Kappa: 4e-5}
	x := make([]float64, len(n))
	for i := range n {
		x[i] = truth.Throughput(n[i]) * warm[i]
	}
	m, err := Fit(n, x)
	if err != nil {
		t.Fatal(err)
	}
	if !(m.FreeSigma < 0) || m.Sigma != 0 || !slices.Equal(m.Bound, []string{"sigma"}) {
		t.Fatalf("free σ %v, σ %v, bound %v: want a negative free σ held at 0", m.FreeSigma, m.Sigma, m.Bound)
	}
	assertMinimum(t, n, x, m)
	lambda, kappa := uslConstrainedByGrid(n, x, 1e-3)
	if !near(m.Lambda, lambda, 1e-6) || !near(m.Kappa, kappa, 1e-6) {
		t.Errorf("fit λ %.9g κ %.9g, independent σ=0 fit λ %.9g κ %.9g", m.Lambda, m.Kappa, lambda, kappa)
	}
	nStar, _, ok := m.Peak()
	want := math.Sqrt(1 / kappa)
	if !ok || !near(nStar, want, 1e-6) {
		t.Errorf("N* %v, want %v (σ = 0)", nStar, want)
	}
	// The free fit's negative σ puts the peak lower: the figure the issue
	// says must never be told.
	freeN := math.Sqrt((1 - m.FreeSigma) / m.FreeKappa)
	t.Logf("free σ %.4f κ %.3g N* %.1f; constrained κ %.3g N* %.1f", m.FreeSigma, m.FreeKappa, freeN, m.Kappa, nStar)
	if !strings.Contains(strings.Join(m.Warnings, "\n"), "σ ≥ 0") {
		t.Errorf("warnings %q do not say σ is held", m.Warnings)
	}
}

// κ = 0 (throughput keeps growing): no peak, said in words.
func TestFitNoPeak(t *testing.T) {
	n := []float64{1, 2, 4, 8, 16, 32}
	truth := Model{Lambda: 10, Sigma: 0.08}
	x := make([]float64, len(n))
	for i := range n {
		x[i] = truth.Throughput(n[i])
	}
	m, err := Fit(n, x)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := m.Peak(); ok || m.Kappa != 0 || !strings.Contains(strings.Join(m.Warnings, "\n"), "no peak in sight") {
		t.Errorf("κ %v warnings %q: want κ = 0, no peak, said so", m.Kappa, m.Warnings)
	}
}
