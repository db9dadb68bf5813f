package replay

import (
	"container/heap"
	"sync"
	"sync/atomic"
	"time"
)

// wakeHeap holds the users that wait: those that think, by the wall time
// they wake, and those due that wait for a free runner. One loop hands due
// users to new goroutines (Runner.run), at most limit at once: 100,000
// thinking users are 100,000 small structs, not 100,000 parked goroutines
// with their stacks, and users due while every connection is busy wait here
// as structs rather than as goroutines queued for a connection (their wait
// shows as schedule lag, as it should). When the run stops, the users
// still waiting end there.
type wakeHeap struct {
	mu      sync.Mutex
	h       sleepers
	kick    chan struct{} // a new earliest wake time, or a runner freed
	closed  bool          // the run stopped: new sleepers end at once
	running atomic.Int64  // users being run now
	limit   int64         // most users run at once (the connection pool's size)
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

func (w *wakeHeap) nudge() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// sleep puts st to wait until the wall time at (now: run it when a runner
// is free).
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
		w.nudge()
	}
}

// release frees a runner: a user stopped running (it sleeps or ended).
func (w *wakeHeap) release() {
	w.running.Add(-1)
	// Always: the loop may be waiting for room, and a test of "was full"
	// races with the loop's own count of the users it just started.
	w.nudge()
}

// loop runs the due users until the run stops, then ends the waiting ones.
func (w *wakeHeap) loop(r *Runner) {
	tm := time.NewTimer(time.Hour)
	defer tm.Stop()
	var due []*vuState
	for {
		due = due[:0]
		w.mu.Lock()
		now := time.Now()
		room := w.limit - w.running.Load()
		for len(w.h) > 0 && int64(len(due)) < room && !w.h[0].at.After(now) {
			due = append(due, heap.Pop(&w.h).(sleeper).st)
		}
		wait := time.Hour // until kicked: a new sleeper or a freed runner
		if len(w.h) > 0 && w.h[0].at.After(now) {
			wait = w.h[0].at.Sub(now)
		}
		w.mu.Unlock()
		w.running.Add(int64(len(due)))
		for _, st := range due {
			go r.run(st)
		}
		tm.Reset(wait)
		select {
		case <-tm.C:
		case <-w.kick:
		case <-r.stopCh:
			w.mu.Lock()
			w.closed = true
			waiting := w.h
			w.h = nil
			w.mu.Unlock()
			for _, s := range waiting {
				r.userDone(s.st)
			}
			return
		}
	}
}
