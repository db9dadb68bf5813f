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
	"sync"
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
// or stop is called. It does nothing when the user chose a policy with GOGC
// (or floor is 0). The percentage is the process's: while several callers
// (tests running commands side by side) have started it, the first one's
// floor holds, and the last stop puts back the percentage found before.
func Start(ctx context.Context, floor uint64) (stop func()) {
	if os.Getenv("GOGC") != "" || floor == 0 { // an empty GOGC is Go's default, as for the runtime
		return func() {}
	}
	mu.Lock()
	defer mu.Unlock()
	if users == 0 {
		ctl, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		p := Percent(liveHeap(), floor)
		saved = debug.SetGCPercent(p)
		go keep(ctl, floor, p, done)
		end = func() {
			cancel()
			<-done
			debug.SetGCPercent(saved)
		}
	}
	users++
	var once sync.Once
	var unregister func() bool
	release := func() {
		mu.Lock()
		defer mu.Unlock()
		if users--; users == 0 {
			end()
		}
	}
	stop = func() {
		once.Do(func() {
			unregister() // a stop before ctx ends leaves nothing registered on it
			release()
		})
	}
	// Set before it can run: AfterFunc calls stop in its own goroutine.
	unregister = context.AfterFunc(ctx, func() { once.Do(release) })
	return stop
}

var (
	mu    sync.Mutex
	users int    // callers between Start and stop
	saved int    // the percentage before the first Start
	end   func() // stops the controller and restores saved
)

// keep follows the live heap until ctx ends, from the percentage current.
func keep(ctx context.Context, floor uint64, current int, done chan<- struct{}) {
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
		if p := Percent(liveHeap(), floor); p*10 < current*9 || p*10 > current*11 {
			debug.SetGCPercent(p)
			current = p
		}
	}
}

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}
