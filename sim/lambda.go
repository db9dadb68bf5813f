package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// invocation is one request's way through API Gateway and the function. The
// model advances it phase by phase, sleeping each modelled delay, so limits
// that depend on the time (token buckets, idle environments) see the
// scenario time at which each phase really happens.
type invocation struct {
	s       *Sim
	ctx     context.Context
	start   time.Time     // scenario time API Gateway received the request
	spent   time.Duration // modelled time so far
	limit   time.Duration // the integration timeout
	expired bool          // the integration timeout ended it
	failed  bool          // a function error (Lambda Errors)
	body    []byte        // the request body, read before the function runs
	user    uint64        // userKey of the token's user (authed routes)
	turn    bool          // a conversation turn: its lateness is recorded
}

// wait spends d of modelled time. It returns false when the request must
// stop: the integration timeout came first (expired is set) or the client
// went away.
//
// It sleeps until the modelled instant (start + spent + d), not for d: a
// timer wakes a little late every time, and a turn waits a dozen times, so
// sleeping durations added each wake-up's delay to the next (about 300 ms
// of scenario time a turn at time scale 0.02, all of it the sim's own).
func (v *invocation) wait(d time.Duration) bool {
	if v.spent+d >= v.limit {
		v.s.sleepUntil(v.ctx, v.start.Add(v.limit))
		v.spent, v.expired = v.limit, true
		return false
	}
	if !v.s.sleepUntil(v.ctx, v.start.Add(v.spent+d)) {
		return false
	}
	v.spent += d
	return true
}

// now is the scenario time the invocation has reached.
func (v *invocation) now() time.Time { return v.start.Add(v.spent) }

// env is one Lambda execution environment.
type env struct {
	lastUsed time.Time // scenario time it went idle
}

// envPool keeps idle execution environments. Lambda reuses a warm one when
// it can; one idle longer than the idle timeout has been reclaimed.
type envPool struct {
	mu   sync.Mutex
	idle []*env // most recently used last
}

func (p *envPool) acquire(now time.Time, idleTimeout time.Duration) (e *env, cold bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Environments idle too long are gone; the oldest sit first.
	i := 0
	for i < len(p.idle) && now.Sub(p.idle[i].lastUsed) > idleTimeout {
		i++
	}
	p.idle = p.idle[i:]
	if n := len(p.idle); n > 0 {
		e = p.idle[n-1]
		p.idle = p.idle[:n-1]
		return e, false
	}
	return &env{}, true
}

func (p *envPool) release(e *env, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e.lastUsed = now
	// Keep the slice ordered by lastUsed: releases arrive nearly in order.
	i := len(p.idle)
	for i > 0 && p.idle[i-1].lastUsed.After(now) {
		i--
	}
	p.idle = append(p.idle, nil)
	copy(p.idle[i+1:], p.idle[i:])
	p.idle[i] = e
}

// handler is a Lambda handler: it advances v and writes the answer with
// serviceTime(w, v.spent). When v.wait returns false it returns at once and
// lambda answers the timeout.
type handler func(w http.ResponseWriter, r *http.Request, v *invocation)

// respWriter remembers the status written, so API Gateway's metrics and
// the timeout answer know what the client got.
type respWriter struct {
	http.ResponseWriter
	status int
}

