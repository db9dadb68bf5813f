package replay

import (
	"context"
	"time"
)

// defaultMaxSessions caps the open model's sessions in flight.
const defaultMaxSessions = 10_000

// addArrivals is the open model: new sessions arrive as Schedule says (a
// Poisson process). Arrivals do not wait for answers, so a slow target does
// not slow the load (no coordinated omission); when MaxSessions are in
// flight an arrival waits, and the wait shows as start − scheduled. A shard
// runs the arrivals it owns.
func (r *Runner) addArrivals(ctx context.Context) {
	limit := r.opts.Plan.MaxSessions
	if limit <= 0 {
		limit = defaultMaxSessions
	}
	sem := make(chan struct{}, limit)
	for s := range Schedule(r.opts.Plan, r.start, r.opts.Seed) {
		if !r.opts.Shard.Owns(s.ID) {
			continue
		}
		if !r.sleepUntil(ctx, s.At) {
			return
		}
		r.wg.Add(1)
		go r.arrival(s.ID, s.At, sem)
	}
}

// arrival runs one open-model session: the once steps, one chat session.
// It holds one of the run's session slots until the session ends.
func (r *Runner) arrival(id int32, scheduled time.Time, sem chan struct{}) {
	select {
	case sem <- struct{}{}:
	case <-r.stopCh:
		r.wg.Done()
		return
	}
	r.activeUsers.Add(1)
	st := r.newVU(id)
	st.next, st.single, st.sem = scheduled, true, sem
	r.wake.sleep(r, st, time.Now())
}
