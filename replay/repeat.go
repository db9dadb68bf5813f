package replay

import (
	"context"
	"errors"
	"time"

	"brink"
)

// A hold judged suspect (Options.RepeatHold: brink run
// --strict-measurement) is held once more before its stop rules are
// believed. The level then lasts a hold longer: its timeline window's hold
// becomes the repeat (the first hold is kept in RepeatedHold) and every
// later level moves a hold later. The timeline is swapped whole
// (copy on write), so the request path reads it without a lock, and the
// ramps of later levels wait at a gate until the hold before them is final.

// levels is the level timeline as it stands (repeats included).
func (r *Runner) levels() []brink.LevelWindow { return *r.timeline.Load() }

// checkRepeat refuses RepeatHold where it cannot work.
func checkRepeat(o *Options) error {
	switch {
	case o.RepeatHold == nil:
		return nil
	case o.Shard.Sharded():
		return errors.New("--strict-measurement cannot repeat a hold in a sharded run: the shards share one timeline")
	case o.Plan.Open():
		return errors.New("--strict-measurement repeats closed-model holds only: the open model's arrivals follow the plan's timeline")
	}
	return nil
}

// repeatHold asks, at the end of level i's hold, whether to hold it once
// more; if so it extends the timeline and starts a fresh tally for the
// repeat. A level is repeated at most once.
func (r *Runner) repeatHold(i int) bool {
	if r.opts.RepeatHold == nil || r.repeated[i] {
		return false
	}
	tl := r.levels()
	if !r.opts.RepeatHold(tl[i]) {
		return false
	}
	r.repeated[i] = true
	hold := r.opts.Plan.Hold.Std()
	next := append([]brink.LevelWindow(nil), tl...)
	lw := &next[i]
	lw.RepeatedHold = &brink.Span{Start: lw.SteadyStart, End: lw.End}
	lw.SteadyStart, lw.End = lw.End, lw.End.Add(hold)
	for j := i + 1; j < len(next); j++ {
		next[j].RampStart = next[j].RampStart.Add(hold)
		next[j].SteadyStart = next[j].SteadyStart.Add(hold)
		next[j].End = next[j].End.Add(hold)
	}
	r.timeline.Store(&next)
	return true
}

// holdFinal opens the gate of the level after i: its ramp may start.
func (r *Runner) holdFinal(i int) {
	if r.gates != nil && i < len(r.gates) {
		close(r.gates[i])
	}
}

// waitRamp holds back a start of level lvl until the hold before it is
// final; it returns the start moved by the holds repeated so far, and
// false when the run stops first.
func (r *Runner) waitRamp(ctx context.Context, s Slot) (Slot, bool) {
	if r.gates == nil || s.Level == 0 {
		return s, true
	}
	select {
	case <-r.gates[s.Level-1]:
	case <-r.stopCh:
		return s, false
	case <-ctx.Done():
		return s, false
	}
	s.At = s.At.Add(r.levels()[s.Level].RampStart.Sub(r.planned[s.Level].RampStart))
	return s, true
}

// windowAt is the tally a request of level lvl starting at t counts in: a
// repeated level's repeat has its own.
func (r *Runner) windowAt(lvl int, start time.Time) *window {
	if tl := r.levels(); tl[lvl].RepeatedHold != nil && !start.Before(tl[lvl].SteadyStart) {
		return r.repeats[lvl]
	}
	return r.windows[lvl]
}
