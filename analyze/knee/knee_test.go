package knee

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func ints(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	return x
}

func scale(a []float64, f float64) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = v / f
	}
	return out
}

// The data sets of kneed's DataGenerator (kneed/data_generator.py).
var (
	concaveInc = []float64{0, 60, 80, 85, 90, 95, 96, 97, 98, 99}
	concaveDec = []float64{99, 98, 97, 96, 95, 90, 85, 80, 60, 0}
	convexInc  = []float64{1, 2, 3, 4, 5, 10, 15, 20, 40, 100}
	convexDec  = []float64{100, 40, 20, 15, 10, 5, 4, 3, 2, 1}
	bumpy      = []float64{7305.0, 6979.0, 6666.6, 6463.2, 6326.5, 6048.8, 6032.8, 5762.0, 5742.8, 5398.2,
		5256.8, 5227.0, 5001.7, 4942.0, 4854.2, 4734.6, 4558.7, 4491.1, 4411.6, 4333.0, 4234.6, 4139.1,
		4056.8, 4022.5, 3868.0, 3808.3, 3745.3, 3692.3, 3645.6, 3618.3, 3574.3, 3504.3, 3452.4, 3401.2,
		3382.4, 3340.7, 3301.1, 3247.6, 3190.3, 3180.0, 3154.2, 3089.5, 3045.6, 2989.0, 2993.6, 2941.3,
		2875.6, 2866.3, 2834.1, 2785.1, 2759.7, 2763.2, 2720.1, 2660.1, 2690.2, 2635.7, 2632.9, 2574.6,
		2556.0, 2545.7, 2513.4, 2491.6, 2496.0, 2466.5, 2442.7, 2420.5, 2381.5, 2388.1, 2340.6, 2335.0,
		2318.9, 2319.0, 2308.2, 2262.2, 2235.8, 2259.3, 2221.0, 2202.7, 2184.3, 2170.1, 2160.0, 2127.7,
		2134.7, 2102.0, 2101.4, 2066.4, 2074.3, 2063.7, 2048.1, 2031.9}
	flatMaxima = []float64{1, 0.787701317715959, 0.7437774524158126, 0.6559297218155198, 0.5065885797950219,
		0.36749633967789164, 0.2547584187408492, 0.16251830161054173, 0.10395314787701318,
		0.06734992679355783, 0.043923865300146414, 0.027818448023426062, 0.01903367496339678,
		0.013177159590043924, 0.010248901903367497, 0.007320644216691069, 0.005856515373352855,
		0.004392386530014641}
)

// figure2 is the curve of the Kneedle paper's figure 2: x = linspace(0, 1,
// 10), y = 5 − 1/(x+0.1).
func figure2() (x, y []float64) {
	for i := range 10 {
		xi := float64(i) / 9
		x = append(x, xi)
		y = append(y, 5-1/(xi+0.1))
	}
	return x, y
}

func opts(c Curve, d Direction, s float64, online bool) Options {
	return Options{Curve: c, Direction: d, Sensitivity: s, Online: online}
}

