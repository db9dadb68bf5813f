package replay

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// vuState is one virtual user's own state. Between two thinks a goroutine
// runs it (advance); while it thinks it is only this struct, in the
// runner's wake heap: a user costs no goroutine and no stack while it
// waits, which is most of its life.
type vuState struct {
	id       int32
	rng      *rand.Rand
	vars     *vars
	session  int64
	loggedIn bool
	expires  time.Time // scenario time; zero: never
	next     time.Time // when the next request is meant to start (scenario): the end of a think, the ramp slot, the arrival

	// Where the user is in its flow, kept across thinks.
	at      flowPos
	single  bool    // one session, then the user ends (the open model, a dry run)
	cs      Session // the session being replayed
	step    int     // index in the flow's steps
	turn    int     // of the step's turns
	turns   int
	thought bool          // the think before this turn is over
	sem     chan struct{} // an open-model arrival's slot, freed when it ends
}

// flowPos is where advance resumes a user.
type flowPos uint8

const (
	atStart flowPos = iota // log in if needed, then begin a session
	atStep                 // begin the next session step
	atTurn                 // the current step's next turn
)

func (r *Runner) newVU(id int32) *vuState {
	st := &vuState{id: id, rng: rand.New(rand.NewPCG(uint64(r.opts.Seed), uint64(id))), vars: newVars(r.opts.Secrets)}
	st.vars.set("vu", strconv.Itoa(int(id)), false)
	if len(r.users) > 0 {
		row := r.users[int(id)%len(r.users)]
		for k, v := range row {
			st.vars.set("user."+k, v, looksSecret(k))
		}
	}
	return st
}

// vu is one closed-model virtual user: the flow's once steps (login), then
// chat sessions until the run stops. A 401 or an expired login sends it back
// to the once steps. It waits in the wake heap for a runner, then lives
// there between thinks.
func (r *Runner) vu(id int32, slot time.Time) {
	r.activeUsers.Add(1)
	st := r.newVU(id)
	st.next = slot
	st.single = r.opts.OneSession
	if st.single { // a dry run: here and now
		r.wake.running.Add(1)
		r.run(st)
		return
	}
	r.wake.sleep(r, st, time.Now())
}

// run runs a user up to its next think and puts it to sleep, or ends it;
// then frees its runner.
func (r *Runner) run(st *vuState) {
	if d, ok := r.advance(st); ok {
		r.wake.sleep(r, st, time.Now().Add(r.opts.Clock.WallDuration(d)))
	} else {
		r.userDone(st)
	}
	r.wake.release()
}

// userDone ends a user: it no longer counts as active, and the run's drain
// stops waiting for it.
func (r *Runner) userDone(st *vuState) {
	if st.sem != nil {
		<-st.sem
	}
	r.activeUsers.Add(-1)
	r.wg.Done()
}

// advance runs the user's flow until it must think (the think time, true)
// or ends (false: the run stops, or a single session is over). A think of
// zero is not a sleep: the user goes on at once.
func (r *Runner) advance(st *vuState) (time.Duration, bool) {
	for !r.stopping() {
		switch st.at {
		case atStart:
			if !st.loggedIn || (!st.expires.IsZero() && !r.opts.Clock.Now().Before(st.expires)) {
				if !r.login(st) {
					if st.single {
						return 0, false
					}
					if d := r.drawThink(st, nil, -1); d > 0 {
						return d, true
					}
					continue
				}
			}
			st.session++
			st.vars.set("session", strconv.FormatInt(st.session, 10), false)
			st.cs = r.picker.Next(st.id)
			st.step, st.at = -1, atStep
		case atStep:
			st.step++
			for st.step < len(r.flow.Steps) && r.flow.Steps[st.step].Once {
				st.step++
			}
			if st.step >= len(r.flow.Steps) { // the session is over
				if st.single {
					return 0, false
				}
				st.at = atStart
				continue
			}
			s := &r.flow.Steps[st.step]
			st.turns = 1
			switch {
			case s.Turns == nil:
			case s.Turns.Recorded:
				st.turns = max(1, len(st.cs.Questions))
			default:
				st.turns = s.Turns.Min + st.rng.IntN(s.Turns.Max-s.Turns.Min+1)
			}
			st.turn, st.thought, st.at = 0, false, atTurn
		case atTurn:
			if st.turn >= st.turns {
				st.at = atStep
				continue
			}
			s := &r.flow.Steps[st.step]
			if !st.thought {
				gap := time.Duration(-1)
				if len(st.cs.Questions) > 0 {
					q := st.turn % len(st.cs.Questions)
					st.vars.set("question", st.cs.Questions[q], false)
					if q < len(st.cs.Gaps) {
						gap = st.cs.Gaps[q]
					}
				}
				st.vars.set("turn", strconv.Itoa(st.turn+1), false)
				st.thought = true
				if s.Turns != nil || s.Think != nil {
					if d := r.drawThink(st, s.Think, gap); d > 0 {
						return d, true
					}
					continue // a think of zero: stop rules are checked at the loop's head
				}
			}
			res := r.do(st, s, st.turn)
			st.thought = false
			st.turn++
			if res.status == http.StatusUnauthorized {
				st.loggedIn = false
				if st.single {
					return 0, false
				}
				st.at = atStart
				continue
			}
			if !res.ok && s.Turns == nil {
				// A failed setup step (new chat): this session cannot go on.
				if st.single {
					return 0, false
				}
				st.at = atStart
				if d := r.drawThink(st, nil, -1); d > 0 {
					return d, true
				}
			}
		}
	}
	return 0, false
}

// login runs the once steps; false when one failed.
func (r *Runner) login(st *vuState) bool {
	st.loggedIn, st.expires = false, time.Time{}
	for i := range r.flow.Steps {
		s := &r.flow.Steps[i]
		if !s.Once {
			continue
		}
		res := r.do(st, s, 0)
		if !res.ok {
			return false
		}
		if res.lifetime > 0 {
			st.expires = r.opts.Clock.Now().Add(res.lifetime)
		}
	}
	st.loggedIn = true
	return true
}

// drawThink draws a think time (scenario) and marks the end of it as when
// the user's next request is meant to start.
func (r *Runner) drawThink(st *vuState, t *Think, recorded time.Duration) time.Duration {
	if t == nil {
		t = r.flow.Think
	}
	if t == nil {
		t = r.defaultThink
	}
	d := t.Draw(st.rng, recorded)
	if r.opts.OneSession {
		d = 0 // a dry run does not wait
	}
	st.next = r.opts.Clock.Now().Add(d)
	return d
}
