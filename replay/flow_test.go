package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"brink"
	"brink/sim"
)

func TestExampleFlowIsTheDefault(t *testing.T) {
	ex, err := os.ReadFile("../examples/flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ex, DefaultFlowYAML()) {
		t.Fatal("examples/flow.yaml differs from replay/flows/chat.yaml: keep the shipped example the built-in flow")
	}
	f := DefaultFlow()
	if len(f.Steps) != 3 || !f.Steps[0].Once || f.Steps[2].Turns == nil || f.Steps[2].Turns.Min != 3 || f.Steps[2].Turns.Max != 6 {
		t.Fatalf("default flow steps: %+v", f.Steps)
	}
	if f.Steps[2].Think.Min != 3*time.Second || f.Steps[2].Think.Max != 8*time.Second || f.Steps[0].Timeout != 30*time.Second {
		t.Fatalf("default think/timeout: %+v %v", f.Steps[2].Think, f.Steps[0].Timeout)
	}
	if _, _, err := LoadPlan("../examples/plan.yaml"); err != nil {
		t.Fatal(err)
	}
	// The session benchmark's flow (examples/bench-session): login once,
	// then new chat and one ask without think time.
	b, err := LoadFlow("../examples/bench-session/flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Steps) != 3 || !b.Steps[0].Once || b.Steps[2].Turns == nil || b.Steps[2].Turns.Max != 1 || b.Steps[2].Think.Dist != "constant" || b.Steps[2].Think.Value != 0 {
		t.Fatalf("bench-session flow steps: %+v", b.Steps)
	}
}

