package replay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"brink"
)

// oneStep is a flow of a single repeated step against a path.
func oneStep(t *testing.T, path string, extract bool) *Flow {
	t.Helper()
	y := "timeout: 30s\nsteps:\n  - name: ask\n    turns: 3\n    think: {dist: constant, value: 0s}\n    path: " + path + "\n"
	if extract {
		y += "    extract: {x: $.x}\n"
	}
	f, err := ParseFlow("hostile.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runHostile runs one user through one session (3 requests) at time scale
// 0.01, so the 30 s request timeout is 0.3 s of wall time.
func runHostile(t *testing.T, url string, flow *Flow) ([]brink.Trace, time.Duration) {
	t.Helper()
	sink := &memSink{}
	r, err := New(Options{Target: url, Flow: flow, Sink: sink, OneSession: true, StopRules: []brink.StopRule{},
		Clock: brink.Clock{Epoch: time.Now(), Scale: 0.01}, Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sink.rows, time.Since(start)
}

func TestHostileTargets(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	for _, c := range []struct {
		name    string
		handler http.HandlerFunc
		extract bool
		want    string // error class of every request
		bytes   int64  // bytes received per request, -1: any
	}{
		{"never answers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}, false, brink.ErrTimeout, 0},
		{"answers byte by byte", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			for range 1000 {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				time.Sleep(5 * time.Millisecond)
			}
		}, false, brink.ErrTimeout, -1},
		{"closes mid-body", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, _ := w.(http.Hijacker).Hijack()
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"x\":")
			buf.Flush()
			conn.Close()
		}, false, brink.ErrConnect, -1},
		{"invalid JSON", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<html>not json")
		}, true, brink.ErrAssert, 14},
		{"10 MB body", func(w http.ResponseWriter, r *http.Request) {
			chunk := strings.Repeat("y", 1<<20)
			for range 10 {
				fmt.Fprint(w, chunk)
			}
		}, false, "", 10 << 20},
		{"garbage status line", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, _ := w.(http.Hijacker).Hijack()
			buf.WriteString("SMTP READY\r\n\r\n")
			buf.Flush()
			conn.Close()
		}, false, brink.ErrConnect, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			rows, took := runHostile(t, srv.URL, oneStep(t, "/x", c.extract))
			if len(rows) != 3 {
				t.Fatalf("%d rows, want 3", len(rows))
			}
			for _, tr := range rows {
				if tr.Error != c.want || (c.bytes >= 0 && tr.BytesReceived != c.bytes) {
					t.Fatalf("row %+v: want error %q, %d bytes", tr, c.want, c.bytes)
				}
			}
			// Three requests, each bounded by the 0.3 s timeout.
			if took > 3*time.Second {
				t.Fatalf("took %v: the generator waited past its timeouts", took)
			}
		})
	}
}

func TestRefusedAndDeadTargets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	rows, took := runHostile(t, "http://"+addr, oneStep(t, "/x", false))
	for _, tr := range rows {
		if tr.Error != brink.ErrConnect || tr.Status != 0 {
			t.Fatalf("refused: %+v", tr)
		}
	}
	if took > 3*time.Second {
		t.Fatalf("took %v", took)
	}
	// A listener that accepts and never reads: a timeout, not a hang.
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { bufio.NewReader(c).ReadByte(); time.Sleep(5 * time.Second); c.Close() }()
		}
	}()
	rows, took = runHostile(t, "http://"+ln.Addr().String(), oneStep(t, "/x", false))
	for _, tr := range rows {
		if tr.Error != brink.ErrTimeout {
			t.Fatalf("silent listener: %+v", tr)
		}
	}
	if took > 3*time.Second {
		t.Fatalf("took %v", took)
	}
}

