package record

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"brink"
	"brink/collect/parquet"
	"brink/replay"
)

// BenchmarkMaxRateSelfMeasurement is replay's BenchmarkMaxRate (max rate
// against a minimal fasthttp target in the process, 50 connections, every
// request to Parquet) run in pairs without and with the generator's
// self-measurement (measureSelf's meter, one sample a second, as brink
// attack runs it), the order alternating so that a busy machine's drift
// falls on both. It reports the median req/s of each and their ratio; the
// self-measurement may cost at most 2% (issue 17): the ratio's noise on a
// shared machine is larger than that, so BenchmarkSelfSample's share of a
// core is the precise figure beside it.
func BenchmarkMaxRateSelfMeasurement(b *testing.B) {
	if testing.Short() {
		b.Skip("max-rate benchmark: skipped with -short")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var served atomic.Int64
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		served.Add(1)
		ctx.SetContentType("text/plain")
		ctx.SetBodyString("ok")
	}}
	go srv.Serve(ln)
	defer srv.Shutdown()
	run := func(self bool) float64 {
		tw, err := parquet.NewTraceWriter(filepath.Join(b.TempDir(), "traces"), parquet.TraceOptions{RunID: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		var m *selfMeter
		if self {
			if m, err = startSelfMeter(filepath.Join(b.TempDir(), "self.jsonl"), brink.RealClock(time.Now()),
				func() (int64, int64, float64) { return 0, 0, 0 }, nil); err != nil {
				b.Fatal(err)
			}
		}
		served.Store(0)
		res, err := replay.MaxRate(context.Background(), replay.MaxRateOptions{
			URL: "http://" + ln.Addr().String() + "/health", Connections: 50, Duration: 3 * time.Second, RunID: "bench", Sink: tw})
		if m != nil {
			if err := m.Stop(); err != nil {
				b.Fatal(err)
			}
			if n := len(m.samples); n < 3 {
				b.Fatalf("%d self samples in a 3 s run: the meter did not run", n)
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := tw.Close(); err != nil {
			b.Fatal(err)
		}
		if tw.Rows() != res.Requests || served.Load() != res.Requests || res.Errors != 0 {
			b.Fatalf("rows %d, served %d, requests %d, errors %d", tw.Rows(), served.Load(), res.Requests, res.Errors)
		}
		return res.RPS
	}
	pairs := 3
	if n, err := strconv.Atoi(os.Getenv("BRINK_BENCH_PAIRS")); err == nil && n > 0 {
		pairs = n // more pairs for a steadier median
	}
	var off, on []float64
	for b.Loop() {
		off, on = off[:0], on[:0]
		for i := range pairs {
			if i%2 == 0 {
				off, on = append(off, run(false)), append(on, run(true))
			} else {
				on, off = append(on, run(true)), append(off, run(false))
			}
		}
	}
	mOff, mOn := median(off), median(on)
	b.ReportMetric(mOff, "req/s_without")
	b.ReportMetric(mOn, "req/s_with")
	b.ReportMetric(mOn/mOff, "ratio")
	b.Logf("max rate without self-measurement %.0f req/s %v, with %.0f req/s %v: ratio %.3f (cost %.1f%%)",
		mOff, rounded(off), mOn, rounded(on), mOn/mOff, 100*(1-mOn/mOff))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func rounded(xs []float64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x + 0.5)
	}
	return out
}