func TestFlowErrors(t *testing.T) {
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"misspelt key", "steps:\n  - name: a\n    path: /x\n    thinkk: {dist: constant}\n", `flow f.yaml:4:5: unknown key "thinkk" (did you mean "think"?)`},
		{"undefined variable", "steps:\n  - name: a\n    path: /x/${sid}\n", `flow f.yaml:2:9: step "a" uses ${sid}, which no earlier step extracts`},
		{"bad dist", "steps:\n  - name: a\n    path: /x\n    think:\n      dist: gamma\n", `flow f.yaml:5:13: think dist "gamma"`},
		{"no steps", "name: x\n", "a flow needs steps"},
		{"empty", "", "the file is empty"},
		{"bad method", "steps:\n  - name: a\n    method: FETCH\n    path: /x\n", `flow f.yaml:3:13: method "FETCH"`},
		{"relative path", "steps:\n  - name: a\n    path: x\n", "must start with /"},
		{"bad turns", "steps:\n  - name: a\n    path: /x\n    turns: {min: 4, max: 2}\n", "turns min 4 max 2"},
		{"only once", "steps:\n  - name: a\n    once: true\n    path: /x\n", "at least one step that is not once"},
		{"bad extract", "steps:\n  - name: a\n    path: /x\n    extract: {t: token}\n", "neither a JSON path"},
		{"bad yaml", "steps: [\n", "flow f.yaml:"},
		{"duplicate", "steps:\n  - name: a\n    path: /x\n  - name: a\n    path: /y\n", `step name "a" is used twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseFlow("f.yaml", []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, c.want)
			}
		})
	}
}

func TestParsePlan(t *testing.T) {
	p, rules, err := ParsePlan("p.yaml", []byte("max_users: 50\nhold: 1m\nstop_rules:\n  - metric: throttle_rate\n    max: 0.05\n  - metric: latency\n    step: ask\n    percentile: 0.99\n    max: 8s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.MaxUsers != 50 || p.Hold.Std() != time.Minute || p.StartUsers != 10 || p.Ramp.Std() != 2*time.Minute {
		t.Fatalf("plan %+v: want defaults with max 50, hold 1m", p)
	}
	want := []brink.StopRule{{Metric: brink.RuleThrottleRate, Threshold: 0.05}, {Metric: brink.RuleLatency, Step: "ask", Percentile: 0.99, Threshold: 8000}}
	if fmt.Sprint(rules) != fmt.Sprint(want) {
		t.Fatalf("rules %+v, want %+v", rules, want)
	}
	for _, c := range []struct{ yaml, want string }{
		{"max_user: 5\n", `unknown key "max_user" (did you mean "max_users"?)`},
		{"stop_rules:\n  - metric: p95\n    max: 1\n", `plan p.yaml:2:13: metric "p95"`},
		{"stop_rules:\n  - metric: latency\n    step: ask\n    percentile: 0.95\n    max: 5\n", "want a duration"},
		{"hold: 0s\n", "hold"},
		{"measurement:\n  sim_lateness_share: 1.5\n", "plan p.yaml:2:21: measurement.sim_lateness_share 1.5: want a share"},
		{"measurement:\n  sim_lateness_wall_ms: -1\n", "measurement.sim_lateness_wall_ms -1"},
	} {
		if _, _, err := ParsePlan("p.yaml", []byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.yaml, err, c.want)
		}
	}
}

func TestThinkDistributions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		th     Think
		lo, hi time.Duration // bounds of every draw
		mean   time.Duration // expected mean within 5%
	}{
		{Think{Dist: "constant", Value: 2 * time.Second}, 2 * time.Second, 2 * time.Second, 2 * time.Second},
		{Think{Dist: "uniform", Min: time.Second, Max: 3 * time.Second}, time.Second, 3 * time.Second, 2 * time.Second},
		{Think{Dist: "normal", Mean: 5 * time.Second, Stddev: time.Second}, 0, 20 * time.Second, 5 * time.Second},
		{Think{Dist: "exponential", Mean: 4 * time.Second}, 0, time.Hour, 4 * time.Second},
	} {
		var sum time.Duration
		const n = 20000
		for range n {
			d := c.th.Draw(rng, -1)
			if d < c.lo || d > c.hi {
				t.Fatalf("%s: draw %v outside [%v, %v]", c.th.String(), d, c.lo, c.hi)
			}
			sum += d
		}
		if m := sum / n; m < c.mean*95/100 || m > c.mean*105/100 {
			t.Errorf("%s: mean %v, want about %v", c.th.String(), m, c.mean)
		}
	}
	rec := Think{Dist: "recorded", Scale: 0.5}
	if d := rec.Draw(rng, 10*time.Second); d != 5*time.Second {
		t.Errorf("recorded x0.5 of 10s = %v", d)
	}
}

// authServer is a chat API whose tokens expire after maxUses requests, whose
// first ask of each session answers 429 with Retry-After, and whose asks
// stream when asked.
type authServer struct {
	maxUses  int
	mu       sync.Mutex
	uses     map[string]int
	logins   atomic.Int64
	bodies   []string
	throttle sync.Map
}

func (a *authServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.URL.Path == "/auth/login":
		n := a.logins.Add(1)
		fmt.Fprintf(w, `{"token":"tok-%d","expires_in":3600}`, n)
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	a.uses[tok]++
	over := a.uses[tok] > a.maxUses
	a.bodies = append(a.bodies, string(body))
	a.mu.Unlock()
	if over || tok == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.URL.Path == "/chat/sessions" {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"session_id":"s/%s"}`, tok)
		return
	}
	if _, seen := a.throttle.LoadOrStore(r.URL.Path, true); !seen {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	if r.Header.Get("Accept") == "text/event-stream" {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: token\ndata: {\"text\":\"hi\"}\n\n")
		w.(http.Flusher).Flush()
		time.Sleep(20 * time.Millisecond)
		fmt.Fprint(w, "event: done\ndata: {\"usage\":{\"input_tokens\":11,\"output_tokens\":22},\"model\":\"m-1\"}\n\n")
		return
	}
	fmt.Fprint(w, `{"usage":{"input_tokens":1,"output_tokens":2},"model":"m-1"}`)
}

const testFlow = `
name: test
headers: {Content-Type: application/json}
steps:
  - name: auth
    once: true
    path: /auth/login
    body: {username: "u-${vu}"}
    extract: {token: $.token}
    expires: $.expires_in
  - name: new_chat
    path: /chat/sessions
    headers: {Authorization: "Bearer ${token}"}
    extract: {session_id: $.session_id}
    check: {status: [201], fields: [session_id]}
  - name: ask
    turns: 3
    think: {dist: constant, value: 100ms}
    path: /chat/sessions/${session_id}/messages
    headers: {Authorization: "Bearer ${token}"}
    body: {content: "${question}", turn: "${turn}"}
    stream: sse
    retry_429: 1
    usage: {input_tokens: $.usage.input_tokens, output_tokens: $.usage.output_tokens, model: $.model}
`

