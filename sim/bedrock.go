package sim

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// bedrock models one model's on-demand quota: a tokens-per-minute bucket
// refilled continuously. A call reserves its input tokens plus max_tokens
// up front, as Bedrock does, and gets back what the answer did not use.
type bedrock struct {
	conf     BedrockConf
	inFlight atomic.Int64

	mu    sync.Mutex
	level float64
	at    time.Time
}

func (b *bedrock) init(c BedrockConf, epoch time.Time) {
	b.conf, b.level, b.at = c, c.TokensPerMinute, epoch
}

func (b *bedrock) refill(now time.Time) {
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.level = min(b.conf.TokensPerMinute, b.level+dt*b.conf.TokensPerMinute/60)
		b.at = now
	}
}

// reserve takes n tokens at scenario time now, or reports a throttle.
func (b *bedrock) reserve(now time.Time, n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.level < float64(n) {
		return false
	}
	b.level -= float64(n)
	return true
}

func (b *bedrock) refund(now time.Time, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.level = min(b.conf.TokensPerMinute, b.level+float64(n))
}

// slowdown is the latency factor at c concurrent invocations.
func (b *bedrock) slowdown(c int64) float64 {
	x := float64(c) / b.conf.DegradeAt
	return 1 + x*x
}

// outputTokens draws an answer length.
func (s *Sim) outputTokens() int {
	bc := s.cfg.Bedrock
	n := int(math.Round(s.lognormal(bc.OutputMedian*bc.Verbosity, bc.OutputSigma)))
	return min(max(n, 1), bc.MaxTokens)
}

// invokeModel reserves quota for a call of in input tokens, retrying
// throttles as the SDK does. It returns false when the call did not start
// (throttled to the end, or the invocation stopped; v.expired tells).
func (s *Sim) invokeModel(v *invocation, in int) bool {
	need := in + s.cfg.Bedrock.MaxTokens
	for attempt := 1; ; attempt++ {
		now := v.now()
		if s.bedrock.reserve(now, need) {
			return true
		}
		s.counters.BedrockThrottles.Add(1)
		s.record(s.m.brThrottles, now, 1)
		if attempt >= s.cfg.Retry.MaxAttempts || !v.wait(s.backoff(attempt)) {
			return false
		}
	}
}
