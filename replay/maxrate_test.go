package replay

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"brink"
)

// rowSink collects rows; batched says whether it takes WriteBatch.
type rowSink struct {
	mu      sync.Mutex
	rows    []brink.Trace
	batches int
}

func (s *rowSink) Write(t brink.Trace) error {
	s.mu.Lock()
	s.rows = append(s.rows, t)
	s.mu.Unlock()
	return nil
}

type batchSink struct{ rowSink }

func (s *batchSink) WriteBatch(rows []brink.Trace) error {
	s.mu.Lock()
	s.rows = append(s.rows, rows...)
	s.batches++
	s.mu.Unlock()
	return nil
}

func TestMaxRate(t *testing.T) {
	var served atomic.Int64
	var gotBody atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Test") != "1" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		gotBody.Store(string(b))
		n := served.Add(1)
		switch {
		case n%10 == 0:
			w.WriteHeader(http.StatusTooManyRequests)
		case n%10 == 5:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte(`{"answer":"ok"}`))
		}
	}))
	defer srv.Close()

	for _, tc := range []struct {
		name string
		sink interface {
			Sink
			all() []brink.Trace
		}
	}{
		{"batch", &batchSinkView{}},
		{"rows", &rowSinkView{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			served.Store(0)
			res, err := MaxRate(context.Background(), MaxRateOptions{
				URL: srv.URL + "/chat/sessions/x/messages", Body: []byte(`{"content":"hi"}`),
				Headers: map[string]string{"X-Test": "1"}, Connections: 4, Duration: 300 * time.Millisecond,
				RunID: "r1", Sink: tc.sink, Batch: 16,
			})
			if err != nil {
				t.Fatal(err)
			}
			rows := tc.sink.all()
			if res.Requests == 0 || int64(len(rows)) != res.Requests || served.Load() != res.Requests {
				t.Fatalf("requests %d, rows %d, served %d: want all equal and > 0", res.Requests, len(rows), served.Load())
			}
			if got := gotBody.Load(); got != `{"content":"hi"}` {
				t.Errorf("body arrived as %q", got)
			}
			var errs, thr int64
			for _, r := range rows {
				if r.RunID != "r1" || r.Step != brink.StepAsk || r.Phase != brink.PhaseSteady || r.Level != 0 || r.Users != 4 || r.Session != 1 {
					t.Fatalf("row tags: %+v", r)
				}
				if r.VU < 0 || r.VU >= 4 {
					t.Fatalf("vu %d out of 0..3", r.VU)
				}
				if r.Start.Before(res.Window.SteadyStart) || !r.Start.Before(res.Window.End) {
					t.Fatalf("start %v outside the window %v..%v", r.Start, res.Window.SteadyStart, res.Window.End)
				}
				if !(r.LatencyMS > 0) || r.TTFBMS > r.LatencyMS || !(r.TTFBMS > 0) {
					t.Fatalf("latency %v ttfb %v", r.LatencyMS, r.TTFBMS)
				}
				// The request line, headers and the 16-byte body crossed the wire.
				if r.BytesSent < 16+60 || r.BytesReceived < 60 {
					t.Fatalf("bytes sent %d received %d", r.BytesSent, r.BytesReceived)
				}
				if r.Error != "" {
					errs++
				}
				if r.Throttled {
					thr++
				}
				switch r.Status {
				case 200:
					if r.Error != "" {
						t.Fatalf("200 with error %q", r.Error)
					}
				case 429:
					if r.Error != brink.ErrHTTP429 || !r.Throttled {
						t.Fatalf("429 recorded as %q throttled=%v", r.Error, r.Throttled)
					}
				case 503:
					if r.Error != brink.ErrHTTP5xx {
						t.Fatalf("503 recorded as %q", r.Error)
					}
				default:
					t.Fatalf("status %d", r.Status)
				}
			}
			if errs != res.Errors || errs != res.ByError[brink.ErrHTTP429]+res.ByError[brink.ErrHTTP5xx] || thr != res.ByError[brink.ErrHTTP429] {
				t.Errorf("errors %d (result %d, by class %v), throttled %d", errs, res.Errors, res.ByError, thr)
			}
			if want := res.Requests / 5; errs < want-2 || errs > want+2 {
				t.Errorf("%d errors in %d requests, want about %d (every 5th)", errs, res.Requests, want)
			}
			if !(res.P50MS > 0) || res.P99MS < res.P50MS || res.RPS <= 0 {
				t.Errorf("p50 %v p99 %v rps %v", res.P50MS, res.P99MS, res.RPS)
			}
		})
	}
}

