package sim

import (
	"sync"
	"time"
)

// tokenBucket holds up to burst tokens, refilled at rate a second of
// scenario time; it starts full. API Gateway's throttling and Lambda's
// scaling rate are such buckets.
type tokenBucket struct {
	mu          sync.Mutex
	rate, burst float64
	level       float64
	at          time.Time
}

func newTokenBucket(rate, burst float64, epoch time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: burst, level: burst, at: epoch}
}

// take takes one token at scenario time now, or reports that none is left.
func (b *tokenBucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if dt := now.Sub(b.at).Seconds(); dt > 0 {
		b.level = min(b.burst, b.level+dt*b.rate)
		b.at = now
	}
	if b.level < 1 {
		return false
	}
	b.level--
	return true
}
