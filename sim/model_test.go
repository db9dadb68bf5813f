package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLambdaConcurrencyLimit500: a Lambda throttle reaches the client as
// 500 through API Gateway's proxy integration (5XXError), never 429.
func TestLambdaConcurrencyLimit500(t *testing.T) {
	cfg := fastModel()
	cfg.Lambda.ConcurrencyLimit = 2
	cfg.Bedrock.TimeToFirstToken = 200 * time.Second // holds each turn's slot ~200 ms of wall time
	cfg.APIGateway.IntegrationTimeout = 1000 * time.Second
	s, c := start(t, cfg)
	tok := c.login("u")
	chats := make([]string, 6)
	for i := range chats {
		chats[i] = c.newChat(tok)
	}
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for _, id := range chats {
		wg.Go(func() {
			r, _ := c.ask(tok, id, "how busy is it?")
			mu.Lock()
			codes[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[200] != 2 || codes[500] != 4 {
		t.Fatalf("statuses %v: want 2 answered and 4 throttled (500) at concurrency 2", codes)
	}
	if got := s.Counters().LambdaThrottles.Load(); got != 4 {
		t.Errorf("LambdaThrottles = %d, want 4", got)
	}
	if sum, _ := total(s, s.m.fnThrottles); sum != 4 {
		t.Errorf("AWS/Lambda Throttles sum = %v, want 4", sum)
	}
	if sum, _ := total(s, s.m.api5xx); sum != 4 {
		t.Errorf("AWS/ApiGateway 5XXError sum = %v, want 4", sum)
	}
	if sum, _ := total(s, s.m.api4xx); sum != 0 {
		t.Errorf("AWS/ApiGateway 4XXError sum = %v, want 0", sum)
	}
	var peak float64
	for _, a := range s.metrics.aggregate(s.m.fnConcurrent, 0, s.clock.Now().Unix()+3600, 3600, s.clock.Now().Unix()+3600) {
		peak = max(peak, a.Max)
	}
	if peak != 2 {
		t.Errorf("ConcurrentExecutions maximum = %v, want 2", peak)
	}
}

func TestDynamoDBThrottlingRetriesThen500(t *testing.T) {
	cfg := fastModel()
	cfg.DynamoDB.Tables = []TableConf{{Name: "t", ItemKB: 1, WriteCapacity: 0.01}} // one unit per 100 s
	cfg.DynamoDB.BurstSeconds = 0
	cfg.DynamoDB.BeforeModel = 1
	s, c := start(t, cfg)
	tok := c.login("u")
	chat := c.newChat(tok)
	first, _ := c.ask(tok, chat, "first")
	if first.status != 200 {
		t.Fatalf("first turn: %d %s", first.status, first.body)
	}
	second, _ := c.ask(tok, chat, "second")
	if second.status != 500 || !strings.Contains(string(second.body), "ProvisionedThroughputExceeded") {
		t.Fatalf("second turn: %d %s, want 500 after the retries", second.status, second.body)
	}
	// Three throttled attempts of 6 ms plus two backoffs, before the model.
	pre := cfg.APIGateway.Overhead + cfg.Lambda.TurnOverhead + 3*cfg.DynamoDB.WriteLatency
	if second.service <= pre {
		t.Errorf("second turn took %v, want more than %v: the backoff must add latency", second.service, pre)
	}
	if got := s.Counters().DynamoThrottles.Load(); got != 3 {
		t.Errorf("throttled attempts = %d, want 3 (retry.max_attempts)", got)
	}
	if sum, _ := total(s, s.m.ddbWriteThrottles[0]); sum != 3 {
		t.Errorf("WriteThrottleEvents = %v, want 3", sum)
	}
	if sum, _ := total(s, s.m.ddbConsumed[0]); sum != 1 {
		t.Errorf("ConsumedWriteCapacityUnits = %v, want 1", sum)
	}
	if sum, _ := total(s, s.m.fnErrors); sum != 1 {
		t.Errorf("Lambda Errors = %v, want 1", sum)
	}
	if sum, _ := total(s, s.m.api5xx); sum != 1 {
		t.Errorf("5XXError = %v, want 1", sum)
	}
}

func TestDynamoDBRetryWaitsForCapacity(t *testing.T) {
	cfg := fastModel()
	cfg.DynamoDB.Tables = []TableConf{{Name: "t", ItemKB: 1, WriteCapacity: 0.25}} // one unit per 4 s
	cfg.DynamoDB.BurstSeconds = 0
	cfg.DynamoDB.BeforeModel = 1
	cfg.Retry.MaxAttempts = 10
	s, c := start(t, cfg)
	tok := c.login("u")
	chat := c.newChat(tok)
	other := c.newChat(tok)
	var wg sync.WaitGroup
	var r1, r2 reply
	wg.Go(func() { r1, _ = c.ask(tok, chat, "one") })
	wg.Go(func() { r2, _ = c.ask(tok, other, "two") })
	wg.Wait()
	if r1.status != 200 || r2.status != 200 {
		t.Fatalf("statuses %d, %d: both turns should get through with 10 attempts", r1.status, r2.status)
	}
	slow, fast := max(r1.service, r2.service), min(r1.service, r2.service)
	if thr := s.Counters().DynamoThrottles.Load(); thr < 1 {
		t.Fatalf("no throttled write: the second writer should wait for capacity")
	}
	// The second write waits for the bucket to refill (4 s), give or take
	// the model's different answer lengths.
	if slow-fast < 2*time.Second {
		t.Errorf("turns took %v and %v: the retried one should be seconds slower", fast, slow)
	}
	if sum, _ := total(s, s.m.ddbConsumed[0]); sum != 2 {
		t.Errorf("ConsumedWriteCapacityUnits = %v, want 2", sum)
	}
	thr, _ := total(s, s.m.ddbThrottled[0])
	if int64(thr) != s.Counters().DynamoThrottles.Load() {
		t.Errorf("ThrottledRequests = %v, counters say %d", thr, s.Counters().DynamoThrottles.Load())
	}
}

func TestBedrockThrottlesPastTPMQuota(t *testing.T) {
	for _, status := range []int{ThrottleAs429, ThrottleAs503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			cfg := fastModel()
			cfg.Bedrock.SystemPromptTokens = 100
			cfg.Bedrock.MaxTokens = 100
			cfg.Bedrock.TokensPerMinute = 400 // the first call reserves ~200 of it
			cfg.Bedrock.ThrottleStatus = status
			cfg.Retry.MaxAttempts = 2
			cfg.Retry.Base = 10 * time.Millisecond
			s, c := start(t, cfg)
			tok := c.login("u")
			chat := c.newChat(tok)
			if r, _ := c.ask(tok, chat, "first question"); r.status != 200 {
				t.Fatalf("first turn: %d %s", r.status, r.body)
			}
			r, _ := c.ask(tok, chat, "second question, with history")
			if r.status != status || !strings.Contains(string(r.body), "ThrottlingException") {
				t.Fatalf("second turn: %d %s, want %d", r.status, r.body, status)
			}
			if got := s.Counters().BedrockThrottles.Load(); got != 2 {
				t.Errorf("throttled attempts = %d, want 2", got)
			}
			if sum, _ := total(s, s.models[0].throttles); sum != 2 {
				t.Errorf("InvocationThrottles = %v, want 2", sum)
			}
			if sum, _ := total(s, s.models[0].invocations); sum != 1 {
				t.Errorf("Invocations = %v, want 1", sum)
			}
		})
	}
}

func TestColdStartAfterIdle(t *testing.T) {
	cfg := fastModel()
	cfg.Lambda.IdleTimeout = 30 * time.Second // 30 ms of wall time at testScale
	s, c := start(t, cfg)
	c.login("a") // cold
	c.login("b") // warm
	time.Sleep(s.clock.WallDuration(45 * time.Second))
	c.login("c") // cold again
	if got := s.Counters().ColdStarts.Load(); got != 2 {
		t.Fatalf("cold starts = %d, want 2", got)
	}
	ev := s.logs.snapshot(time.Time{}, time.Now().Add(1000*time.Hour))
	if len(ev) != 3 {
		t.Fatalf("%d REPORT lines, want 3", len(ev))
	}
	for i, want := range []bool{true, false, true} {
		if got := strings.Contains(ev[i].Message, "Init Duration: "); got != want {
			t.Errorf("line %d %q: Init Duration present = %v, want %v", i, ev[i].Message, got, want)
		}
		if !strings.HasPrefix(ev[i].Message, "REPORT RequestId: ") || !strings.Contains(ev[i].Message, "Memory Size: 1024 MB") {
			t.Errorf("line %d %q is not a Lambda REPORT line", i, ev[i].Message)
		}
		// Lambda bills the init phase (since August 2025): Billed Duration
		// is Duration plus Init Duration, rounded up to the millisecond.
		var dur, init float64
		var billed int64
		fmt.Sscanf(ev[i].Message[strings.Index(ev[i].Message, "Duration: "):], "Duration: %f ms\tBilled Duration: %d ms", &dur, &billed)
		if j := strings.Index(ev[i].Message, "Init Duration: "); j >= 0 {
			fmt.Sscanf(ev[i].Message[j:], "Init Duration: %f ms", &init)
		}
		if want := int64(math.Ceil(dur + init - 0.005)); dur == 0 || billed < want || billed > want+1 {
			t.Errorf("line %d %q: billed %d ms, want ceil(%.2f + %.2f)", i, ev[i].Message, billed, dur, init)
		}
	}
}

// TestJSONLogFormat checks the platform.report events written under
// lambda.log_format: json, as Lambda writes them.
func TestJSONLogFormat(t *testing.T) {
	cfg := fastModel()
	cfg.Lambda.LogFormat = LogJSON
	s, c := start(t, cfg)
	c.login("a") // cold
	c.login("b") // warm
	ev := s.logs.snapshot(time.Time{}, time.Now().Add(1000*time.Hour))
	if len(ev) != 2 {
		t.Fatalf("%d events, want 2", len(ev))
	}
	for i, e := range ev {
		var rec struct {
			Type   string `json:"type"`
			Record struct {
				RequestID string             `json:"requestId"`
				Metrics   map[string]float64 `json:"metrics"`
			} `json:"record"`
		}
		if err := json.Unmarshal([]byte(e.Message), &rec); err != nil || rec.Type != "platform.report" || rec.Record.RequestID == "" {
			t.Fatalf("event %d %q: not a platform.report event (%v)", i, e.Message, err)
		}
		m := rec.Record.Metrics
		_, cold := m["initDurationMs"]
		if cold != (i == 0) || m["memorySizeMB"] != 1024 || m["billedDurationMs"] != math.Ceil(m["durationMs"]+m["initDurationMs"]) && m["billedDurationMs"] != math.Ceil(m["durationMs"]+m["initDurationMs"])+1 {
			t.Errorf("event %d metrics %v", i, m)
		}
		if reportField(&e, "@type").present || reportField(&e, "@initDuration").present || !reportField(&e, "type").present {
			t.Errorf("event %d: Logs Insights would discover REPORT-line fields in a JSON event", i)
		}
	}
}

func TestInputTokensGrowWithTurns(t *testing.T) {
	cfg := fastModel()
	_, c := start(t, cfg)
	tok := c.login("u")
	chat := c.newChat(tok)
	q := "what does a cold start cost?" // 28 characters: 7 tokens
	var prev Answer
	for turn := 1; turn <= 4; turn++ {
		r, a := c.ask(tok, chat, q)
		if r.status != 200 || a.Turn != turn {
			t.Fatalf("turn %d: %d %s", turn, r.status, r.body)
		}
		want := cfg.Bedrock.SystemPromptTokens + 7
		if turn > 1 {
			want = prev.Usage.InputTokens + prev.Usage.OutputTokens + 7
		}
		if a.Usage.InputTokens != want {
			t.Errorf("turn %d: input tokens %d, want %d (system + history + question)", turn, a.Usage.InputTokens, want)
		}
		prev = a
	}
}

func TestStreamedAnswer(t *testing.T) {
	s, c := start(t, fastModel())
	tok := c.login("u")
	chat := c.newChat(tok)
	r := c.post("/chat/sessions/"+chat+"/messages", tok, MessageRequest{Content: "stream it"}, "text/event-stream")
	ev := sse(t, r.body)
	if r.status != 200 || len(ev) < 2 || ev[0][0] != "token" || ev[len(ev)-1][0] != "done" {
		t.Fatalf("stream %d: %v", r.status, ev)
	}
	var a Answer
	if err := json.Unmarshal([]byte(ev[len(ev)-1][1]), &a); err != nil || a.Usage.OutputTokens < 1 {
		t.Fatalf("done event %q: %v", ev[len(ev)-1][1], err)
	}
	if sum, _ := total(s, s.models[0].outputTokens); int(sum) != a.Usage.OutputTokens {
		t.Errorf("OutputTokenCount = %v, answer says %d", sum, a.Usage.OutputTokens)
	}
	if r.service < cfgTurnFloor(s.cfg) {
		t.Errorf("service time %v below the modelled floor %v", r.service, cfgTurnFloor(s.cfg))
	}
}

// cfgTurnFloor is the least a turn can take: no concurrency, no throttling.
func cfgTurnFloor(c Config) time.Duration {
	return c.APIGateway.Overhead + c.Lambda.TurnOverhead + c.Bedrock.TimeToFirstToken +
		time.Duration(len(c.DynamoDB.Tables))*c.DynamoDB.WriteLatency
}

func TestIntegrationTimeout504(t *testing.T) {
	cfg := fastModel()
	cfg.APIGateway.IntegrationTimeout = 2 * time.Second
	cfg.Bedrock.TimeToFirstToken = 10 * time.Second
	s, c := start(t, cfg)
	tok := c.login("u")
	chat := c.newChat(tok)
	r, _ := c.ask(tok, chat, "slow")
	if r.status != 504 || r.service != 2*time.Second {
		t.Fatalf("got %d after %v, want 504 after 2s", r.status, r.service)
	}
	if s.Counters().Timeouts.Load() != 1 {
		t.Errorf("Timeouts = %d", s.Counters().Timeouts.Load())
	}
	if sum, _ := total(s, s.m.api5xx); sum != 1 {
		t.Errorf("5XXError = %v, want 1", sum)
	}
}

// exercise makes the same sequence of requests every time: logins, a 401,
// a few conversations.
func exercise(t *testing.T, c *client) {
	tok := c.login("u")
	if r := c.post("/chat/sessions", "tok_wrong", map[string]any{}, ""); r.status != 401 {
		t.Fatalf("bad token: %d", r.status)
	}
	for range 3 {
		chat := c.newChat(tok)
		for _, q := range []string{"hello", "how many tokens per minute?", "and the cost?"} {
			if r, _ := c.ask(tok, chat, q); r.status != 200 {
				t.Fatalf("ask: %d %s", r.status, r.body)
			}
		}
	}
}

func TestMetricsCountWhatHappened(t *testing.T) {
	s, c := start(t, fastModel())
	exercise(t, c)
	k := s.Counters()
	checks := []struct {
		name string
		sr   *series
		want float64
	}{
		{"ApiGateway Count", s.m.apiCount, float64(k.Requests.Load())},
		{"ApiGateway 4XXError", s.m.api4xx, 1},
		{"ApiGateway 5XXError", s.m.api5xx, 0},
		{"Lambda Invocations", s.m.fnInvocations, float64(k.Requests.Load())},
		{"Lambda Throttles", s.m.fnThrottles, 0},
		{"Bedrock Invocations", s.models[0].invocations, float64(k.Turns.Load())},
		{"Bedrock InputTokenCount", s.models[0].inputTokens, float64(k.InputTokens.Load())},
		{"Bedrock OutputTokenCount", s.models[0].outputTokens, float64(k.OutputTokens.Load())},
		{"DynamoDB ConsumedWriteCapacityUnits messages", s.m.ddbConsumed[2], 3 * 9},
	}
	for _, ch := range checks {
		if sum, _ := total(s, ch.sr); sum != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, sum, ch.want)
		}
	}
	if k.Requests.Load() != 1+1+3+9 || k.Turns.Load() != 9 {
		t.Errorf("requests %d, turns %d", k.Requests.Load(), k.Turns.Load())
	}
	if _, n := total(s, s.m.apiLatency); n != float64(k.Requests.Load()) {
		t.Errorf("Latency sample count %v, want one per request", n)
	}
	if ev := s.logs.snapshot(time.Time{}, time.Now().Add(1000*time.Hour)); len(ev) != int(k.Requests.Load()) {
		t.Errorf("%d REPORT lines, want one per invocation (%d)", len(ev), k.Requests.Load())
	}
}

