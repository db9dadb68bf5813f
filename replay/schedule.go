package replay

import (
	"iter"
	"math/rand/v2"
	"time"

	"brink"
)

// Slot is one start in a plan's schedule: a virtual user joining (closed
// model) or a session arriving (open model), by its global id.
type Slot struct {
	ID    int32
	Level int
	At    time.Time // scenario time
}

// Shard is one stripe of a plan run on several generators: each computes
// the whole schedule and keeps slot v when v mod Count == Index. The zero
// Shard is the whole plan.
type Shard struct {
	Index, Count int
}

// Owns reports whether the slot with this global id runs on the shard.
func (s Shard) Owns(id int32) bool { return s.Count <= 1 || int(id)%s.Count == s.Index }

// Sharded reports whether the plan is split at all.
func (s Shard) Sharded() bool { return s.Count > 1 }

// Schedule yields the plan's starts from start, in time order: the closed
// model's new users of each level spread evenly over its ramp, or the open
// model's arrivals, a Poisson process seeded with seed whose rate rises
// linearly over each ramp to the level's rate and holds it. It is a pure
// function of its arguments, so every shard computes the same schedule.
func Schedule(plan brink.Plan, start time.Time, seed int64) iter.Seq[Slot] {
	timeline := plan.Timeline(start)
	if plan.Open() {
		return arrivals(plan, timeline, seed)
	}
	return func(yield func(Slot) bool) {
		prev := 0
		var id int32
		for i, lw := range timeline {
			added := lw.Users - prev
			for k := range added {
				at := lw.RampStart.Add(time.Duration(float64(plan.Ramp.Std()) * float64(k) / float64(added)))
				if !yield(Slot{ID: id, Level: i, At: at}) {
					return
				}
				id++
			}
			prev = lw.Users
		}
	}
}

func arrivals(plan brink.Plan, timeline []brink.LevelWindow, seed int64) iter.Seq[Slot] {
	return func(yield func(Slot) bool) {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x6f70656e))
		var id int32
		t := timeline[0].RampStart
		prev := 0.0
		ramp := plan.Ramp.Std()
		for i, lw := range timeline {
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
				if !yield(Slot{ID: id, Level: i, At: t}) {
					return
				}
				id++
			}
			prev = rate
		}
	}
}
