package live

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A live line never reaches the terminal's last column: it would wrap.
func TestFit(t *testing.T) {
	line := "   4m12s  level 1  20/20 users  steady    108.9 req/s (wall)  545 requests  0 errors  live ask p50 2.04 s p95 3.13 s (approx.)  gen lag 12 ms cpu 8%"
	for _, w := range []int{80, 40, 2, 1} {
		got := fit(line, w)
		if n := utf8.RuneCountInString(got); n >= max(w, 2) || !strings.HasPrefix(line, strings.TrimSuffix(got, "…")) {
			t.Errorf("width %d: %q (%d runes)", w, got, n)
		}
	}
	if got := fit("short", 80); got != "short" {
		t.Errorf("a short line changed: %q", got)
	}
}
