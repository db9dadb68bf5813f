package replay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/valyala/fasthttp"

	"brink"
)

// Max-rate mode: one level, no think time, N connections each sending the
// same request back to back (or paced to a total rate). It answers "how many
// requests per second does this endpoint take", with every request traced
// into the same Sink and run-directory layout as a ramp, so brink analyze
// reads it like a one-level run.
//
// It uses fasthttp rather than net/http: at tens of thousands of requests per
// second on one core, net/http's per-request allocations (Request, context,
// httptrace hooks, header maps) cost more CPU than the whole of fasthttp's
// client path, and the generator, not the target, would become the limit.
// Each connection is its own fasthttp.HostClient with one connection, whose
// net.Conn is wrapped to count wire bytes and to stamp the first response
// byte (ttfb) without allocating.

// BatchSink is a Sink that also takes rows in batches. collect/parquet's
// TraceWriter is one; max-rate mode hands it each worker's rows in batches
// of up to MaxRateOptions.Batch rows, which keeps the hot path free of locks.
type BatchSink interface {
	WriteBatch([]brink.Trace) error
}

// MaxRateOptions configure MaxRate. Zero values take the documented defaults.
type MaxRateOptions struct {
	URL         string            // the full URL every request goes to (required)
	Method      string            // default GET, or POST when Body is set
	Body        []byte            // request body, sent as is
	Headers     map[string]string // extra request headers; Content-Type defaults to application/json when Body is set
	Connections int               // concurrent connections (workers); default 50
	Duration    time.Duration     // wall time to start requests for; default 10 s
	Rate        float64           // total requests per second, spread over the connections; 0: as fast as they go
	Timeout     time.Duration     // per request; default 30 s
	Grace       time.Duration     // after Duration, how long requests in flight may finish before they are cut (recorded canceled); default Timeout
	RunID       string
	Step        string      // step name written in the traces; default "ask" (what brink analyze reports)
	Clock       brink.Clock // default: real time from now
	Sink        Sink        // required; a BatchSink gets batches
	Batch       int         // rows a worker buffers before handing them to the Sink; default 256
	FlushAfter  time.Duration
	// Shard runs connection v when v mod Count == Index, each at its share
	// of Rate: Connections and Rate are the whole attack's. StartAt (wall
	// clock), when set, is the shared start every shard waits for.
	Shard   Shard
	StartAt time.Time
	// FlushAfter bounds how long a row waits in a worker's buffer (wall
	// time, checked as rows arrive); default 1 s.
}

// MaxRateResult is what a max-rate run measured.
type MaxRateResult struct {
	Window   brink.LevelWindow // the single level, scenario time
	Requests int64
	Errors   int64
	ByError  map[string]int64 // error class → requests
	Wall     time.Duration    // from the first request start to the last response
	RPS      float64          // Requests ÷ Wall
	// Approximate (HDR histogram, 3 significant digits) latency over
	// answered requests, scenario ms. brink analyze computes exact ones.
	P50MS, P90MS, P99MS, MaxMS float64
	BytesSent, BytesReceived   int64
}

