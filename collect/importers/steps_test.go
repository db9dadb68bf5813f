package importers

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// vegetaFile writes vegeta JSON results: n requests to each path, one a
// second apart in turn, with the given latencies.
func vegetaFile(t *testing.T, paths []string, latency map[string]time.Duration, n int) string {
	t.Helper()
	var b strings.Builder
	seq := 0
	for i := range n {
		for _, p := range paths {
			ts := t0.Add(time.Duration(seq) * 250 * time.Millisecond)
			fmt.Fprintf(&b, `{"attack":"","seq":%d,"code":200,"timestamp":%q,"latency":%d,"bytes_out":10,"bytes_in":10,"error":"","body":null,"method":"POST","url":"http://127.0.0.1:8080%s"}`+"\n",
				seq, ts.Format(time.RFC3339Nano), latency[p]+time.Duration(i)*time.Millisecond, p)
			seq++
		}
	}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Issue 18: login + ask, equal counts. The most-frequent-then-alphabetical
// rule made /auth/login the ask step; the conversation step is the one whose
// name says so, or else the slowest.
func TestChooseAskStep(t *testing.T) {
	lat := map[string]time.Duration{
		"/auth/login": 80 * time.Millisecond, "/chat/sessions": 40 * time.Millisecond,
		"/chat/sessions/42/messages": 1500 * time.Millisecond, "/q": 900 * time.Millisecond, "/health": 3 * time.Millisecond,
	}
	for _, tc := range []struct {
		name  string
		paths []string
		opts  Options
		want  string
		why   string
	}{
		{"by name", []string{"/auth/login", "/chat/sessions", "/chat/sessions/42/messages"}, Options{}, "/chat/sessions/{id}/messages", `its name says "messages"`},
		// No name looks like a conversation: the slowest (median 900+ ms) wins over
		// the alphabetically first /auth/login (80 ms) and /health (3 ms).
		{"by median latency", []string{"/auth/login", "/health", "/q"}, Options{}, "/q", "median latency 9"},
		{"--step", []string{"/auth/login", "/chat/sessions", "/chat/sessions/42/messages"}, Options{Step: "/chat/sessions"}, "/chat/sessions", "(--step)"},
		{"--step a URL", []string{"/auth/login", "/q"}, Options{Step: "http://x/auth/login"}, "/auth/login", "(--step)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.RunsDir = t.TempDir()
			res, err := Vegeta(context.Background(), vegetaFile(t, tc.paths, lat, 20), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var asks []string
			for n, s := range res.StepNames {
				if s == "ask" {
					asks = append(asks, n)
				}
			}
			if len(asks) != 1 || asks[0] != tc.want {
				t.Errorf("ask step %v, want %q (steps %v)", asks, tc.want, res.StepNames)
			}
			if !strings.Contains(res.StepChoice, tc.why) || !strings.Contains(res.StepChoice, tc.want) {
				t.Errorf("choice %q: want it to name %q and say %q", res.StepChoice, tc.want, tc.why)
			}
		})
	}
	path := vegetaFile(t, []string{"/auth/login", "/q"}, lat, 3)
	_, err := Vegeta(context.Background(), path, Options{RunsDir: t.TempDir(), Step: "/chat"})
	if err == nil || !strings.Contains(err.Error(), `--step /chat: no request is named "/chat"; the names are (most frequent first): "/auth/login", "/q"`) {
		t.Errorf("unknown --step: %v", err)
	}
}

// The sketch's median is within its 1% bucket of the exact median.
func TestSketchMedian(t *testing.T) {
	var k sketch
	var xs []float64
	for i := range 1001 {
		v := 3 + math.Mod(float64(i)*7.3, 2000)
		xs = append(xs, v)
		k.add(v)
	}
	sort.Float64s(xs)
	exact := xs[500]
	if got := k.median(); math.Abs(got-exact)/exact > 0.01 {
		t.Errorf("sketch median %v, exact %v", got, exact)
	}
}

// Locust: names from _stats.csv; the real run's two chat names have equal
// counts and the ask step must be the messages name (52 ms median), not
// /chat/sessions (1 ms), which sorted first before.
func TestLocustChoosesMessages(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "real")
	hist, _ := os.ReadFile("locust/testdata/chat_stats_history.csv")
	os.WriteFile(prefix+"_stats_history.csv", hist, 0o644)
	os.WriteFile(prefix+"_stats.csv", []byte(`Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time
POST,/auth/login,10,0,4,4.2
POST,/chat/sessions,935,0,1,1.3
POST,/chat/sessions/[id]/messages,935,2,52,61.0
,Aggregated,1880,2,40,31.0
`), 0o644)
	res, err := Locust(context.Background(), prefix, Options{RunsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.StepNames["/chat/sessions/[id]/messages"] != "ask" || res.StepNames["/chat/sessions"] != "/chat/sessions" {
		t.Errorf("steps %v", res.StepNames)
	}
	if !strings.Contains(res.StepChoice, "median latency 52 ms") {
		t.Errorf("choice %q", res.StepChoice)
	}
}

// Issue 18 item 3: the run's totals come from _stats.csv (written at the
// end), not from the history's last row, which can lag it. The fixture's
// history without its last second ends at 1,845 requests; _stats.csv says
// 1,875.
func TestLocustTotalsFromStats(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "lag")
	hist, _ := os.ReadFile("locust/testdata/chat_stats_history.csv")
	lines := strings.SplitAfter(strings.TrimSuffix(string(hist), "\n"), "\n")
	last := lines[len(lines)-2] // the second-to-last row becomes the last
	if !strings.Contains(last, ",1845,43,") {
		t.Fatalf("fixture changed: %q", last)
	}
	os.WriteFile(prefix+"_stats_history.csv", []byte(strings.Join(lines[:len(lines)-1], "")), 0o644)
	stats, _ := os.ReadFile("locust/testdata/chat_stats.csv")
	os.WriteFile(prefix+"_stats.csv", stats, 0o644)
	res, err := Locust(context.Background(), prefix, Options{RunsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 1875 {
		t.Errorf("requests %d, want 1875 from _stats.csv", res.Requests)
	}
	found := false
	for _, w := range res.Warnings {
		found = found || strings.Contains(w, "the run's total is 1875 requests (45 failed)") && strings.Contains(w, "counts 1845 (43 failed)")
	}
	if !found {
		t.Errorf("no note of the difference: %q", res.Warnings)
	}
}
