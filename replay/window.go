package replay

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"brink"
)

// window tallies one level's hold (steady) window live, to evaluate the stop
// rules when the hold ends. Its latency percentiles are exact (the same
// interpolation as analysis), so the live decision and the analysis agree.
type window struct {
	inflight atomic.Int64 // requests started in the window and not yet recorded

	mu    sync.Mutex
	steps map[string]*stepTally
}

type stepTally struct {
	requests, errors, throttled int64
	latencies                   []float64 // answered, scenario ms
}

func newWindow() *window { return &window{steps: map[string]*stepTally{}} }

func (w *window) record(t *brink.Trace) {
	w.mu.Lock()
	s := w.steps[t.Step]
	if s == nil {
		s = &stepTally{}
		w.steps[t.Step] = s
	}
	s.requests++
	if t.Error == "" {
		s.latencies = append(s.latencies, t.LatencyMS)
	} else {
		s.errors++
	}
	if t.Throttled {
		s.throttled++
	}
	w.mu.Unlock()
}

// counts sums the steps' requests, errors and throttles (all steps when
// step is "").
func (w *window) counts(step string) (req, errs, thr int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for name, s := range w.steps {
		if step == "" || name == step {
			req, errs, thr = req+s.requests, errs+s.errors, thr+s.throttled
		}
	}
	return
}

// latencies copies the steps' answered latencies (all steps when step is "").
func (w *window) latencies(step string) []float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var lat []float64
	for name, s := range w.steps {
		if step == "" || name == step {
			lat = append(lat, s.latencies...)
		}
	}
	return lat
}

// Quantile is the linear interpolation at position (n−1)p of the sorted
// values, as DuckDB's quantile_cont computes it. It sorts xs in place and
// returns false for an empty slice.
func Quantile(xs []float64, p float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	slices.Sort(xs)
	pos := float64(len(xs)-1) * p
	lo := int(pos)
	if lo >= len(xs)-1 {
		return xs[len(xs)-1], true
	}
	frac := pos - float64(lo)
	return xs[lo] + frac*(xs[lo+1]-xs[lo]), true
}

// RuleValue is a rule's value over one window; ok is false when the window
// has nothing to measure (no requests, or no answered request for latency).
type RuleValue struct {
	Rule     brink.StopRule
	Value    float64
	OK       bool
	Breached bool
	Note     string // why the value is what it is, when that is not plain
}

// evaluate checks the rules over the window; pending requests started in
// it are still unanswered when the verdict is due (their timeout passed).
// For the error rule over all steps a pending request is a failed one, and
// a hold with no answered request at all (all failed or pending, or none
// started where users were due to send: manned) is an error rate of 100%:
// a target that answers nothing must not read as a level that completed
// without errors.
func (w *window) evaluate(rules []brink.StopRule, pending int64, manned bool) []RuleValue {
	out := make([]RuleValue, 0, len(rules))
	for _, r := range rules {
		req, errs, thr := w.counts(r.Step)
		v := RuleValue{Rule: r}
		switch r.Metric {
		case brink.RuleErrorRate:
			if r.Step == "" {
				req, errs = req+pending, errs+pending
				if req == errs && (req > 0 || manned) {
					v.Value, v.OK = 1, true
					v.Note = fmt.Sprintf("no request of the hold was answered (%d started, %d unanswered at the timeout)", req, pending)
					break
				}
			}
			if req > 0 {
				v.Value, v.OK = float64(errs)/float64(req), true
			}
		case brink.RuleThrottleRate:
			if req > 0 {
				v.Value, v.OK = float64(thr)/float64(req), true
			}
		case brink.RuleLatency:
			v.Value, v.OK = Quantile(w.latencies(r.Step), r.Percentile)
		}
		v.Breached = v.OK && r.Breached(v.Value)
		out = append(out, v)
	}
	return out
}