type batchSinkView struct{ batchSink }

func (s *batchSinkView) all() []brink.Trace { return s.rows }

type rowSinkView struct{ rowSink }

func (s *rowSinkView) all() []brink.Trace { return s.rows }

// A rate spreads requests over the connections and records when each was
// meant to start.
func TestMaxRatePaced(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	sink := &batchSink{}
	res, err := MaxRate(context.Background(), MaxRateOptions{
		URL: srv.URL + "/health", Connections: 4, Duration: time.Second, Rate: 200, Sink: sink,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 170 || res.Requests > 204 {
		t.Errorf("%d requests at 200/s for 1 s, want about 200", res.Requests)
	}
	for _, r := range sink.rows {
		if r.Scheduled.IsZero() || r.Start.Before(r.Scheduled) {
			t.Fatalf("scheduled %v start %v", r.Scheduled, r.Start)
		}
		if lag := r.Start.Sub(r.Scheduled); lag > 50*time.Millisecond {
			t.Errorf("request started %v after its schedule at a low rate", lag)
		}
	}
}

// A target that never answers: cancelling stops the run within the grace,
// and the requests cut are recorded as canceled.
func TestMaxRateHangingTargetCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	sink := &batchSink{}
	t0 := time.Now()
	res, err := MaxRate(ctx, MaxRateOptions{
		URL: srv.URL, Connections: 3, Duration: time.Minute, Timeout: time.Minute, Grace: 200 * time.Millisecond, Sink: sink,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Fatalf("took %v after cancel + 200 ms grace", d)
	}
	if res.Requests != 3 || len(sink.rows) != 3 {
		t.Fatalf("requests %d rows %d, want 3 (one per connection)", res.Requests, len(sink.rows))
	}
	for _, r := range sink.rows {
		if r.Error != brink.ErrCanceled || r.Status != 0 {
			t.Errorf("hung request recorded as status %d error %q, want canceled", r.Status, r.Error)
		}
	}
}

// Timeouts and refused connections are classified, never hang.
func TestMaxRateTimeoutAndRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	}))
	defer srv.Close()
	sink := &batchSink{}
	res, err := MaxRate(context.Background(), MaxRateOptions{
		URL: srv.URL, Connections: 2, Duration: 250 * time.Millisecond, Timeout: 50 * time.Millisecond, Sink: sink,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.ByError[brink.ErrTimeout] != res.Requests {
		t.Errorf("by error %v of %d requests, want all timeout", res.ByError, res.Requests)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	sink = &batchSink{}
	res, err = MaxRate(context.Background(), MaxRateOptions{URL: url, Connections: 2, Duration: 100 * time.Millisecond, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.ByError[brink.ErrConnect] != res.Requests {
		t.Errorf("by error %v of %d requests, want all connect", res.ByError, res.Requests)
	}
}

func TestMaxRateOptions(t *testing.T) {
	for _, o := range []MaxRateOptions{
		{URL: "127.0.0.1:80", Sink: &batchSink{}},
		{URL: "ftp://x/", Sink: &batchSink{}},
		{URL: "http://127.0.0.1:1/"},
		{URL: "http://127.0.0.1:1/", Rate: -1, Sink: &batchSink{}},
	} {
		if _, err := MaxRate(context.Background(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// A 100 MB answer is not kept whole: each request ends too_large at the
// 1 MiB cap.
func TestMaxRateCapsBody(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(100<<20))
		for range 100 {
			if _, err := io.WriteString(w, big); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	sink := &memSink{}
	res, err := MaxRate(context.Background(), MaxRateOptions{URL: srv.URL, Connections: 4, Duration: 300 * time.Millisecond, Timeout: 5 * time.Second, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.ByError[brink.ErrTooLarge] != res.Requests {
		t.Fatalf("%d requests, by error %v: want every one too_large", res.Requests, res.ByError)
	}
}