// A redirect to another host is an answer, never followed: only the named
// host receives traffic.
func TestRedirectsAreNotFollowed(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the generator followed a redirect to another host")
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}))
	defer srv.Close()
	rows, _ := runHostile(t, srv.URL, oneStep(t, "/x", false))
	for _, tr := range rows {
		if tr.Status != http.StatusFound {
			t.Fatalf("row %+v: want the 302 recorded", tr)
		}
	}
	// A flow whose url names another host is refused before the run, with
	// the line of the url.
	f, err := ParseFlow("f.yaml", []byte("steps:\n  - name: ask\n    url: "+other.URL+"/x\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Options{Target: srv.URL, Flow: f, Sink: &memSink{}})
	if err == nil || !strings.Contains(err.Error(), "flow f.yaml:3:10: step \"ask\" names host "+strings.TrimPrefix(other.URL, "http://")+", not the target's") {
		t.Fatalf("New: %v", err)
	}
	// A host known only when the request is made is checked then: each
	// such request is refused without sending.
	t.Setenv("BRINK_TEST_OTHER", other.URL)
	f, err = ParseFlow("f.yaml", []byte("steps:\n  - name: ask\n    url: ${env:BRINK_TEST_OTHER}/x\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = runHostile(t, srv.URL, f)
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, tr := range rows {
		if tr.Error != brink.ErrAssert || tr.Status != 0 {
			t.Fatalf("foreign host row %+v", tr)
		}
	}
}

// A flow's url: steps name one host at most, and a full URL: brink
// validate refuses the others with the line, before any target is known.
func TestFlowHosts(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"steps:\n  - name: a\n    url: http://api.example.com/x\n  - name: b\n    url: https://other.example.com/y\n",
			`flow f.yaml:5:10: step "b" names host other.example.com but step "a" names api.example.com`},
		{"steps:\n  - name: a\n    url: api.example.com/x\n", `flow f.yaml:3:10: url "api.example.com/x": want a full http:// or https:// URL`},
	} {
		if _, err := ParseFlow("f.yaml", []byte(c.yaml)); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
	f, err := ParseFlow("f.yaml", []byte("steps:\n  - name: a\n    url: http://user@API.example.com:8080/x?q=1\n    extract: {x: $.x}\n  - name: b\n    url: http://api.example.com:8080/${x}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckTarget("http://api.example.com:8080"); err != nil {
		t.Errorf("same host refused: %v", err)
	}
	if err := f.CheckTarget("http://api.example.com:9090"); err == nil || !strings.Contains(err.Error(), "f.yaml:3:10") {
		t.Errorf("another port: %v", err)
	}
}

func TestMaxRPS(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))
	defer srv.Close()
	sink := &memSink{}
	f := oneStep(t, "/x", false)
	r, err := New(Options{Target: srv.URL, Flow: f, Sink: sink, StopRules: []brink.StopRule{}, MaxRPS: 50,
		Think: &Think{Dist: "constant", Value: 0}, Clock: brink.Clock{Epoch: time.Now(), Scale: 1},
		Plan: brink.Plan{StartUsers: 10, MaxUsers: 10, Hold: brink.Duration(time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// 1 s at 50 requests/s (plus the limiter's burst of 5): about 55, not
	// the thousands 10 users without think time would send.
	if n := len(sink.rows); n < 40 || n > 70 {
		t.Fatalf("%d requests in 1 s at --max-rps 50", n)
	}
}

// A server-sent event that never ends (data lines without a blank line)
// is not kept whole: past the event cap the data is counted, not kept, and
// past the stream cap the request ends as too_large, long before its
// timeout (the caps set small here: 64 KiB an event, 1 MiB a stream).
func TestEndlessEventIsCapped(t *testing.T) {
	line := "data: " + strings.Repeat("x", 1000) + "\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for range 100_000 { // 100 MB if read whole
			if _, err := io.WriteString(w, line); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	y := "timeout: 600s\nsteps:\n  - name: ask\n    turns: 1\n    path: /s\n    stream: sse\n    max_event_bytes: 65536\n    max_stream_bytes: 1048576\n"
	flow, err := ParseFlow("sse.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	rows, took := runHostile(t, srv.URL, flow)
	if len(rows) == 0 {
		t.Fatal("no request recorded")
	}
	for _, tr := range rows {
		if tr.Error != brink.ErrTooLarge || tr.BytesReceived < 1<<20 || tr.BytesReceived > 1<<20+int64(len(line)) {
			t.Fatalf("row %+v: want too_large after 1 MiB", tr)
		}
	}
	if took > 5*time.Second { // the 600 s timeout is 6 s of wall time at this scale
		t.Errorf("the capped stream took %v", took)
	}
	// And an event over its cap in a stream that ends is too_large too.
	if _, _, err := readSSE(strings.NewReader("data: "+strings.Repeat("y", 100)+"\n\n"), nil, 10, 0); !errors.Is(err, errTooLarge) {
		t.Errorf("an event over its cap: %v", err)
	}
}

// A session id with a control character (an answer the target sent) is
// that request's error, recorded in its row; the run goes on.
func TestControlCharacterInAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/new" {
			io.WriteString(w, `{"session_id": "s\u0007x"}`)
			return
		}
		io.WriteString(w, `{"ok": true}`)
	}))
	defer srv.Close()
	y := "timeout: 30s\nsteps:\n  - name: new_chat\n    path: /new\n    extract: {sid: $.session_id}\n  - name: ask\n    turns: 2\n    think: {dist: constant, value: 0s}\n    path: /chat/${sid}/messages\n"
	flow, err := ParseFlow("ctl.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := runHostile(t, srv.URL, flow)
	var asks int
	for _, tr := range rows {
		if tr.Step == "ask" {
			asks++
			if tr.Error != brink.ErrAssert {
				t.Errorf("ask row %+v: want error assert", tr)
			}
		}
	}
	if asks != 2 {
		t.Fatalf("%d ask rows, want 2 (the run went on)", asks)
	}
}

// A target that never answers, with holds shorter than the request
// timeout: every request outlives its hold. The hold's verdict waits for
// them (bounded by the timeout) and the error rule breaks at 100%.
func TestNoAnswerBreaksErrorRule(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	sink := &memSink{}
	r, err := New(Options{Target: srv.URL, Flow: oneStep(t, "/x", false), Sink: sink,
		StopRules: []brink.StopRule{{Metric: brink.RuleErrorRate, Threshold: 0.01}},
		Clock:     brink.Clock{Epoch: time.Now(), Scale: 0.01},
		Plan:      brink.Plan{StartUsers: 2, MaxUsers: 4, StepUsers: 2, Hold: brink.Duration(5 * time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != brink.StatusStopped || res.Edge == nil || res.Edge.Window.Index != 0 {
		t.Fatalf("status %s, edge %+v: want stopped at level 0", res.Status, res.Edge)
	}
	// However late a busy machine starts the users' first requests (in the
	// 50 ms hold, or after it), the hold answered nothing.
	if !strings.Contains(res.StopReason, "(was 100.00%): no request of the hold was answered (") {
		t.Errorf("stop reason %q", res.StopReason)
	}
	// Each request ended as a timeout, counted in the level it started in
	// (the next level's users started while the verdict waited).
	for _, row := range sink.rows {
		if row.Error != brink.ErrTimeout {
			t.Errorf("row %+v: want a timeout", row)
		}
	}
	if len(sink.rows) < 2 {
		t.Errorf("%d requests, want at least the 2 users' first", len(sink.rows))
	}
}

// The all-steps error rule over holds that saw nothing or whose requests
// are still unanswered at the timeout: where users were due to send, 100%
// (it read as a level without errors); where none were (an open model's
// quiet hold, a shard that owns no user of the level), nothing to judge.
func TestEmptyHoldVerdict(t *testing.T) {
	rules := []brink.StopRule{{Metric: brink.RuleErrorRate, Threshold: 0.01}, {Metric: brink.RuleErrorRate, Threshold: 0.01, Step: "ask"}}
	w := newWindow()
	got := w.evaluate(rules, 0, true)
	if !got[0].OK || got[0].Value != 1 || !got[0].Breached || got[1].OK {
		t.Errorf("manned empty hold: %+v", got)
	}
	if got := w.evaluate(rules, 0, false); got[0].OK || got[0].Breached {
		t.Errorf("unmanned empty hold: %+v", got[0])
	}
	if got := w.evaluate(rules, 3, false); got[0].Value != 1 || !got[0].Breached {
		t.Errorf("all pending: %+v", got[0])
	}
	w.record(&brink.Trace{Step: "ask", LatencyMS: 10})
	w.record(&brink.Trace{Step: "ask", Error: brink.ErrHTTP5xx})
	// 1 answered, 1 failed, 2 pending: 3 of 4 failed.
	if got := w.evaluate(rules, 2, true); got[0].Value != 0.75 || got[1].Value != 0.5 {
		t.Errorf("with pending requests: all %v, ask %v", got[0].Value, got[1].Value)
	}
}