func (o *MaxRateOptions) setDefaults() error {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("target %q: want an http:// or https:// URL", o.URL)
	}
	if o.Method == "" {
		o.Method = "GET"
		if o.Body != nil {
			o.Method = "POST"
		}
	}
	o.Method = strings.ToUpper(o.Method)
	if o.Connections <= 0 {
		o.Connections = 50
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Rate < 0 {
		return fmt.Errorf("rate %v: must not be negative (0 means as fast as possible)", o.Rate)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Grace <= 0 {
		o.Grace = o.Timeout
	}
	if o.Step == "" {
		o.Step = brink.StepAsk
	}
	if o.Clock.Epoch.IsZero() {
		o.Clock = brink.RealClock(time.Now())
	}
	if err := o.Clock.Validate(); err != nil {
		return err
	}
	if o.Sink == nil {
		return errors.New("no sink for the traces")
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
	if o.FlushAfter <= 0 {
		o.FlushAfter = time.Second
	}
	return nil
}

// MaxRate runs the attack until Duration has passed or ctx ends, waits up to
// Grace for requests in flight, and returns what it measured. Every request
// is one trace row: level 0, phase steady, users = Connections, VU = the
// connection's index, Session 1. With a Rate, Scheduled holds when each
// request was meant to start.
func MaxRate(ctx context.Context, o MaxRateOptions) (MaxRateResult, error) {
	var res MaxRateResult
	if err := o.setDefaults(); err != nil {
		return res, err
	}
	u, _ := url.Parse(o.URL)
	addr := u.Host
	if u.Port() == "" {
		if u.Scheme == "https" {
			addr = net.JoinHostPort(u.Hostname(), "443")
		} else {
			addr = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	m := &maxRun{o: o, hist: hdrhistogram.New(1, 10*60*1e6, 3), byErr: map[string]int64{}, stopCh: make(chan struct{})}
	if bs, ok := o.Sink.(BatchSink); ok {
		m.batch = bs
	}
	var workers []*mrWorker
	for i := range o.Connections {
		if !o.Shard.Owns(int32(i)) {
			continue
		}
		w := &mrWorker{m: m, id: int32(i), rows: make([]brink.Trace, 0, o.Batch)}
		w.hc = &fasthttp.HostClient{
			Addr:     addr,
			IsTLS:    u.Scheme == "https",
			Name:     "brink/" + brink.Version,
			MaxConns: 1,
			// A body past the cap is an error (too_large), never kept whole:
			// four connections to a 100 MB answer must not hold 400 MB.
			MaxResponseBodySize:           maxBody,
			MaxIdemponentCallAttempts:     1, // a failure is recorded, never retried behind our back
			DisableHeaderNamesNormalizing: true,
			DisablePathNormalizing:        true,
			Dial:                          w.dial,
		}
		w.req = fasthttp.AcquireRequest()
		w.resp = fasthttp.AcquireResponse()
		w.req.SetRequestURI(o.URL)
		w.req.Header.SetMethod(o.Method)
		ct := false
		for k, v := range o.Headers {
			w.req.Header.Set(k, v)
			ct = ct || strings.EqualFold(k, "Content-Type")
		}
		if o.Body != nil {
			w.req.SetBodyRaw(o.Body)
			if !ct {
				w.req.Header.SetContentType("application/json")
			}
		}
		workers = append(workers, w)
	}

	if wait := time.Until(o.StartAt); wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	wallStart := time.Now()
	if !o.StartAt.IsZero() && wallStart.Before(o.StartAt.Add(time.Second)) {
		wallStart = o.StartAt // every shard's window is the same
	}
	deadline := wallStart.Add(o.Duration)
	res.Window = brink.LevelWindow{Index: 0, Users: o.Connections, RampStart: o.Clock.Scenario(wallStart), SteadyStart: o.Clock.Scenario(wallStart)}
	m.start = wallStart

	// The workers check one flag per request; this goroutine sets it.
	stopTimer := time.NewTimer(o.Duration)
	stopped := make(chan struct{})
	go func() {
		select {
		case <-stopTimer.C:
		case <-ctx.Done():
		case <-stopped:
		}
		m.halt()
	}()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.Rate > 0 {
				// Each connection's pace and offset follow its global id, so
				// the shards' connections together make the whole rate.
				per := time.Duration(float64(time.Second) * float64(o.Connections) / o.Rate)
				w.paced(wallStart.Add(per*time.Duration(w.id)/time.Duration(o.Connections)), per, deadline)
			} else {
				w.run(deadline)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-m.stopCh: // Duration is up, ctx ended or the sink failed
	}
	// Past the end (or cancelled): give requests in flight Grace, then cut them.
	m.halt()
	grace := time.NewTimer(o.Grace)
	select {
	case <-done:
	case <-grace.C:
		m.hardStop.Store(true)
		for _, w := range workers {
			w.closeConn()
		}
		<-done
	}
	grace.Stop()
	stopTimer.Stop()
	close(stopped)
	end := time.Now()
	stopAt := time.Unix(0, m.stopNano.Load())
	if stopAt.After(deadline) {
		stopAt = deadline
	}
	res.Window.End = o.Clock.Scenario(stopAt)

	var sinkErr error
	for _, w := range workers {
		if err := w.flush(); err != nil && sinkErr == nil {
			sinkErr = err
		}
		res.Requests += w.requests
		res.Errors += w.errors
		res.BytesSent += w.bytesSent
		res.BytesReceived += w.bytesRecv
		if w.lastEnd.After(m.lastEnd) {
			m.lastEnd = w.lastEnd
		}
		w.hc.CloseIdleConnections()
		fasthttp.ReleaseRequest(w.req)
		fasthttp.ReleaseResponse(w.resp)
	}
	if p := m.sinkErr.Load(); p != nil && sinkErr == nil {
		sinkErr = *p
	}
	res.Wall = m.lastEnd.Sub(wallStart)
	if res.Wall <= 0 {
		res.Wall = end.Sub(wallStart)
	}
	if res.Wall > 0 {
		res.RPS = float64(res.Requests) / res.Wall.Seconds()
	}
	m.mu.Lock()
	res.ByError = m.byErr
	if m.hist.TotalCount() > 0 {
		res.P50MS = float64(m.hist.ValueAtQuantile(50)) / 1000
		res.P90MS = float64(m.hist.ValueAtQuantile(90)) / 1000
		res.P99MS = float64(m.hist.ValueAtQuantile(99)) / 1000
		res.MaxMS = float64(m.hist.Max()) / 1000
	}
	m.mu.Unlock()
	if sinkErr != nil {
		return res, fmt.Errorf("record traces: %w", sinkErr)
	}
	return res, nil
}

// maxRun is the state the workers share: touched once per batch, not per request.
type maxRun struct {
	o        MaxRateOptions
	batch    BatchSink
	start    time.Time
	lastEnd  time.Time
	stop     atomic.Bool   // checked once per request
	stopCh   chan struct{} // closed with stop, for waiting workers
	stopOnce sync.Once
	hardStop atomic.Bool
	stopNano atomic.Int64 // wall time the run stopped starting requests (UnixNano)
	sinkErr  atomic.Pointer[error]
	done     atomic.Int64 // requests handed to the sink so far (live progress)

	mu    sync.Mutex // guards hist and byErr
	hist  *hdrhistogram.Histogram
	byErr map[string]int64
}

// halt stops new requests; the first call fixes the end of the window.
func (m *maxRun) halt() {
	m.stopOnce.Do(func() {
		m.stopNano.CompareAndSwap(0, time.Now().UnixNano())
		m.stop.Store(true)
		close(m.stopCh)
	})
}

// mrWorker is one connection and its request loop. Everything in it is
// touched by its own goroutine only, except conn (closed on a hard stop).
type mrWorker struct {
	m    *maxRun
	id   int32
	hc   *fasthttp.HostClient
	req  *fasthttp.Request
	resp *fasthttp.Response

	connMu sync.Mutex
	conn   *meteredConn

	// per request, written by meteredConn from this worker's goroutine
	sent, recv int64
	firstByte  time.Time
	waitFirst  bool

	rows       []brink.Trace
	oldest     time.Time // wall start of rows[0]
	requests   int64
	errors     int64
	bytesSent  int64
	bytesRecv  int64
	lastEnd    time.Time
	latencies  []int64 // µs of answered requests in rows, for the shared histogram
	errClasses []string
}

func (w *mrWorker) run(deadline time.Time) {
	for !w.m.stop.Load() {
		t0 := time.Now()
		if !t0.Before(deadline) {
			return
		}
		w.one(t0, time.Time{})
	}
}

// paced sends one request every per (this worker's share of the rate),
// starting at first. A late request goes at once; its scheduled time keeps
// the delay visible (start − scheduled).
func (w *mrWorker) paced(first time.Time, per time.Duration, deadline time.Time) {
	next := first
	for !w.m.stop.Load() && next.Before(deadline) {
		if d := time.Until(next); d > 0 {
			if d > w.m.o.FlushAfter {
				w.flushOrStop()
			}
			tm := time.NewTimer(d)
			select {
			case <-tm.C:
			case <-w.m.stopCh:
				tm.Stop()
				return
			}
		}
		w.one(time.Now(), next)
		next = next.Add(per)
	}
}

// one sends one request that starts at t0 and records its row.
func (w *mrWorker) one(t0, scheduled time.Time) {
	o := &w.m.o
	w.sent, w.recv, w.firstByte, w.waitFirst = 0, 0, time.Time{}, true
	err := w.hc.DoTimeout(w.req, w.resp, o.Timeout)
	end := time.Now()
	w.waitFirst = false
	w.lastEnd = end
	scale := o.Clock.Scale
	row := brink.Trace{
		RunID: o.RunID, VU: w.id, Session: 1, Step: o.Step, Level: 0, Users: int32(o.Connections),
		Phase: brink.PhaseSteady, Start: o.Clock.Scenario(t0),
		LatencyMS: float64(end.Sub(t0)) / scale / 1e6,
		BytesSent: w.sent, BytesReceived: w.recv,
	}
	if !scheduled.IsZero() {
		row.Scheduled = o.Clock.Scenario(scheduled)
	}
	row.TTFBMS = row.LatencyMS
	if !w.firstByte.IsZero() {
		row.TTFBMS = float64(w.firstByte.Sub(t0)) / scale / 1e6
	}
	if err != nil {
		row.Error = w.classify(err)
		if row.Error == brink.ErrTimeout || row.Error == brink.ErrCanceled || row.Error == brink.ErrTooLarge {
			// fasthttp keeps no half-read connection; make sure the next request dials afresh.
			w.hc.CloseIdleConnections()
		}
	} else {
		row.Status = int32(w.resp.StatusCode())
		row.Error, row.Throttled = brink.ClassifyStatus(w.resp.StatusCode())
	}
	w.requests++
	w.bytesSent += w.sent
	w.bytesRecv += w.recv
	if row.Error != "" {
		w.errors++
		w.errClasses = append(w.errClasses, row.Error)
	} else {
		w.latencies = append(w.latencies, int64(row.LatencyMS*1000+0.5))
	}
	if len(w.rows) == 0 {
		w.oldest = t0
	}
	w.rows = append(w.rows, row)
	if len(w.rows) >= o.Batch || end.Sub(w.oldest) >= o.FlushAfter {
		w.flushOrStop()
	}
}

// flushOrStop flushes; a sink error stops the run.
func (w *mrWorker) flushOrStop() {
	if err := w.flush(); err != nil {
		if w.m.sinkErr.CompareAndSwap(nil, &err) {
			w.m.halt()
		}
	}
}

func (w *mrWorker) classify(err error) string {
	switch {
	case w.m.hardStop.Load():
		return brink.ErrCanceled
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout):
		return brink.ErrTimeout
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return brink.ErrTooLarge
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return brink.ErrTimeout
	}
	return brink.ErrConnect
}

// flush hands the buffered rows to the sink and the shared tallies. The
// buffer is reused: a BatchSink copies the rows.
func (w *mrWorker) flush() error {
	if len(w.rows) == 0 {
		return nil
	}
	m := w.m
	m.mu.Lock()
	for _, v := range w.latencies {
		m.hist.RecordValue(v)
	}
	for _, c := range w.errClasses {
		m.byErr[c]++
	}
	m.mu.Unlock()
	w.latencies, w.errClasses = w.latencies[:0], w.errClasses[:0]
	var err error
	if m.batch != nil {
		err = m.batch.WriteBatch(w.rows)
	} else {
		for i := range w.rows {
			if e := m.o.Sink.Write(w.rows[i]); e != nil && err == nil {
				err = e
			}
		}
	}
	m.done.Add(int64(len(w.rows)))
	clear(w.rows) // drop string references for the GC
	w.rows = w.rows[:0]
	return err
}

func (w *mrWorker) dial(addr string) (net.Conn, error) {
	c, err := (&net.Dialer{Timeout: min(w.m.o.Timeout, 10*time.Second)}).Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	mc := &meteredConn{Conn: c, w: w}
	w.connMu.Lock()
	w.conn = mc
	hard := w.m.hardStop.Load()
	w.connMu.Unlock()
	if hard {
		c.Close()
	}
	return mc, nil
}

func (w *mrWorker) closeConn() {
	w.connMu.Lock()
	if w.conn != nil {
		w.conn.Close()
	}
	w.connMu.Unlock()
}

// meteredConn counts the bytes that cross the wire for the worker's request
// in flight and stamps the first response byte. fasthttp reads and writes a
// client connection from the goroutine that called Do, so the worker's
// fields need no lock.
type meteredConn struct {
	net.Conn
	w *mrWorker
}

func (c *meteredConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.w.sent += int64(n)
	return n, err
}

func (c *meteredConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		if c.w.waitFirst && c.w.firstByte.IsZero() {
			c.w.firstByte = time.Now()
		}
		c.w.recv += int64(n)
	}
	return n, err
}
