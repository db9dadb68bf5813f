package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func (c *client) askModel(token, chat, q, model string) (reply, Answer) {
	c.t.Helper()
	r := c.post("/chat/sessions/"+chat+"/messages", token, MessageRequest{Content: q, Model: model}, "")
	var a Answer
	if r.status == 200 {
		json.Unmarshal(r.body, &a)
	}
	return r, a
}

// TestBedrockRequestsPerMinute: with tokens to spare, the requests-per-
// minute quota alone throttles the fourth call of a minute.
func TestBedrockRequestsPerMinute(t *testing.T) {
	cfg := fastModel()
	cfg.Bedrock.RequestsPerMinute = 2 // one more every 30 s: 1.5 s of wall time
	s, c := startScaled(t, cfg, 0.05)
	tok := c.login("a")
	chat := c.newChat(tok)
	var codes []int
	for range 3 {
		r, _ := c.ask(tok, chat, "how fast?")
		codes = append(codes, r.status)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("statuses %v: want two answers, then 429", codes)
	}
	if sum, _ := total(s, s.models[0].throttles); sum != float64(cfg.Retry.MaxAttempts) {
		t.Errorf("InvocationThrottles = %v, want %d (every attempt of the fourth call)", sum, cfg.Retry.MaxAttempts)
	}
}

// TestSeveralModels: a turn that names a model is answered and counted by
// that model; an unknown one is refused naming the sim's models.
func TestSeveralModels(t *testing.T) {
	cfg := fastModel()
	small := 5000.0
	cfg.Bedrock.Models = []ModelConf{{ModelID: "amazon.nova-micro-v1:0", TokensPerMinute: &small, TokensPerSecond: 400}}
	s, c := startScaled(t, cfg, 0.05) // the quota refills slowly next to a busy machine's delays
	tok := c.login("a")
	chat := c.newChat(tok)
	_, a1 := c.ask(tok, chat, "default model")
	r2, a2 := c.askModel(tok, chat, "small model", "amazon.nova-micro-v1:0")
	if a1.Model != cfg.Bedrock.ModelID || r2.status != 200 || a2.Model != "amazon.nova-micro-v1:0" {
		t.Fatalf("models %q and %q (status %d)", a1.Model, a2.Model, r2.status)
	}
	nova := s.model("amazon.nova-micro-v1:0")
	if in, _ := total(s, nova.inputTokens); int(in) != a2.Usage.InputTokens {
		t.Errorf("nova InputTokenCount %v, want %d", in, a2.Usage.InputTokens)
	}
	if in, _ := total(s, s.models[0].inputTokens); int(in) != a1.Usage.InputTokens {
		t.Errorf("default model InputTokenCount %v, want %d", in, a1.Usage.InputTokens)
	}
	// Nova's own 5,000-token quota: input + max_tokens (700) a call.
	var throttled bool
	for range 8 {
		if r, _ := c.askModel(tok, chat, "again", "amazon.nova-micro-v1:0"); r.status == 429 {
			throttled = true
			break
		}
	}
	if !throttled {
		t.Errorf("nova-micro's 5,000 tokens per minute never throttled")
	}
	if sum, _ := total(s, s.models[0].throttles); sum != 0 {
		t.Errorf("the default model was throttled %v times by nova's quota", sum)
	}
	r, _ := c.askModel(tok, chat, "which?", "anthropic.claude-opus-9")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "amazon.nova-micro-v1:0") {
		t.Errorf("unknown model: %d %s; want 400 naming the sim's models", r.status, r.body)
	}
}

