package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"strings"
	"time"

	"brink"
)

// maxBody caps how much of an answer is kept for parsing; the rest is read
// and counted but not kept.
const maxBody = 1 << 20

// stepResult is what a step's request gave the virtual user.
type stepResult struct {
	ok       bool
	status   int
	lifetime time.Duration // once steps with expires
}

// StepEvent describes one request for a dry run. Secrets are masked.
type StepEvent struct {
	Step      string
	Method    string
	URL       string
	Status    int
	Error     string
	LatencyMS float64
	Extracted map[string]string
}

// do runs one step: the request, and its retries after 429 if the flow asks.
func (r *Runner) do(st *vuState, s *Step, turn int) stepResult {
	for attempt := 0; ; attempt++ {
		res, retryAfter := r.attempt(st, s)
		if res.status != http.StatusTooManyRequests || attempt >= s.Retry429 || r.stopping() {
			return res
		}
		if retryAfter <= 0 {
			retryAfter = time.Second
		}
		tm := time.NewTimer(r.opts.Clock.WallDuration(retryAfter))
		select {
		case <-tm.C:
		case <-r.stopCh:
			tm.Stop()
			return res
		}
	}
}

// attempt sends one request, records its trace and applies the step's
// checks, usage and extractions.
func (r *Runner) attempt(st *vuState, s *Step) (stepResult, time.Duration) {
	if r.limiter != nil {
		// The cap delays the request before it starts: the wait is not
		// latency (closed model), and shows as start − scheduled (open model).
		if err := r.limiter.Wait(r.hardCtx); err != nil {
			return stepResult{}, 0
		}
	}
	if r.opts.BeforeSend != nil {
		sched := st.next
		if sched.IsZero() {
			sched = r.opts.Clock.Now()
		}
		r.opts.BeforeSend(sched)
	}
	wallStart := time.Now()
	start := r.opts.Clock.Scenario(wallStart)
	lvl, phase := r.levelAt(start)
	w := r.windowAt(lvl, start)
	if phase == brink.PhaseSteady {
		w.inflight.Add(1)
		defer w.inflight.Add(-1)
	}
	t := brink.Trace{
		RunID: r.opts.RunID, VU: st.id, Session: st.session, Step: s.Name,
		Level: int32(lvl), Users: int32(r.levels()[lvl].Users), Phase: phase, Start: start,
	}
	// Every request records when it was meant to start (coordinated
	// omission shows as start − scheduled): the end of its think time, its
	// user's ramp slot or arrival, else its start (a step right after another).
	t.Scheduled = start
	if !st.next.IsZero() {
		t.Scheduled = st.next
		st.next = time.Time{}
	}
	if lag := start.Sub(t.Scheduled).Microseconds(); lag > r.lagMaxUS.Load() {
		r.lagMaxUS.Store(lag) // racy max: a sample, not an exact figure
	}
	ev := StepEvent{Step: s.Name, Method: s.Method}
	r.inflight.Add(1)
	res, retryAfter := r.send(st, s, wallStart, &t, &ev)
	r.inflight.Add(-1)
	r.requests.Add(1)
	if t.Error != "" {
		r.errors.Add(1)
	}
	if phase == brink.PhaseSteady && start.Before(r.levels()[lvl].End) {
		w.record(&t)
	}
	r.live.record(&t)
	if err := r.opts.Sink.Write(t); err != nil {
		r.fail(err)
	}
	if r.opts.Budget != nil {
		if spent, over := r.opts.Budget.Observe(t); over {
			r.overBudget(spent)
		}
	}
	if r.opts.Observe != nil {
		ev.Status, ev.Error, ev.LatencyMS = int(t.Status), t.Error, t.LatencyMS
		r.opts.Observe(ev)
	}
	return res, retryAfter
}

func (r *Runner) buildRequest(ctx context.Context, st *vuState, s *Step) (*http.Request, int, error) {
	var target string
	var err error
	if s.URL != "" {
		target, err = st.vars.expand(s.URL)
	} else {
		var p string
		p, err = st.vars.expand(s.Path)
		target = r.base + p
	}
	if err != nil {
		return nil, 0, err
	}
	body := s.fixedBody
	if body == nil {
		if body, err = st.vars.expandBody(s.Body); err != nil {
			return nil, 0, err
		}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, s.Method, target, rd)
	if err != nil {
		// A value the target answered (a session id with a control
		// character) made a URL that cannot be sent: that request's
		// error, not the run's. The error is not kept: it holds the URL.
		return nil, 0, errUnsendable
	}
	if !r.allowedHost(req.URL.Host) {
		return nil, 0, errForeignHost
	}
	for _, hs := range []map[string]string{r.flow.Headers, s.Headers} {
		for k, v := range hs {
			val, err := st.vars.expand(v)
			if err != nil {
				return nil, 0, err
			}
			if s.credHeader(k) {
				st.vars.secretHeader(k, val)
			}
			req.Header.Set(k, val)
		}
	}
	if s.Stream == "sse" {
		req.Header.Set("Accept", "text/event-stream")
	}
	return req, len(body), nil
}

var errForeignHost = errors.New("the step's URL names a host other than the target's")

// errUnsendable: the request cannot be made from what the target answered.
var errUnsendable = errors.New("the request cannot be sent: a value extracted from an answer makes its URL invalid")

