package replay

import (
	"container/heap"
	"sync"
	"time"
)

// wakeHeap holds the users that think, by the wall time they wake, and
// hands each due user to a new goroutine (Runner.resume). One timer serves
// them all: 100,000 thinking users are 100,000 small structs, not 100,000
// parked goroutines with their stacks. When the run stops, the users still
// asleep end there.
type wakeHeap struct {
	mu     sync.Mutex
	h      sleepers
	kick   chan struct{} // a new earliest wake time
	closed bool          // the run stopped: new sleepers end at once
}

type sleeper struct {
	at time.Time // wall
	st *vuState
}

type sleepers []sleeper

func (s sleepers) Len() int           { return len(s) }
func (s sleepers) Less(i, j int) bool { return s[i].at.Before(s[j].at) }
func (s sleepers) Swap(i, j int)      { s[i], s[j] = s[j], s[i] }
func (s *sleepers) Push(x any)        { *s = append(*s, x.(sleeper)) }
func (s *sleepers) Pop() any {
	old := *s
	x := old[len(old)-1]
	old[len(old)-1] = sleeper{}
	*s = old[:len(old)-1]
	return x
}

// sleep puts st to sleep until the wall time at.
func (w *wakeHeap) sleep(r *Runner, st *vuState, at time.Time) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		r.userDone(st)
		return
	}
	heap.Push(&w.h, sleeper{at, st})
	first := w.h[0].st == st
	w.mu.Unlock()
	if first {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

// loop wakes the due users until the run stops, then ends the sleeping ones.
func (w *wakeHeap) loop(r *Runner) {
	tm := time.NewTimer(time.Hour)
	defer tm.Stop()
	for {
		w.mu.Lock()
		now := time.Now()
		for len(w.h) > 0 && !w.h[0].at.After(now) {
			s := heap.Pop(&w.h).(sleeper)
			go r.resume(s.st)
		}
		wait := time.Hour
		if len(w.h) > 0 {
			wait = w.h[0].at.Sub(now)
		}
		w.mu.Unlock()
		tm.Reset(wait)
		select {
		case <-tm.C:
		case <-w.kick:
		case <-r.stopCh:
			w.mu.Lock()
			w.closed = true
			asleep := w.h
			w.h = nil
			w.mu.Unlock()
			for _, s := range asleep {
				r.userDone(s.st)
			}
			return
		}
	}
}