// TestBedrockClientAndServerErrors: a conversation past the context window
// is a client error (400), a failing model a server error retried by the
// SDK; both are published as AWS does.
func TestBedrockClientAndServerErrors(t *testing.T) {
	cfg := fastModel()
	cfg.Bedrock.ContextWindow = 1500 // 350 system + 700 max_tokens leave 450 for the conversation
	s, c := start(t, cfg)
	tok := c.login("a")
	chat := c.newChat(tok)
	var last int
	for i := 0; i < 10 && last != http.StatusBadRequest; i++ {
		r, _ := c.ask(tok, chat, strings.Repeat("long question ", 20))
		last = r.status
	}
	if last != http.StatusBadRequest {
		t.Fatalf("the conversation never outgrew the context window")
	}
	if sum, _ := total(s, s.models[0].clientErrors); sum != 1 || s.Counters().BedrockTooLong.Load() != 1 {
		t.Errorf("InvocationClientErrors %v, counter %d; want 1", sum, s.Counters().BedrockTooLong.Load())
	}

	cfg = fastModel()
	cfg.Bedrock.ServerErrorRate = 0.5
	s, c = start(t, cfg)
	tok = c.login("a")
	chat = c.newChat(tok)
	codes := map[int]int{}
	for range 12 {
		r, _ := c.ask(tok, chat, "flaky?")
		codes[r.status]++
	}
	errs := s.Counters().BedrockServerErrors.Load()
	if sum, _ := total(s, s.models[0].serverErrors); sum != float64(errs) || errs == 0 {
		t.Errorf("InvocationServerErrors %v, counted %d", sum, errs)
	}
	if codes[200] == 0 || codes[200]+codes[502] != 12 {
		t.Errorf("statuses %v: want answers and 502s only", codes)
	}
}

func TestModelConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"bedrock: {model_id: anthropic.claude-9}", `bedrock.model_id "anthropic.claude-9" is not a Bedrock model brink knows: use one of anthropic.claude-3-haiku`},
		{"bedrock: {tokens_per_minute: 0}", "tokens_per_minute 0 must be positive"},
		{"bedrock: {requests_per_minute: -5}", "requests_per_minute -5 must be positive"},
		{"bedrock: {models: [{model_id: amazon.nova-pro-v1:0, tokens_per_minute: 0}]}", "bedrock.models[0] (amazon.nova-pro-v1:0): tokens_per_minute 0 must be positive"},
		{"bedrock: {models: [{model_id: nova}]}", `bedrock.models[0].model_id "nova" is not a Bedrock model brink knows`},
	}
	for _, tc := range cases {
		_, err := ParseConfig("m.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sim config m.yaml: ") {
			t.Errorf("%s: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
	if _, err := ParseConfig("m.yaml", []byte("bedrock: {model_id: us.anthropic.claude-haiku-4-5-20251001-v1:0}")); err != nil {
		t.Errorf("an inference profile id: %v", err)
	}
}

// TestQuotaReservationAndBurndown: a call reserves input + max_tokens of the
// tokens-per-minute quota and at its end keeps input + output × the
// model's burndown rate: 1 for Claude 3 Haiku, 5 for Claude Haiku 4.5 (also
// through an inference profile).
func TestQuotaReservationAndBurndown(t *testing.T) {
	ep := time.Unix(1_800_000_000, 0)
	b := DefaultConfig().Bedrock
	for _, c := range []struct {
		id   string
		burn float64
	}{{"anthropic.claude-3-haiku-20240307-v1:0", 1}, {"anthropic.claude-haiku-4-5-20251001-v1:0", 5}, {"us.anthropic.claude-haiku-4-5-20251001-v1:0", 5}} {
		b.ModelID = c.id
		m := newModel(b.ModelConfs()[0], b, ep)
		tpm := *m.conf.TokensPerMinute
		if !m.reserve(ep, 1000+b.MaxTokens) || m.tokens != tpm-1000-float64(b.MaxTokens) {
			t.Fatalf("%s: after the reservation %v left of %v, want %v", c.id, m.tokens, tpm, tpm-1000-float64(b.MaxTokens))
		}
		m.settle(ep, b.MaxTokens, 120)
		if want := tpm - 1000 - c.burn*120; m.tokens != want {
			t.Errorf("%s: after the call %v left, want %v (input 1000 + 120 output × %v)", c.id, m.tokens, want, c.burn)
		}
	}
}
