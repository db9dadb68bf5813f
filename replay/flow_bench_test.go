package replay_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/replay"
)

// sessionTarget answers examples/bench-session/flow.yaml's three requests at
// once, as ../shared/bench/target does.
func sessionTarget() (*httptest.Server, *atomic.Int64) {
	var served atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/login", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Write([]byte(`{"token":"tok-123"}`))
	})
	mux.HandleFunc("POST /chat/sessions", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Write([]byte(`{"session_id":"s-42"}`))
	})
	mux.HandleFunc("POST /chat/sessions/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		json.NewEncoder(w).Encode(map[string]any{"answer": "Paris.", "usage": map[string]int{"input_tokens": 12, "output_tokens": 3}})
	})
	return httptest.NewServer(mux), &served
}

// BenchmarkSessionFlow: the session flow of examples/bench-session (log in
// once, new chat, ask; no think) with 50 users for 2 s against an in-process
// target, every request traced to Parquet. It reports what brink spends per
// request: heap allocations and bytes (the generator's CPU goes to the
// syscalls, to allocating and to collecting; only the last two are brink's
// to cut), and requests/s (client and target share the 2 cores).
func BenchmarkSessionFlow(b *testing.B) {
	flow, err := replay.LoadFlow(filepath.Join("..", "examples", "bench-session", "flow.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	srv, served := sessionTarget()
	defer srv.Close()
	for range b.N {
		dir := b.TempDir()
		tw, err := parquet.NewTraceWriter(filepath.Join(dir, "traces"), parquet.TraceOptions{RunID: "flow"})
		if err != nil {
			b.Fatal(err)
		}
		r, err := replay.New(replay.Options{
			Target: srv.URL, RunID: "flow", Seed: 1, Sink: tw, Flow: flow, StopRules: []brink.StopRule{},
			Plan: brink.Plan{Model: "closed", StartUsers: 50, MaxUsers: 50, Ramp: brink.Duration(time.Millisecond), Hold: brink.Duration(2 * time.Second)},
		})
		if err != nil {
			b.Fatal(err)
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		start := served.Load()
		res, err := r.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if err := tw.Close(); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		n := res.Requests
		if got := served.Load() - start; n == 0 || got < n-50 || got > n {
			b.Fatalf("brink counted %d requests, the target served %d", n, got)
		}
		if e := r.Snapshot().Errors; e != 0 {
			b.Fatalf("%d errors", e)
		}
		b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(n), "allocs/req")
		b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(n), "B/req")
		b.ReportMetric(float64(m1.NumGC-m0.NumGC), "GCs")
		b.ReportMetric(float64(n)/res.Ended.Sub(res.Started).Seconds(), "req/s")
	}
}
