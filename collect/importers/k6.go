package importers

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"brink"
	"brink/collect/importers/k6"
)

// k6Request is the samples of one HTTP request, which k6 writes on
// consecutive lines with the same time (the request's end) and tags.
type k6Request struct {
	key                string
	end                time.Time
	tags, meta         map[string]string
	line               int
	duration           float64
	hasDuration        bool
	waiting, sending   float64
	hasWaiting, failed bool
	hasFailed          bool
}

// scanK6 reads path and calls onVUs for each vus reading and onReq for each
// request. A syntax error stops the scan and is returned as it is, naming the
// file and line.
func scanK6(ctx context.Context, path string, onVUs func(Sample), onReq func(*k6Request) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("k6: %w", err)
	}
	defer f.Close()
	r := k6.NewReader(f, path)
	var cur *k6Request
	flush := func() error {
		if cur == nil || !cur.hasDuration {
			cur = nil
			return nil
		}
		c := cur
		cur = nil
		return onReq(c)
	}
	n := 0
	for r.Scan() {
		if n++; n%65536 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		switch rec := r.Result().(type) {
		case *k6.SyntaxError:
			return rec
		case *k6.Point:
			switch rec.Metric {
			case "vus":
				if rec.Value < 0 || rec.Value > 1e9 {
					return &k6.SyntaxError{File: path, Line: rec.Line, Msg: fmt.Sprintf("vus %v: not a number of virtual users", rec.Value)}
				}
				onVUs(Sample{T: rec.Time, Users: int(rec.Value)})
				continue
			case "http_req_duration", "http_req_waiting", "http_req_sending", "http_req_failed":
			default:
				continue
			}
			key := k6Key(rec)
			if cur == nil || cur.key != key || (rec.Metric == "http_req_duration" && cur.hasDuration) {
				if err := flush(); err != nil {
					return err
				}
				cur = &k6Request{key: key, end: rec.Time, tags: rec.Tags, meta: rec.Metadata, line: rec.Line}
			}
			switch rec.Metric {
			case "http_req_duration":
				cur.duration, cur.hasDuration = rec.Value, true
			case "http_req_waiting":
				cur.waiting, cur.hasWaiting = rec.Value, true
			case "http_req_sending":
				cur.sending = rec.Value
			case "http_req_failed":
				cur.failed, cur.hasFailed = rec.Value != 0, true
			}
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	return flush()
}

func k6Key(p *k6.Point) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(p.Time.UnixNano(), 10))
	for _, k := range []string{"name", "url", "method", "status", "vu", "iter", "scenario", "group"} {
		b.WriteByte(0)
		b.WriteString(p.Tags[k])
	}
	for _, k := range []string{"vu", "iter"} {
		b.WriteByte(0)
		b.WriteString(p.Metadata[k])
	}
	return b.String()
}

// vuIter is where a request says which VU and iteration made it: the "vu"
// and "iter" tags (k6 < 0.41 with --system-tags), else data.metadata (k6 ≥
// 0.41 writes them there). ok is false when neither has them.
func (q *k6Request) vuIter() (vu, iter string, ok bool) {
	vu, iter = q.tags["vu"], q.tags["iter"]
	if vu == "" {
		vu = q.meta["vu"]
	}
	if iter == "" {
		iter = q.meta["iter"]
	}
	return vu, iter, vu != "" || iter != ""
}

func k6Name(tags map[string]string) string {
	if n := tags["name"]; n != "" {
		return RequestName(n)
	}
	return RequestName(tags["url"])
}