// TestKneedCases: the published and tested answers of kneed 0.8.6
// (README, docs and tests/test_sample.py).
func TestKneedCases(t *testing.T) {
	fx, fy := figure2()
	sineX := make([]float64, 100)
	sineY := make([]float64, 100)
	for i := range sineX {
		sineX[i] = float64(i) * 0.1 // np.arange(0, 10, 0.1)
		sineY[i] = math.Sin(sineX[i])
	}
	tests := []struct {
		name  string
		x, y  []float64
		opt   Options
		wantX float64
		wantY float64
		all   []int // checked when non-nil
	}{
		{"concave increasing", ints(10), concaveInc, opts(Concave, Increasing, 1, false), 2, 80, []int{2}},
		{"concave decreasing", ints(10), concaveDec, opts(Concave, Decreasing, 1, false), 7, 80, []int{7}},
		{"convex increasing", ints(10), convexInc, opts(Convex, Increasing, 1, false), 7, 20, []int{7}},
		{"convex decreasing", ints(10), convexDec, opts(Convex, Decreasing, 1, false), 2, 20, []int{2}},
		{"figure 2", fx, fy, DefaultOptions, 2.0 / 9, 1.8965517241379306, []int{2}},
		{"concave increasing truncated", scale(ints(7), 10), scale(concaveInc[:7], 10), opts(Concave, Increasing, 1, false), 0.2, 8, nil},
		{"concave decreasing truncated", scale(ints(7), 10), scale(concaveDec[:7], 10), opts(Concave, Decreasing, 1, false), 0.4, 9.5, nil},
		{"convex increasing truncated", scale(ints(7), 10), scale(convexInc[:7], 10), opts(Convex, Increasing, 1, false), 0.4, 0.5, nil},
		{"convex decreasing truncated", scale(ints(7), 10), scale(convexDec[:7], 10), opts(Convex, Decreasing, 1, false), 0.2, 2, nil},
		{"bumpy convex decreasing", ints(90), bumpy, opts(Convex, Decreasing, 1, false), 26, 3745.3, []int{26}},
		{"flat maxima S=0", ints(18), flatMaxima, opts(Convex, Decreasing, 0, false), 1, 0.787701317715959, nil},
		{"flat maxima S=1", ints(18), flatMaxima, opts(Convex, Decreasing, 1, false), 8, 0.10395314787701318, nil},
		{"sine decreasing convex online", sineX, sineY, opts(Convex, Decreasing, 1, true), 4.5, math.Sin(4.5), nil},
		{"sine increasing convex online", sineX, sineY, opts(Convex, Increasing, 1, true), 4.9, math.Sin(4.9), nil},
		{"sine increasing concave online", sineX, sineY, opts(Concave, Increasing, 1, true), 7.7, math.Sin(7.7), nil},
		{"sine decreasing concave online", sineX, sineY, opts(Concave, Decreasing, 1, true), 1.8, math.Sin(1.8), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Find(tt.x, tt.y, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Found {
				t.Fatalf("no knee (%s), want x = %v", r.Reason, tt.wantX)
			}
			if math.Abs(r.X-tt.wantX) > 1e-9 || math.Abs(r.Y-tt.wantY) > 1e-9 {
				t.Errorf("knee = (%v, %v), want (%v, %v)", r.X, r.Y, tt.wantX, tt.wantY)
			}
			if r.X != tt.x[r.Index] || r.Y != tt.y[r.Index] {
				t.Errorf("Index %d does not point at (%v, %v)", r.Index, r.X, r.Y)
			}
			if tt.all != nil && !slices.Equal(r.All, tt.all) {
				t.Errorf("All = %v, want %v", r.All, tt.all)
			}
		})
	}
}

// TestOnline: online mode corrects earlier knees and returns the last one;
// kneed's test_all_knees lists the bumpy curve's knees as {26, 31, 41, 46, 53}.
func TestOnline(t *testing.T) {
	off, err := Find(ints(90), bumpy, opts(Convex, Decreasing, 1, false))
	if err != nil {
		t.Fatal(err)
	}
	on, err := Find(ints(90), bumpy, opts(Convex, Decreasing, 1, true))
	if err != nil {
		t.Fatal(err)
	}
	if off.X != 26 || !slices.Equal(off.All, []int{26}) {
		t.Errorf("offline: knee %v, all %v; want 26, [26]", off.X, off.All)
	}
	if !slices.Equal(on.All, []int{26, 31, 41, 46, 53}) {
		t.Errorf("online: all = %v, want [26 31 41 46 53]", on.All)
	}
	if on.X != 53 || on.Y != 2660.1 {
		t.Errorf("online: knee (%v, %v), want (53, 2660.1)", on.X, on.Y)
	}
}

// TestSensitivity: a larger S needs a longer fall after a maximum; on the
// paper's figure 2 S = 0 and S = 1 agree (the curve falls steadily after
// its maximum), and a huge S finds nothing.
func TestSensitivity(t *testing.T) {
	fx, fy := figure2()
	tests := []struct {
		s     float64
		found bool
		x     float64
	}{
		{0, true, 2.0 / 9},
		{1, true, 2.0 / 9},
		{2, true, 2.0 / 9},
		{100, false, 0},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			r, err := Find(fx, fy, opts(Concave, Increasing, tt.s, false))
			if err != nil {
				t.Fatal(err)
			}
			if r.Found != tt.found || (r.Found && math.Abs(r.X-tt.x) > 1e-12) {
				t.Errorf("S=%v: found %v at %v (%s), want %v at %v", tt.s, r.Found, r.X, r.Reason, tt.found, tt.x)
			}
		})
	}
}