func (w *respWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *respWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *respWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// lambda wraps a route in API Gateway and the function: the concurrency
// limit, cold starts, the integration timeout, the metrics and REPORT line.
func (s *Sim) lambda(h handler) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		s.counters.Requests.Add(1)
		w := &respWriter{ResponseWriter: rw}
		v := &invocation{s: s, ctx: r.Context(), limit: s.cfg.APIGateway.IntegrationTimeout}
		defer s.recordAPI(v, w)
		overhead := s.cfg.APIGateway.Overhead

		// API Gateway has the whole request before it invokes the function,
		// so a client that sends its body slowly holds no Lambda slot.
		body, status := s.readBody(rw, r)
		v.start, v.body = s.clock.Now(), body
		if status != 0 {
			if status == http.StatusRequestTimeout {
				s.counters.BodyTimeouts.Add(1)
			}
			w.Header().Set("Connection", "close")
			writeJSON(w, status, apiError{http.StatusText(status)})
			return
		}
		if body == nil { // the client went away
			return
		}

		if !s.apiThrottle.take(v.start) {
			s.counters.APIThrottles.Add(1)
			serviceTime(w, v.spent)
			writeJSON(w, http.StatusTooManyRequests, apiError{"Too Many Requests"})
			return
		}
		n := s.lambdaInFlight.Add(1)
		if n > int64(s.cfg.Lambda.ConcurrencyLimit) {
			s.lambdaInFlight.Add(-1)
			s.lambdaThrottled(w, v, v.start)
			return
		}
		s.concurrency(v.start, float64(n))
		defer func() {
			left := s.lambdaInFlight.Add(-1)
			s.concurrency(v.now(), float64(left))
		}()
		if !v.wait(overhead) {
			s.answerExpired(w, v)
			return
		}

		e, cold := s.envs.acquire(v.now(), s.cfg.Lambda.IdleTimeout)
		if cold && !s.scaling.take(v.now()) {
			// Past the scaling rate no new environment is made: throttled.
			s.lambdaThrottled(w, v, v.now())
			return
		}
		var init time.Duration
		if cold {
			s.counters.ColdStarts.Add(1)
			init = time.Duration(s.lognormal(float64(s.cfg.Lambda.InitDuration), s.cfg.Lambda.InitSigma))
		}
		fnStart := v.now()
		if s.pause != nil {
			s.pause(fnStart)
		}
		if v.wait(init) {
			h(w, r, v)
		}
		end := v.now()
		if v.turn {
			s.recordLateness(v)
		}
		s.envs.release(e, end)
		s.answerExpired(w, v)

		dur := end.Sub(fnStart) - init
		s.record(s.m.fnInvocations, fnStart, 1)
		s.record(s.m.acInvocations, fnStart, 1)
		s.record(s.m.fnDuration, fnStart, ms(dur))
		s.record(s.m.acDuration, fnStart, ms(dur))
		if v.failed {
			s.record(s.m.fnErrors, fnStart, 1)
			s.record(s.m.acErrors, fnStart, 1)
		}
		s.logs.add(report{at: end.UnixNano(), seq: s.invocations.Add(1), durUS: int32(dur / time.Microsecond),
			initUS: int32(init / time.Microsecond), memMB: uint16(s.cfg.Lambda.MemoryMB), use: uint16(s.memoryUsed())})
	}
}

// lambdaThrottled answers Lambda's throttle at scenario time t. Lambda
// refuses the invocation with TooManyRequestsException (429), but through
// API Gateway's Lambda proxy integration the client gets 500 "Internal
// server error" (and 5XXError counts it): the function never ran, so there
// is no proxy answer to pass on. A 429 reaches the client only from API
// Gateway's own throttling.
func (s *Sim) lambdaThrottled(w http.ResponseWriter, v *invocation, t time.Time) {
	s.counters.LambdaThrottles.Add(1)
	s.record(s.m.fnThrottles, t, 1)
	s.record(s.m.acThrottles, t, 1)
	v.wait(s.cfg.APIGateway.Overhead)
	serviceTime(w, v.spent)
	writeJSON(w, http.StatusInternalServerError, apiError{"Internal server error"})
}

// readBody reads a request body under the body read timeout (wall clock).
// It returns the status to answer when the body is late (408) or too large
// (413), and a nil body when the client went away.
func (s *Sim) readBody(rw http.ResponseWriter, r *http.Request) ([]byte, int) {
	rc := http.NewResponseController(rw)
	rc.SetReadDeadline(time.Now().Add(s.cfg.APIGateway.BodyReadTimeout))
	defer rc.SetReadDeadline(time.Time{})
	max := s.cfg.APIGateway.MaxBodyBytes
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, http.StatusRequestTimeout
	case err != nil:
		return nil, 0
	case int64(len(b)) > max:
		return nil, http.StatusRequestEntityTooLarge
	}
	if b == nil {
		b = []byte{}
	}
	return b, 0
}

// answerExpired sends API Gateway's 504 if the timeout ended the request
// before the function answered.
func (s *Sim) answerExpired(w *respWriter, v *invocation) {
	if !v.expired || w.status != 0 {
		return
	}
	s.counters.Timeouts.Add(1)
	serviceTime(w, v.spent)
	writeJSON(w, http.StatusGatewayTimeout, apiError{"Endpoint request timed out"})
}

// recordAPI publishes API Gateway's metrics for one request, at its arrival.
func (s *Sim) recordAPI(v *invocation, w *respWriter) {
	if w.status == 0 { // the client went away before any answer
		return
	}
	s.record(s.m.apiCount, v.start, 1)
	s.record(s.m.api4xx, v.start, b2f(w.status >= 400 && w.status < 500))
	s.record(s.m.api5xx, v.start, b2f(w.status >= 500))
	s.record(s.m.apiLatency, v.start, ms(v.spent))
	s.record(s.m.apiIntegration, v.start, ms(v.spent-min(v.spent, s.cfg.APIGateway.Overhead)))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// requestID makes a UUID-shaped Lambda request id that depends only on the
// seed and the invocation's number.
func requestID(seed int64, n uint64) string {
	a := splitmix(uint64(seed) ^ n)
	b := splitmix(a)
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, uint16(b>>48)&0xfff, b&0xffffffffffff)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// memoryUsed is the REPORT line's Max Memory Used: a runtime's baseline
// plus a little noise, never above the configured memory.
func (s *Sim) memoryUsed() int {
	return min(s.cfg.Lambda.MemoryMB, 78+int(s.uniform()*12))
}