func TestSameSeedSameMetrics(t *testing.T) {
	run := func() map[string][]float64 {
		s, c := start(t, fastModel())
		exercise(t, c)
		out := map[string][]float64{}
		now := s.clock.Now().Unix() + 3600
		for _, id := range s.metrics.list() {
			sr := s.metrics.lookup(id)
			if sr.fill == fillLast || id.Namespace == NSBrinkSim { // gauges are sampled per second of wall-clock-driven time; lateness is the wall clock's
				continue
			}
			for _, a := range s.metrics.aggregate(sr, 0, now, 3600*24, now) {
				out[id.key()] = append(out[id.key()], a.Sum, a.N, a.Min, a.Max, a.set.percentile(50), a.set.percentile(99))
			}
		}
		return out
	}
	a, b := run(), run()
	if len(a) != len(b) || len(a) < 15 {
		t.Fatalf("%d and %d series", len(a), len(b))
	}
	for k, va := range a {
		vb := b[k]
		if len(va) != len(vb) {
			t.Errorf("%s: %d and %d statistics", k, len(va), len(vb))
			continue
		}
		for i := range va {
			if va[i] != vb[i] {
				t.Errorf("%s: statistic %d is %v and %v", k, i, va[i], vb[i])
				break
			}
		}
	}
}