// TestNoKnee: kneed's test_y_no_knee and test_x_equals_y, straight lines,
// and too few points.
func TestNoKnee(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		opt  Options
	}{
		{"kneed y no knee", []float64{1, 2, 3}, []float64{0.90483742, 0.81873075, 0.74081822}, opts(Convex, Decreasing, 1, false)},
		{"constant y", ints(10), make([]float64, 10), DefaultOptions},
		{"straight line", ints(10), ints(10), DefaultOptions},
		{"straight line online", ints(10), ints(10), opts(Concave, Increasing, 0, true)},
		{"two points", []float64{1, 2}, []float64{5, 1}, DefaultOptions},
		{"one point", []float64{1}, []float64{5}, DefaultOptions},
		{"no points", nil, nil, DefaultOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Find(tt.x, tt.y, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Found || r.Reason == "" || r.All != nil {
				t.Errorf("got %+v, want no knee with a reason", r)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		x, y      []float64
		opt       Options
		wantIndex int // -1: an options error
	}{
		{"bad curve", ints(3), ints(3), Options{Curve: "wavy", Direction: Increasing, Sensitivity: 1}, -1},
		{"bad direction", ints(3), ints(3), Options{Curve: Concave, Direction: "up", Sensitivity: 1}, -1},
		{"negative S", ints(3), ints(3), opts(Concave, Increasing, -1, false), -1},
		{"unsorted x", []float64{0, 2, 1, 3}, ints(4), DefaultOptions, 2},
		{"duplicate x", []float64{0, 1, 1, 3}, ints(4), DefaultOptions, 2},
		{"NaN y", ints(4), []float64{0, 1, math.NaN(), 3}, DefaultOptions, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Find(tt.x, tt.y, tt.opt)
			var pe *PointError
			switch {
			case tt.wantIndex < 0 && !errors.Is(err, ErrOptions):
				t.Errorf("err = %v, want ErrOptions", err)
			case tt.wantIndex >= 0 && (!errors.As(err, &pe) || pe.Index != tt.wantIndex):
				t.Errorf("err = %v, want a PointError at %d", err, tt.wantIndex)
			}
		})
	}
	if _, err := Find(ints(3), ints(2), DefaultOptions); err == nil {
		t.Error("different lengths: no error")
	}
}

// TestInputUnchanged: Find must not reorder the caller's slices when it
// flips the curve.
func TestInputUnchanged(t *testing.T) {
	y := slices.Clone(convexInc)
	if _, err := Find(ints(10), y, opts(Convex, Increasing, 1, false)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y, convexInc) {
		t.Errorf("y changed to %v", y)
	}
}

// FuzzFind: any finite, increasing input gives an answer without panicking,
// and a knee found is one of the input points.
func FuzzFind(f *testing.F) {
	f.Add([]byte{0, 60, 80, 85, 90, 95, 96, 97, 98, 99}, uint8(0), 1.0, false)
	f.Add([]byte{100, 40, 20, 15, 10, 5, 4, 3, 2, 1}, uint8(3), 0.0, true)
	f.Add([]byte{5, 5, 5, 7, 5}, uint8(1), 2.5, true)
	f.Fuzz(func(t *testing.T, ys []byte, shape uint8, s float64, online bool) {
		if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
			return
		}
		y := make([]float64, len(ys))
		for i, b := range ys {
			y[i] = float64(b)
		}
		opt := Options{Curve: []Curve{Concave, Convex}[shape%2], Direction: []Direction{Increasing, Decreasing}[shape/2%2], Sensitivity: s, Online: online}
		r, err := Find(ints(len(y)), y, opt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Found != (len(r.All) > 0) || (r.Found && (r.Index < 0 || r.Index >= len(y) || r.X != float64(r.Index) || r.Y != y[r.Index] || r.All[len(r.All)-1] != r.Index && online)) {
			t.Fatalf("inconsistent result %+v for %v", r, y)
		}
		if !r.Found && r.Reason == "" {
			t.Fatal("no knee and no reason")
		}
	})
}
