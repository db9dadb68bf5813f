package analyze

import (
	"math"
	"testing"
)

// The exact U distribution against enumerating every choice of sample A's
// ranks in a small case.
func TestMannWhitneyExactByEnumeration(t *testing.T) {
	// n1 = 3, n2 = 4: C(7,3) = 35 subsets of ranks for sample A.
	n1, n2 := 3, 4
	count := map[int]int{}
	for a := 1; a <= 7; a++ {
		for b := a + 1; b <= 7; b++ {
			for c := b + 1; c <= 7; c++ {
				count[a+b+c-n1*(n1+1)/2]++
			}
		}
	}
	for u := 0; u <= n1*n2; u++ {
		var lo, hi int
		for k, v := range count {
			if k <= u {
				lo += v
			}
			if k >= u {
				hi += v
			}
		}
		want := math.Min(1, 2*float64(min(lo, hi))/35)
		if got := mannWhitneyExact(n1, n2, float64(u)); math.Abs(got-want) > 1e-12 {
			t.Errorf("U = %d: p %v, want %v", u, got, want)
		}
	}
}

func TestMannWhitneyNormal(t *testing.T) {
	// Samples 1..30 and 21..50 share 21..30, so there are ties and the
	// normal approximation is used. U is checked against counting pairs,
	// and the p value against the formula worked by hand.
	a, b := make([]float64, 0, 30), make([]float64, 0, 30)
	for i := 1; i <= 30; i++ {
		a = append(a, float64(i))
		b = append(b, float64(i+20))
	}
	ra, tie := rankSum(a, b)
	// Pairs (x in A, y in B) with x > y count 1, ties 1/2: U_A directly.
	var u float64
	for _, x := range a {
		for _, y := range b {
			switch {
			case x > y:
				u++
			case x == y:
				u += 0.5
			}
		}
	}
	if got := ra - 30*31/2; got != u {
		t.Fatalf("U from ranks %v, by pairs %v", got, u)
	}
	// Normal approximation by hand: 10 tied pairs (t = 2): T = 10 × 6 = 60.
	if tie != 60 {
		t.Fatalf("tie term %v, want 60", tie)
	}
	n := 60.0
	sd := math.Sqrt(900.0 / 12 * ((n + 1) - 60/(n*(n-1))))
	want := math.Erfc((math.Abs(u-450) - 0.5) / sd / math.Sqrt2)
	if got := mannWhitneyP(30, 30, ra, tie); math.Abs(got-want) > 1e-15 || got > 1e-6 {
		t.Errorf("p %v, want %v (and tiny)", got, want)
	}
	if got := mannWhitneyP(30, 30, 915, 0); got != 1 {
		// U = 450 = n1 n2 / 2: the middle of the distribution.
		t.Errorf("p at the centre %v, want 1", got)
	}
}

// rankSum is an independent rank computation for tests: A's rank sum in the
// pooled sample (mean ranks for ties) and Σ(t³ − t).
func rankSum(a, b []float64) (float64, float64) {
	var sum, tie float64
	all := append(append([]float64(nil), a...), b...)
	for _, x := range a {
		less, eq := 0, 0
		for _, y := range all {
			if y < x {
				less++
			} else if y == x {
				eq++
			}
		}
		sum += float64(less) + float64(eq+1)/2
	}
	seen := map[float64]bool{}
	for _, x := range all {
		if seen[x] {
			continue
		}
		seen[x] = true
		t := 0.0
		for _, y := range all {
			if y == x {
				t++
			}
		}
		tie += t*t*t - t
	}
	return sum, tie
}

func TestFisherExact(t *testing.T) {
	// 3 of 10 against 0 of 10: tables x = 0..3 with the margins (K = 3, N =
	// 20, nA = 10): P(x) = C(3,x)C(17,10−x)/C(20,10); the two-sided p sums
	// every P(x) ≤ P(3), which is x = 0 and x = 3: 2 × C(17,7)/C(20,10) =
	// 2 × 19448/184756.
	want := 2 * 19448.0 / 184756
	if got := fisherExactP(3, 10, 0, 10); math.Abs(got-want) > 1e-12 {
		t.Errorf("p %v, want %v", got, want)
	}
	if got := fisherExactP(5, 500, 5, 500); math.Abs(got-1) > 1e-9 {
		t.Errorf("equal proportions: p %v, want 1", got)
	}
	if got := fisherExactP(0, 100, 0, 100); got != 1 {
		t.Errorf("no errors: p %v, want 1", got)
	}
}
