package importers

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"brink"
)

// nameStat is what the step choice knows of one request name.
type nameStat struct {
	count  int64
	median float64 // ms; NaN when unknown
	sk     *sketch
}

// nameStats gathers request counts and latencies by name as a reader scans.
type nameStats map[string]*nameStat

func (ns nameStats) add(name string, latencyMS float64) {
	s := ns[name]
	if s == nil {
		s = &nameStat{median: math.NaN(), sk: &sketch{}}
		ns[name] = s
	}
	s.count++
	s.sk.add(latencyMS)
}

// counts is the request count by name.
func (ns nameStats) counts() map[string]int64 {
	out := make(map[string]int64, len(ns))
	for n, s := range ns {
		out[n] = s.count
	}
	return out
}

// medianOf is the name's median latency: given, or from its sketch.
func (s *nameStat) medianOf() float64 {
	if !math.IsNaN(s.median) || s.sk == nil {
		return s.median
	}
	return s.sk.median()
}

// sketch is a log-bucketed latency histogram (buckets 1% wide), enough to
// rank names by median latency without keeping every value in memory.
type sketch struct {
	n       int64
	buckets map[int]int64
}

const sketchRes = 100 // buckets per e-fold

func (k *sketch) add(ms float64) {
	if math.IsNaN(ms) || ms < 0 {
		return
	}
	if k.buckets == nil {
		k.buckets = map[int]int64{}
	}
	k.buckets[int(math.Log1p(ms)*sketchRes)]++
	k.n++
}

func (k *sketch) median() float64 {
	if k.n == 0 {
		return math.NaN()
	}
	keys := make([]int, 0, len(k.buckets))
	for b := range k.buckets {
		keys = append(keys, b)
	}
	sort.Ints(keys)
	var seen int64
	for _, b := range keys {
		if seen += k.buckets[b]; 2*seen >= k.n {
			return math.Expm1((float64(b) + 0.5) / sketchRes)
		}
	}
	return math.NaN()
}

// conversationWords are the words in a request name that mark it as the
// conversation turn of an LLM chat API.
var conversationWords = []string{"messages", "message", "ask", "completions", "completion",
	"generate", "generation", "invoke", "converse", "conversation", "prompt", "answer"}

var reWord = regexp.MustCompile(`[a-z0-9]+`)

// conversationWord returns the word of name that marks it as a conversation
// turn, or "".
func conversationWord(name string) string {
	l := strings.ToLower(name)
	if strings.Contains(l, "chat/completions") {
		return "chat/completions"
	}
	words := map[string]bool{}
	for _, w := range reWord.FindAllString(l, -1) {
		words[w] = true
	}
	for _, w := range conversationWords {
		if words[w] {
			return w
		}
	}
	return ""
}

// stepMapper maps request names to steps.
type stepMapper struct {
	m      map[string]string
	choice string // why the ask step is the name it is
}

// newStepMapper checks opts.Step and opts.StepMap against the names seen or,
// without them, chooses the conversation step (chooseAsk).
func newStepMapper(opts Options, stats nameStats) (*stepMapper, error) {
	counts := stats.counts()
	names := byCount(counts)
	shown := names
	if len(shown) > 10 {
		shown = shown[:10]
	}
	resolve := func(from string) (string, bool) {
		if _, ok := counts[from]; ok {
			return from, true
		}
		if n := RequestName(from); counts[n] > 0 {
			return n, true
		}
		return "", false
	}
	sm := &stepMapper{m: map[string]string{}}
	for from, to := range opts.StepMap {
		n, ok := resolve(from)
		if !ok {
			return nil, fmt.Errorf("--step-map %s=%s: no request is named %q; the names are (most frequent first): %s",
				from, to, from, quoteAll(shown))
		}
		sm.m[n] = to
	}
	if opts.Step != "" {
		n, ok := resolve(opts.Step)
		if !ok {
			return nil, fmt.Errorf("--step %s: no request is named %q; the names are (most frequent first): %s",
				opts.Step, opts.Step, quoteAll(shown))
		}
		for from, to := range sm.m {
			if to == brink.StepAsk && from != n {
				return nil, fmt.Errorf("--step %s: --step-map already maps %q to ask; give one of them", opts.Step, from)
			}
		}
		sm.m[n] = brink.StepAsk
		sm.choice = fmt.Sprintf("%q is the conversation step ask (--step)", n)
		return sm, nil
	}
	for from, to := range sm.m {
		if to == brink.StepAsk {
			sm.choice = fmt.Sprintf("%q is the conversation step ask (--step-map)", from)
			return sm, nil
		}
	}
	if len(opts.StepMap) > 0 {
		sm.choice = "no request is mapped to ask (--step-map): there is no conversation step"
		return sm, nil
	}
	if name, why := chooseAsk(stats); name != "" {
		sm.m[name] = brink.StepAsk
		sm.choice = why
	}
	return sm, nil
}

// chooseAsk picks the conversation step: among the names that look like a
// conversation turn (conversationWord), else among all, the one with the
// highest median latency (an LLM answer is the slow request); then the most
// requests. The name's spelling decides only an exact tie of both, so a
// login never wins by sorting first.
func chooseAsk(stats nameStats) (name, why string) {
	var cands []string
	for n := range stats {
		if conversationWord(n) != "" {
			cands = append(cands, n)
		}
	}
	byWord := len(cands) > 0
	if !byWord {
		for n := range stats {
			cands = append(cands, n)
		}
	}
	if len(cands) == 0 {
		return "", ""
	}
	med := func(n string) float64 {
		if m := stats[n].medianOf(); !math.IsNaN(m) {
			return m
		}
		return -1
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if med(a) != med(b) {
			return med(a) > med(b)
		}
		if stats[a].count != stats[b].count {
			return stats[a].count > stats[b].count
		}
		return a < b
	})
	best := cands[0]
	lat := "unknown median latency"
	if m := med(best); m >= 0 {
		lat = fmt.Sprintf("median latency %s ms", trimFloat(m))
	}
	switch {
	case byWord && len(cands) == 1:
		why = fmt.Sprintf("%q is the conversation step ask: its name says %q (%s); give --step NAME to choose another", best, conversationWord(best), lat)
	case byWord:
		why = fmt.Sprintf("%q is the conversation step ask: its name says %q and its %s is the highest of the %d names that look like a conversation; give --step NAME to choose another",
			best, conversationWord(best), lat, len(cands))
	case len(cands) == 1:
		why = fmt.Sprintf("%q is the conversation step ask: it is the only request name; give --step NAME to choose another", best)
	default:
		why = fmt.Sprintf("%q is the conversation step ask: no name looks like a conversation (messages, ask, chat/completions, generate, invoke...), and its %s is the highest of %d names; give --step NAME to choose another",
			best, lat, len(cands))
	}
	return best, why
}

func trimFloat(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// byCount is the names, most requests first.
func byCount(counts map[string]int64) []string {
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func (s *stepMapper) step(name string) string {
	if to, ok := s.m[name]; ok {
		return to
	}
	return name
}

func (s *stepMapper) names(counts map[string]int64) map[string]string {
	out := make(map[string]string, len(counts))
	for n := range counts {
		out[n] = s.step(n)
	}
	return out
}
