package sim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// A sim stalled by its pause hook in one turn answers that turn late by at
// least the stall, and serves the lateness and the modelled service time
// under Brink/Sim at 1-second resolution although its AWS/* metrics are
// standard resolution (the default model).
func TestLatenessServed(t *testing.T) {
	const scale = 0.01 // a scenario second in 10 wall ms
	s, err := New(DefaultConfig(), scale)
	if err != nil {
		t.Fatal(err)
	}
	var turns atomic.Int64
	s.SetPause(func(time.Time) {})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	cl := &client{t: t, base: srv.URL, http: &http.Client{Timeout: 10 * time.Second}}
	tok := cl.login("u1")
	chat := cl.newChat(tok)
	stall := 60 * time.Millisecond // wall: 6 s of scenario time
	var served []float64
	for i := range 3 {
		// The hook is read per invocation: the second turn stalls.
		if i == 1 {
			s.SetPause(func(time.Time) { turns.Add(1); time.Sleep(stall) })
		} else {
			s.SetPause(nil)
		}
		r, _ := cl.ask(tok, chat, "what is the capital of France?")
		if r.status != 200 {
			t.Fatalf("turn %d: %d %s", i, r.status, r.body)
		}
		served = append(served, float64(r.service)/float64(time.Millisecond))
	}
	if turns.Load() != 1 {
		t.Fatalf("the pause ran %d times", turns.Load())
	}
	c := &cwSim{s: s, srv: srv}
	start, end := c.window()
	out, err := c.client(func(*cloudwatch.Options) {}).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(end),
		MetricDataQueries: []types.MetricDataQuery{
			query("late", NSBrinkSim, MetricLateness, "Maximum", 1),
			query("n", NSBrinkSim, MetricLateness, "SampleCount", 1),
			query("svc", NSBrinkSim, MetricServiceTime, "Sum", 1),
			query("p99", NSBrinkSim, MetricLateness, "p99", 1),
		}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{}
	for _, r := range out.MetricDataResults {
		got[aws.ToString(r.Id)] = r.Values
	}
	if n := sum(got["n"]); n != 3 {
		t.Fatalf("%v lateness samples over %d datapoints, want 3 (one per turn, at 1-second resolution)", n, len(got["n"]))
	}
	// The stall is the lateness of one turn, less what the turn's modelled
	// waits after it absorbed (the sim sleeps until modelled instants, so
	// it catches up where it can), give or take the wall slack of its
	// timers (at most a few ms, each ×100 here).
	want := float64(stall)/float64(time.Millisecond)/scale - served[1]
	if late := slices.Max(got["late"]); late < want || late > want+2000 {
		t.Errorf("largest lateness %.0f ms, want the %.0f ms stall less the turn's %.0f ms", late, want+served[1], served[1])
	}
	if p99 := slices.Max(got["p99"]); p99 < want*0.98 {
		t.Errorf("p99 lateness %.0f ms, want about %.0f ms", p99, want)
	}
	if svc, hdr := sum(got["svc"]), sum(served); svc < hdr-0.01 || svc > hdr+0.01 {
		t.Errorf("modelled service time %.3f ms served, the answers' headers say %.3f ms", svc, hdr)
	}
}
