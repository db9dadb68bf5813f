// Package suggest finds the known word a user most likely meant, for
// "did you mean" hints on misspelt keys, flags and commands.
package suggest

import "sort"

// Closest returns the candidate nearest to s by edit distance, if it is
// within half the word's length (at least 3 edits), else "".
func Closest(s string, candidates []string) string {
	best, bestD := "", max(3, len(s)/2)+1
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if d := Distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b. Words over 64
// bytes are nobody's misspelt key: their distance is their length.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
