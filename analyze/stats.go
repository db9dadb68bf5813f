package analyze

import "math"

// mannWhitneyP is the two-sided p value of the Mann–Whitney U test of two
// samples of sizes nA and nB, given the sum of sample A's ranks in the
// pooled sample (mean ranks for ties) and the tie term Σ(t³ − t). Without
// ties and with nA·nB ≤ exactLimit it is exact (the distribution of U,
// counted by the Gaussian binomial coefficient), otherwise the normal
// approximation with the tie correction and a continuity correction, as
// x/perf's benchmath and scipy's mannwhitneyu do. 1 when either sample is
// empty or every value is tied.
func mannWhitneyP(nA, nB int64, rankSumA, tieTerm float64) float64 {
	if nA == 0 || nB == 0 {
		return 1
	}
	n1, n2 := float64(nA), float64(nB)
	u := rankSumA - n1*(n1+1)/2
	if tieTerm == 0 && nA*nB <= exactLimit {
		return mannWhitneyExact(int(nA), int(nB), u)
	}
	n := n1 + n2
	variance := n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if !(variance > 0) {
		return 1
	}
	z := max(math.Abs(u-n1*n2/2)-0.5, 0) / math.Sqrt(variance)
	return math.Erfc(z / math.Sqrt2)
}

// exactLimit bounds nA·nB, the degree of U's distribution, for the exact test.
const exactLimit = 10000

// mannWhitneyExact is 2·min(P(U ≤ u), P(U ≥ u)), capped at 1, under the null
// hypothesis with no ties. The number of orderings with U = k is the
// coefficient of q^k in the Gaussian binomial [n1+n2 choose n1]_q =
// Π_{i=1..n1} (1 − q^{n2+i}) / (1 − q^i), built one factor at a time.
func mannWhitneyExact(n1, n2 int, u float64) float64 {
	deg := n1 * n2
	c := make([]float64, deg+1)
	c[0] = 1
	for i := 1; i <= n1; i++ {
		// Multiply by (1 − q^{n2+i}), then divide by (1 − q^i): the
		// quotient is a polynomial, so the division is exact.
		for k := deg; k >= n2+i; k-- {
			c[k] -= c[k-(n2+i)]
		}
		for k := i; k <= deg; k++ {
			c[k] += c[k-i]
		}
	}
	var total, lo, hi float64
	for k, v := range c {
		total += v
		if float64(k) <= u+1e-9 {
			lo += v
		}
		if float64(k) >= u-1e-9 {
			hi += v
		}
	}
	return min(1, 2*min(lo, hi)/total)
}

// fisherExactP is the two-sided p value of Fisher's exact test that two
// proportions, errA of nA and errB of nB, are the same: the probability,
// with the margins fixed, of every table no more likely than the one seen.
func fisherExactP(errA, nA, errB, nB int64) float64 {
	if nA == 0 || nB == 0 {
		return 1
	}
	n, k := nA+nB, errA+errB
	lchoose := func(a, b int64) float64 {
		x, _ := math.Lgamma(float64(a + 1))
		y, _ := math.Lgamma(float64(b + 1))
		z, _ := math.Lgamma(float64(a - b + 1))
		return x - y - z
	}
	denom := lchoose(n, nA)
	logP := func(x int64) float64 { return lchoose(k, x) + lchoose(n-k, nA-x) - denom }
	seen := logP(errA)
	p := 0.0
	for x := max(0, nA+k-n); x <= min(k, nA); x++ {
		if lp := logP(x); lp <= seen+1e-7 {
			p += math.Exp(lp)
		}
	}
	return min(p, 1)
}
