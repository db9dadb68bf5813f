// Package gcfloor keeps Go's garbage collector from running more often than
// once per Floor bytes allocated, while the live heap is small.
//
// A load generator's live heap is small (its users' state, the open trace
// segment) but it allocates for every request, so with GOGC=100 the collector
// runs many times a second and its marking, assists and sweeping take a tenth
// of the generator's core: CPU the requests then cannot have. Raising the
// heap goal to at least the live heap plus Floor makes collections rare for
// small runs; once the live heap passes Floor (100,000 users), GOGC=100's
// goal is the larger one and applies as usual, so a big run's peak stays at
// about twice its live heap. This is the "ballast" that GOMEMLIMIT cannot
// give (a memory limit only ever makes the collector run more often), done
// with the documented knob: debug.SetGCPercent, adjusted as the live heap
// changes.
package gcfloor

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Floor is the least heap growth between collections: 256 MiB.
const Floor = 256 << 20

// maxPercent bounds the percentage when the live heap is tiny (a few MiB at
// start), so a heap that suddenly grows is still collected in time.
const maxPercent = 10000

// every is how often the live heap is read. It changes only when a
// collection ends, and those are now rare.
const every = 250 * time.Millisecond

// Percent is the GOGC percentage that gives a heap of live bytes a goal of
// at least live + floor, and never less than Go's default 100.
func Percent(live, floor uint64) int {
	if live == 0 {
		return maxPercent
	}
	p := float64(floor) * 100 / float64(live) // as floats: floor × 100 may not fit
	switch {
	case p < 100:
		return 100
	case p > maxPercent:
		return maxPercent
	}
	return int(p)
}

// Start keeps the heap goal at least the live heap plus floor until ctx ends
// or stop is called, which restores the percentage it found. It does nothing
// when the user chose a policy with GOGC (or floor is 0).
func Start(ctx context.Context, floor uint64) (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set || floor == 0 {
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	current := Percent(live(), floor)
	old := debug.SetGCPercent(current)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// Only a change of a tenth or more is worth telling the runtime.
			if p := Percent(live(), floor); p*10 < current*9 || p*10 > current*11 {
				debug.SetGCPercent(p)
				current = p
			}
		}
	}()
	return func() {
		cancel()
		<-done
		debug.SetGCPercent(old)
	}
}
