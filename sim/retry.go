package sim

import (
	"math"
	"time"
)

// backoff is the wait before retry attempt+1 after attempt (from 1) failed:
// aws-sdk-go-v2's ExponentialJitterBackoff, uniform in
// [0, min(Base × 2^attempt, MaxBackoff)).
func (s *Sim) backoff(attempt int) time.Duration {
	rc := s.cfg.Retry
	ceil := math.Min(float64(rc.Base)*math.Pow(2, float64(attempt)), float64(rc.MaxBackoff))
	return time.Duration(s.uniform() * ceil)
}

func mathExp(x float64) float64 { return math.Exp(x) }