func (r *Runner) send(st *vuState, s *Step, wallStart time.Time, t *brink.Trace, ev *StepEvent) (stepResult, time.Duration) {
	ctx, cancel := context.WithTimeout(r.hardCtx, r.opts.Clock.WallDuration(s.Timeout))
	defer cancel()
	var firstByte time.Time
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotFirstResponseByte: func() {
			if s.Stream == "" {
				firstByte = time.Now()
			}
		},
	})
	req, sent, err := r.buildRequest(ctx, st, s)
	if err != nil {
		r.finish(t, wallStart, firstByte)
		t.Error = brink.ErrAssert
		if !errors.Is(err, errForeignHost) && !errors.Is(err, errUnsendable) {
			r.fail(st.vars.redact(err)) // a template that cannot be filled is the flow's fault: stop
		}
		return stepResult{}, 0
	}
	if r.opts.Observe != nil { // a dry run: masking costs a pass over every secret
		ev.URL = st.vars.mask(req.URL.String())
	}
	t.BytesSent = int64(sent)
	var resp *http.Response
	if r.rt != nil && req.URL.User == nil { // userinfo: Client.Do sends it as basic auth
		resp, err = r.rt.RoundTrip(req)
	} else {
		resp, err = r.client.Do(req)
	}
	if err != nil {
		r.finish(t, wallStart, firstByte)
		t.Error = classifyErr(ctx, r.hardCtx, err)
		return stepResult{}, 0
	}
	var doc []byte
	var n int64
	var rerr error
	sse := s.Stream == "sse" && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	if sse {
		var res sseResult
		res, n, rerr = readSSE(resp.Body, func() { firstByte = time.Now() }, s.MaxEventBytes, s.MaxStreamBytes)
		doc = res.lastData
	} else {
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufPool.Put(buf)
		n, rerr = io.Copy(buf, io.LimitReader(resp.Body, maxBody))
		if rerr == nil {
			var m int64
			m, rerr = io.Copy(io.Discard, resp.Body)
			n += m
		}
		doc = buf.Bytes()
	}
	resp.Body.Close()
	r.finish(t, wallStart, firstByte)
	t.Status = int32(resp.StatusCode)
	t.BytesReceived = n
	t.Error, t.Throttled = brink.ClassifyStatus(resp.StatusCode)
	retryAfter := parseRetryAfter(resp.Header.Get("Retry-After"))
	res := stepResult{status: resp.StatusCode}
	if rerr != nil && t.Error == "" {
		t.Error = classifyErr(ctx, r.hardCtx, rerr)
	}
	if t.Error != "" {
		return res, retryAfter
	}
	if s.Check != nil && len(s.Check.Status) > 0 && !slices.Contains(s.Check.Status, resp.StatusCode) {
		t.Error = brink.ErrAssert
		return res, 0
	}
	if s.Extract == nil && s.Check == nil && s.Usage == nil && s.Expires == "" {
		res.ok = true
		return res, 0
	}
	var body any
	if len(doc) > 0 {
		if err := json.Unmarshal(doc, &body); err != nil && (len(s.Extract) > 0 || (s.Check != nil && len(s.Check.Fields) > 0)) {
			t.Error = brink.ErrAssert
			return res, 0
		}
	}
	if s.Check != nil {
		for _, f := range s.Check.Fields {
			if v, ok := s.lookup(body, f); !ok || v == nil {
				t.Error = brink.ErrAssert
				return res, 0
			}
		}
	}
	if s.Usage != nil {
		in, okIn := s.lookupFloat(body, s.Usage.InputTokens)
		out, okOut := s.lookupFloat(body, s.Usage.OutputTokens)
		if okIn || okOut {
			t.HasUsage, t.InputTokens, t.OutputTokens = true, int32(in), int32(out)
		}
		if v, ok := s.lookup(body, s.Usage.Model); ok {
			t.Model, _ = scalarString(v)
		}
	}
	for name, path := range s.Extract {
		var val string
		var ok bool
		if h, isHeader := strings.CutPrefix(path, "header:"); isHeader {
			val = resp.Header.Get(h)
			ok = val != ""
		} else {
			var v any
			if v, ok = s.lookup(body, path); ok {
				val, ok = scalarString(v)
			}
		}
		if !ok {
			t.Error = brink.ErrAssert
			return res, 0
		}
		st.vars.set(name, val, s.secretVar(name))
		if r.opts.Observe != nil {
			if ev.Extracted == nil {
				ev.Extracted = map[string]string{}
			}
			ev.Extracted[name] = st.vars.mask(val)
		}
	}
	if s.Expires != "" {
		if secs, ok := s.lookupFloat(body, s.Expires); ok && secs > 0 {
			res.lifetime = time.Duration(secs * float64(time.Second))
		}
	}
	res.ok = true
	return res, 0
}

// parseRetryAfter reads Retry-After as seconds (an HTTP date is read
// against the wall clock).
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

func (r *Runner) finish(t *brink.Trace, wallStart, firstByte time.Time) {
	end := time.Now()
	t.LatencyMS = r.scenarioMS(end.Sub(wallStart))
	if !firstByte.IsZero() {
		t.TTFBMS = r.scenarioMS(firstByte.Sub(wallStart))
	} else {
		t.TTFBMS = t.LatencyMS
	}
}

func (r *Runner) scenarioMS(wall time.Duration) float64 {
	return float64(wall) / r.opts.Clock.Scale / float64(time.Millisecond)
}

// classifyErr maps a transport error to an error class: the run's own stop
// is canceled, the request's deadline is timeout, the rest is connect.
func classifyErr(reqCtx, runCtx context.Context, err error) string {
	switch {
	case errors.Is(err, errTooLarge):
		return brink.ErrTooLarge
	case runCtx.Err() != nil:
		return brink.ErrCanceled
	case errors.Is(err, context.DeadlineExceeded) || reqCtx.Err() != nil:
		return brink.ErrTimeout
	default:
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			return brink.ErrTimeout
		}
		return brink.ErrConnect
	}
}
