package sim

import (
	"sync"
	"testing"
	"time"
)

// burst sends n logins at once and counts the statuses.
func burst(c *client, n int) map[int]int {
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			r := c.post("/auth/login", "", LoginRequest{Username: "u", Password: "x"}, "")
			mu.Lock()
			codes[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return codes
}

// TestAPIGatewayThrottling: the stage's token bucket lets its burst through,
// then answers 429 without invoking the function, counted in 4XXError.
func TestAPIGatewayThrottling(t *testing.T) {
	cfg := fastModel()
	cfg.APIGateway.ThrottleRate, cfg.APIGateway.ThrottleBurst = 0.01, 3 // a token every 100 s: 5 s of wall time
	s, c := startScaled(t, cfg, 0.05)
	codes := burst(c, 8)
	if codes[200] != 3 || codes[429] != 5 {
		t.Fatalf("statuses %v: want 3 answered, 5 throttled", codes)
	}
	k := s.Counters()
	if k.APIThrottles.Load() != 5 || k.LambdaThrottles.Load() != 0 {
		t.Errorf("API Gateway throttles %d, Lambda throttles %d; want 5 and 0", k.APIThrottles.Load(), k.LambdaThrottles.Load())
	}
	if sum, _ := total(s, s.m.api4xx); sum != 5 {
		t.Errorf("4XXError = %v, want 5", sum)
	}
	if sum, _ := total(s, s.m.fnInvocations); sum != 3 {
		t.Errorf("Lambda Invocations = %v, want 3 (throttled requests never reach the function)", sum)
	}
}

// TestLambdaScalingRate: past the scaling rate, cold starts are throttled.
func TestLambdaScalingRate(t *testing.T) {
	cfg := fastModel()
	cfg.Lambda.ScaleUpPer10s = 2 // a new environment every 5 s: 2.5 s of wall time
	s, c := startScaled(t, cfg, 0.5)
	codes := burst(c, 6)
	if codes[200] != 2 || codes[500] != 4 {
		t.Fatalf("statuses %v: want 2 new environments, 4 throttled (500 through API Gateway)", codes)
	}
	if sum, _ := total(s, s.m.fnThrottles); sum != 4 {
		t.Errorf("Throttles = %v, want 4", sum)
	}
	if got := s.Counters().ColdStarts.Load(); got != 2 {
		t.Errorf("cold starts %d, want 2", got)
	}
}

// TestAccountLevelLambdaMetrics: the account's dimensionless series add up
// to the function's; UnreservedConcurrentExecutions counts the function
// only when it runs without a reservation.
func TestAccountLevelLambdaMetrics(t *testing.T) {
	for _, reserved := range []bool{true, false} {
		cfg := fastModel()
		cfg.Lambda.Reserved = reserved
		cfg.Lambda.ConcurrencyLimit = 2
		// A login that takes a second of wall time keeps the first two
		// in flight while the other four arrive, however busy the machine.
		cfg.Lambda.AuthDuration = 2 * time.Second
		s, c := startScaled(t, cfg, 0.5)
		codes := burst(c, 6)
		if codes[500] == 0 {
			t.Fatalf("statuses %v: want some throttled (500) at concurrency 2", codes)
		}
		for _, p := range []struct {
			name     string
			fn, acct *series
		}{
			{"Invocations", s.m.fnInvocations, s.m.acInvocations},
			{"Throttles", s.m.fnThrottles, s.m.acThrottles},
			{"Errors", s.m.fnErrors, s.m.acErrors},
			{"Duration", s.m.fnDuration, s.m.acDuration},
		} {
			fs, fn := total(s, p.fn)
			as, an := total(s, p.acct)
			if fs != as || fn != an {
				t.Errorf("reserved %v: %s: account %v/%v, function %v/%v", reserved, p.name, as, an, fs, fn)
			}
		}
		peak := func(sr *series) float64 {
			now := s.clock.Now().Unix() + 3600
			var m float64
			for _, a := range s.metrics.aggregate(sr, 0, now, 3600, now) {
				m = max(m, a.Max)
			}
			return m
		}
		want := 0.0
		if !reserved {
			want = 2
		}
		if peak(s.m.acConcurrent) != 2 || peak(s.m.acUnreserved) != want {
			t.Errorf("reserved %v: account ConcurrentExecutions max %v, Unreserved max %v; want 2, %v",
				reserved, peak(s.m.acConcurrent), peak(s.m.acUnreserved), want)
		}
	}
	if _, err := ParseConfig("m.yaml", []byte("lambda: {concurrency_limit: 950}")); err == nil {
		t.Errorf("a reservation of 950 of 1,000 was accepted: AWS keeps 100 unreserved")
	}
	if _, err := ParseConfig("m.yaml", []byte("lambda: {concurrency_limit: 950, reserved: false}")); err != nil {
		t.Errorf("950 of the unreserved pool: %v", err)
	}
}