func TestFlowEngine(t *testing.T) {
	as := &authServer{maxUses: 5, uses: map[string]int{}}
	srv := httptest.NewServer(as)
	defer srv.Close()
	flow, err := ParseFlow("test.yaml", []byte(testFlow))
	if err != nil {
		t.Fatal(err)
	}
	corpus := &Corpus{Source: "t", Sessions: []Session{{ID: "a", Questions: []string{`say "hi"`, "q2", "q3"}, Gaps: []time.Duration{-1, -1, -1}}}}
	picker, err := NewPicker(corpus, "order", 1)
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r, err := New(Options{Target: srv.URL, RunID: "f", Flow: flow, Sessions: picker, Sink: sink,
		Clock: brink.Clock{Epoch: time.Now(), Scale: 0.01}, StopRules: []brink.StopRule{},
		Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(60 * time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var unauthorized, throttled, asks int
	for _, tr := range sink.rows {
		switch {
		case tr.Status == 401:
			unauthorized++
		case tr.Status == 429:
			throttled++
			if !tr.Throttled || tr.Error != brink.ErrHTTP429 {
				t.Fatalf("429 row %+v", tr)
			}
		case tr.Step == "ask":
			asks++
			// usage from the final SSE event; ttfb is the first token event.
			if !tr.HasUsage || tr.InputTokens != 11 || tr.OutputTokens != 22 || tr.Model != "m-1" {
				t.Fatalf("ask usage from the stream: %+v", tr)
			}
			if tr.TTFBMS <= 0 || tr.TTFBMS >= tr.LatencyMS || tr.LatencyMS < 1500 {
				t.Fatalf("ask ttfb %.1f ms, latency %.1f ms: want the first event well before the end (20 ms wall = 2 s scenario)", tr.TTFBMS, tr.LatencyMS)
			}
		}
	}
	// Tokens last 5 requests: a 401 sends the user back to log in.
	if unauthorized == 0 || as.logins.Load() < 2 {
		t.Fatalf("%d unauthorized answers, %d logins: want re-login after 401", unauthorized, as.logins.Load())
	}
	if throttled == 0 || asks == 0 {
		t.Fatalf("%d throttled, %d answered asks", throttled, asks)
	}
	// The first ask of each session was throttled once and retried.
	as.mu.Lock()
	defer as.mu.Unlock()
	var found bool
	for _, b := range as.bodies {
		var m map[string]string
		if json.Unmarshal([]byte(b), &m) == nil && m["content"] == `say "hi"` && m["turn"] == "1" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no ask body carried the templated question with its quotes: %q", as.bodies)
	}
}

func TestSSEAgainstSim(t *testing.T) {
	s, url := startSim(t, sim.DefaultConfig(), 0.02)
	flowText := strings.Replace(string(DefaultFlowYAML()), "    usage:\n", "    stream: sse\n    usage:\n", 1)
	flow, err := ParseFlow("sse.yaml", []byte(flowText))
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r, err := New(Options{Target: url, Flow: flow, Sink: sink, Clock: s.Clock(), OneSession: true,
		Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tr := range sink.rows {
		if tr.Step != "ask" {
			continue
		}
		n++
		if tr.Error != "" || !tr.HasUsage || tr.OutputTokens <= 0 {
			t.Fatalf("streamed ask: %+v", tr)
		}
		// The first token arrives after the modelled time to first token,
		// well before the end of the stream.
		if tr.TTFBMS < 300 || tr.TTFBMS > tr.LatencyMS*0.8 {
			t.Fatalf("ttfb %.0f ms of %.0f ms", tr.TTFBMS, tr.LatencyMS)
		}
	}
	if n < 3 {
		t.Fatalf("%d asks in one session, want 3-6", n)
	}
}

func FuzzParseFlow(f *testing.F) {
	f.Add(string(DefaultFlowYAML()))
	f.Add(testFlow)
	f.Add("steps:\n  - name: a\n    path: /x\n    turns: recorded\n    think: {dist: recorded, scale: 2}\n")
	f.Fuzz(func(t *testing.T, s string) {
		fl, err := parseWithin(t, 2*time.Second, func() (*Flow, error) { return ParseFlow("fuzz.yaml", []byte(s)) })
		if err != nil {
			if !strings.HasPrefix(err.Error(), "flow fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(fl.Steps) == 0 || fl.Timeout <= 0 {
			t.Fatalf("accepted a flow without steps or timeout: %+v", fl)
		}
	})
}

func FuzzParsePlan(f *testing.F) {
	b, _ := os.ReadFile("../examples/plan.yaml")
	f.Add(string(b))
	f.Add("max_users: 5\nstop_rules: []\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, _, err := ParsePlan("fuzz.yaml", []byte(s))
		if err == nil && p.Validate() != nil {
			t.Fatalf("accepted an invalid plan %+v", p)
		}
	})
}

func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$.a.b", "$.a[0]", `$["x y"].z`, "$", "$.", "$[", "$[-1]"} {
		f.Add(s, `{"a":{"b":[1,{"c":"d"}]},"x y":{"z":true}}`)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := parseJSONPath(path)
		if err != nil {
			return
		}
		var v any
		if json.Unmarshal([]byte(doc), &v) == nil {
			p.lookup(v)
		}
	})
}

func FuzzReadSSE(f *testing.F) {
	f.Add("event: token\ndata: {\"a\":1}\n\nevent: done\ndata: {\"b\":2}\n\n")
	f.Add("data: x\r\ndata: y\r\n\r\n")
	f.Add("data")
	f.Fuzz(func(t *testing.T, s string) {
		res, n, err := readSSE(strings.NewReader(s), nil, 0, 0)
		if err != nil || n != int64(len(s)) || res.events < 0 {
			t.Fatalf("readSSE(%q): %+v, %d bytes, %v", s, res, n, err)
		}
	})
}

func TestOpenModel(t *testing.T) {
	s, url := startSim(t, sim.DefaultConfig(), 0.01)
	sink := &memSink{}
	plan, _, err := ParsePlan("open.yaml", []byte("model: open\nstart_rate: 60\nstep_rate: 60\nmax_rate: 120\nramp: 10s\nhold: 60s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Levels() != 2 || plan.UsersAt(1) != 120 {
		t.Fatalf("open plan %+v: %d levels", plan, plan.Levels())
	}
	r, err := New(Options{Target: url, Plan: plan, Sink: sink, Clock: s.Clock(), StopRules: []brink.StopRule{}, Seed: 5,
		Think: &Think{Dist: "constant", Value: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != brink.StatusCompleted || len(res.Levels) != 2 {
		t.Fatalf("%s, %d levels", res.Status, len(res.Levels))
	}
	logins := 0
	for _, tr := range sink.rows {
		if tr.Scheduled.IsZero() {
			t.Fatalf("open-model row without scheduled: %+v", tr)
		}
		// A request never starts before it was meant to (100 ms of slack in
		// scenario time for clock reads).
		if tr.Start.Before(tr.Scheduled.Add(-100 * time.Millisecond)) {
			t.Fatalf("start %v before scheduled %v", tr.Start, tr.Scheduled)
		}
		if tr.Step == "auth" {
			logins++
		}
	}
	// Expected arrivals: ramp 0→60/min over 10 s (mean 30/min), hold 60/min
	// for 60 s, ramp 60→120 over 10 s (mean 90), hold 120/min for 60 s:
	// (30·10 + 60·60 + 90·10 + 120·60) / 60 = 200 sessions.
	if logins < 150 || logins > 250 {
		t.Fatalf("%d sessions arrived, want about 200 (Poisson)", logins)
	}
}

// parseWithin runs parse and fails the test if it does not return within d:
// a parser of outside input must not hang on any input.
func parseWithin[T any](t *testing.T, d time.Duration, parse func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := parse()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(d):
		t.Fatalf("the parser did not return within %v", d)
		var zero T
		return zero, nil
	}
}

// TestFlowUnknownModel: a literal Bedrock model id brink does not know is
// an error at its line, naming the models known; another API's own model
// name and a templated one are left alone.
func TestFlowUnknownModel(t *testing.T) {
	flow := func(model string) []byte {
		return []byte("name: m\nsteps:\n  - name: ask\n    path: /chat\n    body:\n      content: hi\n      model: " + model + "\n")
	}
	_, err := ParseFlow("m.yaml", flow("anthropic.claude-opus-9"))
	if err == nil || !strings.Contains(err.Error(), "m.yaml:7:") || !strings.Contains(err.Error(), `model "anthropic.claude-opus-9" is not a Bedrock model brink knows`) ||
		!strings.Contains(err.Error(), "amazon.nova-micro-v1:0") || strings.Contains(err.Error(), "\n") {
		t.Errorf("unknown model: %v", err)
	}
	for _, ok := range []string{"us.anthropic.claude-haiku-4-5-20251001-v1:0", "gpt-4o", "${question}"} {
		if _, err := ParseFlow("m.yaml", flow(`"`+ok+`"`)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestFixedBody: a body without a template is encoded once, at load, to the
// very bytes expanding it for each request made; a body with one is not.
func TestFixedBody(t *testing.T) {
	for _, c := range []struct {
		yaml  string
		fixed string // "" = not fixed
	}{
		{`body: {}`, `{}`},
		{`body: {question: "What is <b>&</b>?", n: 3, ok: true, list: [1, "x", {z: 1, a: null}]}`,
			`{"list":[1,"x",{"a":null,"z":1}],"n":3,"ok":true,"question":"What is \u003cb\u003e\u0026\u003c/b\u003e?"}`},
		{`body: "raw text, no JSON"`, `raw text, no JSON`},
		{`body: {q: "héllo ✓"}`, `{"q":"héllo ✓"}`},
		{`body: {q: "${question}"}`, ``},
		{`body: {outer: [{deep: "x ${vu}"}]}`, ``},
		{`body: "${question}"`, ``},
	} {
		f, err := ParseFlow("t.yaml", []byte("steps:\n  - name: ask\n    path: /x\n    "+c.yaml+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", c.yaml, err)
		}
		s := &f.Steps[0]
		if string(s.fixedBody) != c.fixed {
			t.Errorf("%s: fixed body %q, want %q", c.yaml, s.fixedBody, c.fixed)
		}
		if c.fixed == "" {
			continue
		}
		v := newVars(nil)
		v.set("question", "unused", false)
		want, err := v.expandBody(s.Body)
		if err != nil || string(want) != c.fixed {
			t.Errorf("%s: expanded per request %q (%v), fixed %q", c.yaml, want, err, c.fixed)
		}
	}
}

// runOnce runs one user through flow (one session, one turn) against srv and
// returns its traces.
func runOnce(t *testing.T, target, flowYAML string) []brink.Trace {
	t.Helper()
	flow, err := ParseFlow("t.yaml", []byte(flowYAML))
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r, err := New(Options{Target: target, RunID: "t", Flow: flow, Sink: sink,
		Clock: brink.Clock{Epoch: time.Now(), Scale: 0.05}, StopRules: []brink.StopRule{},
		Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(4 * time.Second)}}) // 200 ms wall
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sink.rows) == 0 {
		t.Fatal("no request was recorded")
	}
	return sink.rows
}

const oneStepFlow = `
steps:
  - name: ask
    path: /x
    body: {q: hi}
    turns: 1
    think: {dist: constant, value: 100ms}
`

// TestRedirectIsTheAnswer: a 3xx is recorded as the answer it is, with its
// body, and not followed, even when its Location cannot be parsed (which
// http.Client.Do reported as an error, recorded connect with status 0,
// before requests went to the transport directly).
func TestRedirectIsTheAnswer(t *testing.T) {
	var followed atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/x" {
			followed.Add(1)
		}
		w.Header().Set("Location", "http://[::1")
		w.WriteHeader(http.StatusFound)
		fmt.Fprint(w, "moved")
	}))
	defer srv.Close()
	for _, tr := range runOnce(t, srv.URL, oneStepFlow) {
		if tr.Status != 302 || tr.Error != "" || tr.BytesReceived == 0 {
			t.Fatalf("trace %+v: want status 302, no error, the body's bytes", tr)
		}
	}
	if followed.Load() != 0 {
		t.Errorf("%d requests followed the redirect", followed.Load())
	}
}

// TestTargetUserinfoIsBasicAuth: a target URL with user:password@ sends
// them as basic auth (those requests still go through http.Client).
func TestTargetUserinfoIsBasicAuth(t *testing.T) {
	var bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ann" || p != "s3cret" {
			bad.Add(1)
		}
	}))
	defer srv.Close()
	target := strings.Replace(srv.URL, "http://", "http://ann:s3cret@", 1)
	rows := runOnce(t, target, oneStepFlow)
	if bad.Load() != 0 {
		t.Fatalf("%d of %d requests lacked the target's basic auth", bad.Load(), len(rows))
	}
}

// TestInfiniteBodyIsALoadError: a body YAML decodes to a number JSON cannot
// encode is the flow's error at load, naming the step's body.
func TestInfiniteBodyIsALoadError(t *testing.T) {
	_, err := ParseFlow("t.yaml", []byte("steps:\n  - name: ask\n    path: /x\n    body: {n: .inf}\n"))
	if err == nil || !strings.Contains(err.Error(), "t.yaml:4") || !strings.Contains(err.Error(), "+Inf") || !strings.Contains(err.Error(), "finite") {
		t.Fatalf("err = %v, want one naming t.yaml:4 (the body), +Inf and what to do", err)
	}
}
