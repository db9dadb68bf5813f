package sim

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"brink"
)

// model is one Bedrock model's on-demand quotas and metrics. Its quotas are
// buckets refilled continuously: tokens per minute, where a call reserves
// its input tokens plus max_tokens up front, as Bedrock does, and gets back
// what the answer did not use; and requests per minute, one a call.
type model struct {
	conf     ModelConf // resolved: every field set
	inFlight atomic.Int64

	mu        sync.Mutex
	tokens    float64
	requests  float64
	at        time.Time
	degradeAt float64
	maxTokens int
	burn      float64 // quota tokens an output token uses (brink.OutputBurndown)
	invocations, latency, throttles, clientErrors, serverErrors,
	inputTokens, outputTokens, ttft *series
}

func newModel(c ModelConf, b BedrockConf, epoch time.Time) *model {
	return &model{conf: c, tokens: *c.TokensPerMinute, requests: *c.RequestsPerMinute, at: epoch,
		degradeAt: b.DegradeAt, maxTokens: b.MaxTokens, burn: brink.OutputBurndown(c.ModelID)}
}

func (m *model) refill(now time.Time) {
	if dt := now.Sub(m.at).Seconds(); dt > 0 {
		m.tokens = min(*m.conf.TokensPerMinute, m.tokens+dt**m.conf.TokensPerMinute/60)
		m.requests = min(*m.conf.RequestsPerMinute, m.requests+dt**m.conf.RequestsPerMinute/60)
		m.at = now
	}
}

// reserve takes one request and n tokens at scenario time now, or reports
// a throttle and takes nothing.
func (m *model) reserve(now time.Time, n int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refill(now)
	if m.tokens < float64(n) || m.requests < 1 {
		return false
	}
	m.tokens -= float64(n)
	m.requests--
	return true
}

// settle ends a call that reserved max_tokens of output and produced out:
// the quota keeps the output at the model's burndown rate (5 tokens an
// output token for Claude 3.7 and later) and gives back the rest of the
// reservation, or takes more when the burned output is past it.
func (m *model) settle(now time.Time, maxTokens, out int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refill(now)
	m.tokens = min(*m.conf.TokensPerMinute, m.tokens+float64(maxTokens)-m.burn*float64(out))
}

func (m *model) refund(now time.Time, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refill(now)
	m.tokens = min(*m.conf.TokensPerMinute, m.tokens+float64(n))
}

// slowdown is the latency factor at c concurrent invocations.
func (m *model) slowdown(c int64) float64 {
	x := float64(c) / m.degradeAt
	return 1 + x*x
}

// outputTokens draws an answer length.
func (s *Sim) outputTokens() int {
	bc := s.cfg.Bedrock
	n := int(math.Round(s.lognormal(bc.OutputMedian*bc.Verbosity, bc.OutputSigma)))
	return min(max(n, 1), bc.MaxTokens)
}

// callOutcome is how an InvokeModel call ended before generating.
type callOutcome uint8

const (
	callStarted   callOutcome = iota
	callThrottled             // still throttled after the retries
	callTooLong               // ValidationException: input past the context window
	callFailed                // ModelErrorException/InternalServerException after the retries
	callStopped               // the invocation ended meanwhile (v.expired tells)
)

// invokeModel starts a call of in input tokens to m, retrying throttles and
// server errors as the SDK does.
func (s *Sim) invokeModel(v *invocation, m *model, in int) callOutcome {
	if in+m.maxTokens > m.conf.ContextWindow {
		s.record(m.clientErrors, v.now(), 1)
		return callTooLong
	}
	need := in + m.maxTokens
	for attempt := 1; ; attempt++ {
		now := v.now()
		var out callOutcome
		switch {
		case !m.reserve(now, need):
			s.counters.BedrockThrottles.Add(1)
			s.record(m.throttles, now, 1)
			out = callThrottled
		case *m.conf.ServerErrorRate > 0 && s.uniform() < *m.conf.ServerErrorRate:
			m.refund(now, need)
			s.counters.BedrockServerErrors.Add(1)
			s.record(m.serverErrors, now, 1)
			out = callFailed
		default:
			return callStarted
		}
		if attempt >= s.cfg.Retry.MaxAttempts {
			return out
		}
		if !v.wait(s.backoff(attempt)) {
			return callStopped
		}
	}
}