// K6 imports k6's JSON output (`k6 run --out json=FILE`, plain or gzip): a
// trace row per HTTP request from http_req_duration (latency),
// http_req_sending + http_req_waiting (time to first byte), the status tag
// and http_req_failed; levels from the plateaus of the vus gauge.
func K6(ctx context.Context, path string, opts Options) (*Result, error) {
	opts.defaults()
	var (
		vus      []Sample
		stats    = nameStats{}
		hosts    = map[string]int{}
		first    time.Time
		last     time.Time
		requests int64
	)
	err := scanK6(ctx, path, func(s Sample) { vus = append(vus, s) }, func(q *k6Request) error {
		start := q.end.Add(-time.Duration(q.duration * float64(time.Millisecond)))
		if first.IsZero() || start.Before(first) {
			first = start
		}
		if q.end.After(last) {
			last = q.end
		}
		stats.add(k6Name(q.tags), q.duration)
		hosts[targetOf(q.tags["url"])]++
		requests++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if requests == 0 {
		return nil, fmt.Errorf("%s: no http_req_duration samples: was the test run with --out json, and did it make HTTP requests?", path)
	}
	if len(vus) == 0 {
		return nil, fmt.Errorf("%s: %w: the file has no vus samples (k6 writes one a second; was --system-tags or the output filtered?)", path, ErrNoLevels)
	}
	levels := Plateaus(vus, opts.MinHold)
	if len(levels) == 0 {
		return nil, fmt.Errorf("%s: %w: vus never held one value for %v; give a shorter --min-hold", path, ErrNoLevels, opts.MinHold)
	}
	steps, err := newStepMapper(opts, stats)
	if err != nil {
		return nil, err
	}
	sum, err := hashFiles(path)
	if err != nil {
		return nil, fmt.Errorf("k6: %w", err)
	}
	if vus[0].T.Before(first) {
		first = vus[0].T
	}
	w, err := newRun(ctx, opts, "k6", path, sum, first, false)
	if err != nil {
		return nil, err
	}
	defer w.Abandon(ctx) // no-op once finished
	runID := w.ID()
	tw, err := writeTraces(w)
	if err != nil {
		return nil, err
	}
	var noWaiting, assertFails, noVU int64
	err = scanK6(ctx, path, func(Sample) {}, func(q *k6Request) error {
		t := k6Trace(runID, q, steps, levels)
		if !q.hasWaiting {
			noWaiting++
		}
		if _, _, ok := q.vuIter(); !ok {
			noVU++
		}
		if t.Error == brink.ErrAssert {
			assertFails++
		}
		return tw.Write(t)
	})
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	var warnings []string
	if noVU > 0 {
		warnings = append(warnings, fmt.Sprintf("%d of %d requests name no VU or iteration (neither \"vu\"/\"iter\" tags, which k6 < 0.41 writes with --system-tags, nor data.metadata, where k6 >= 0.41 writes them): their vu and session are 0, so per-user and per-session figures lump them together",
			noVU, tw.Rows()))
	}
	if noWaiting > 0 {
		warnings = append(warnings, fmt.Sprintf("%d requests have no http_req_waiting sample: their ttfb_ms is their latency", noWaiting))
	}
	if assertFails > 0 {
		warnings = append(warnings, fmt.Sprintf("%d requests with a 2xx/3xx status were marked failed by k6 (http_req_failed): recorded as error \"assert\"", assertFails))
	}
	warnings = append(warnings, "k6's JSON output has no request or response sizes per request: bytes_sent and bytes_received are 0",
		"k6 stamps a request's samples when it ended: start is that time minus http_req_duration (DNS, connect and TLS time before it are not counted)")
	if err := finish(ctx, w, last, levels, planFor(levels, "closed"), mostCommon(hosts)); err != nil {
		return nil, err
	}
	return &Result{Dir: w.Dir(), Manifest: w.Manifest(), Requests: tw.Rows(), StepNames: steps.names(stats.counts()), StepChoice: steps.choice, Warnings: warnings}, nil
}

func k6Trace(runID string, q *k6Request, steps *stepMapper, levels []brink.LevelWindow) brink.Trace {
	start := q.end.Add(-time.Duration(q.duration * float64(time.Millisecond)))
	lvl, phase := locate(levels, start)
	t := brink.Trace{RunID: runID, Step: steps.step(k6Name(q.tags)), Level: int32(lvl), Users: int32(levels[lvl].Users),
		Phase: phase, Start: start.UTC(), LatencyMS: q.duration, TTFBMS: q.duration}
	if q.hasWaiting {
		t.TTFBMS = q.sending + q.waiting
	}
	vu, iter, _ := q.vuIter()
	if v, err := strconv.ParseInt(vu, 10, 32); err == nil {
		t.VU = int32(v)
	}
	if v, err := strconv.ParseInt(iter, 10, 64); err == nil {
		t.Session = v
	}
	status, err := strconv.Atoi(q.tags["status"])
	if err != nil || status < 0 || status > 999 {
		status = 0
	}
	t.Status = int32(status)
	if status == 0 {
		msg := q.tags["error"]
		if q.tags["error_code"] == "1050" { // k6: request timeout
			msg = "timeout"
		}
		t.Error = classifyError(msg)
	} else {
		t.Error, t.Throttled = brink.ClassifyStatus(status)
		if t.Error == "" && q.hasFailed && q.failed {
			t.Error = brink.ErrAssert
		}
	}
	return t
}

func mostCommon(m map[string]int) string {
	best, n := "", 0
	for k, v := range m {
		if k != "" && (v > n || v == n && k < best) {
			best, n = k, v
		}
	}
	return best
}
