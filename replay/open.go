package replay

import (
	"context"
	"math/rand/v2"
	"time"
)

// defaultMaxSessions caps the open model's sessions in flight.
const defaultMaxSessions = 10_000

// addArrivals is the open model: new sessions arrive as a Poisson process
// whose rate rises linearly over each level's ramp to the level's rate and
// holds it. Arrivals do not wait for answers, so a slow target does not slow
// the load (no coordinated omission); when MaxSessions are in flight an
// arrival waits, and the wait shows as start − scheduled.
func (r *Runner) addArrivals(ctx context.Context) {
	plan := r.opts.Plan
	rng := rand.New(rand.NewPCG(uint64(r.opts.Seed), 0x6f70656e))
	limit := plan.MaxSessions
	if limit <= 0 {
		limit = defaultMaxSessions
	}
	sem := make(chan struct{}, limit)
	var id int32
	t := r.start
	prev := 0.0
	ramp := plan.Ramp.Std()
	for i, lw := range r.timeline {
		rate := plan.RateAt(i)
		for {
			cur := rate
			if ramp > 0 && t.Before(lw.SteadyStart) {
				frac := float64(t.Sub(lw.RampStart)) / float64(ramp)
				cur = prev + (rate-prev)*max(frac, 0)
			}
			cur = max(cur, rate*0.05) // the first ramp starts from zero
			t = t.Add(time.Duration(rng.ExpFloat64() / cur * float64(time.Minute)))
			if !t.Before(lw.End) {
				break
			}
			if !r.sleepUntil(ctx, t) {
				return
			}
			r.wg.Add(1)
			go r.arrival(id, t, sem)
			id++
		}
		prev = rate
	}
}

// arrival runs one open-model session: the once steps, one chat session.
func (r *Runner) arrival(id int32, scheduled time.Time, sem chan struct{}) {
	defer r.wg.Done()
	select {
	case sem <- struct{}{}:
	case <-r.stopCh:
		return
	}
	defer func() { <-sem }()
	r.activeUsers.Add(1)
	defer r.activeUsers.Add(-1)
	st := r.newVU(id)
	st.next = scheduled
	if !r.login(st) {
		return
	}
	st.session = 1
	st.vars.set("session", "1", false)
	r.runSession(st, r.picker.Next(st.id))
}
