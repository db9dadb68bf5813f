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

// vuState is one virtual user's own state.
type vuState struct {
	id       int32
	rng      *rand.Rand
	vars     *vars
	session  int64
	loggedIn bool
	expires  time.Time // scenario time; zero: never
	next     time.Time // when the next request is meant to start (scenario): the end of a think, the ramp slot, the arrival
}

// outcome of a session.
type outcome int

const (
	sessionDone outcome = iota
	sessionRelogin
	sessionStop
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
// to the once steps.
func (r *Runner) vu(id int32, slot time.Time) {
	defer r.wg.Done()
	r.activeUsers.Add(1)
	defer r.activeUsers.Add(-1)
	st := r.newVU(id)
	st.next = slot
	for !r.stopping() {
		if !st.loggedIn || (!st.expires.IsZero() && !r.opts.Clock.Now().Before(st.expires)) {
			if !r.login(st) {
				if !r.think(st, nil, -1) {
					return
				}
				continue
			}
		}
		st.session++
		st.vars.set("session", strconv.FormatInt(st.session, 10), false)
		switch r.runSession(st, r.picker.Next(st.id)) {
		case sessionRelogin:
			st.loggedIn = false
		case sessionStop:
			return
		}
		if r.opts.OneSession {
			return
		}
	}
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

// runSession runs the session steps once, repeating steps with turns.
func (r *Runner) runSession(st *vuState, cs Session) outcome {
	for i := range r.flow.Steps {
		s := &r.flow.Steps[i]
		if s.Once {
			continue
		}
		n := 1
		switch {
		case s.Turns == nil:
		case s.Turns.Recorded:
			n = max(1, len(cs.Questions))
		default:
			n = s.Turns.Min + st.rng.IntN(s.Turns.Max-s.Turns.Min+1)
		}
		for t := range n {
			gap := time.Duration(-1)
			if len(cs.Questions) > 0 {
				q := t % len(cs.Questions)
				st.vars.set("question", cs.Questions[q], false)
				if q < len(cs.Gaps) {
					gap = cs.Gaps[q]
				}
			}
			st.vars.set("turn", strconv.Itoa(t+1), false)
			if s.Turns != nil || s.Think != nil {
				if !r.think(st, s.Think, gap) {
					return sessionStop
				}
			}
			if r.stopping() {
				return sessionStop
			}
			res := r.do(st, s, t)
			if res.status == http.StatusUnauthorized {
				return sessionRelogin
			}
			if !res.ok && s.Turns == nil {
				// A failed setup step (new chat): this session cannot go on.
				if !r.think(st, nil, -1) {
					return sessionStop
				}
				return sessionDone
			}
		}
	}
	return sessionDone
}

// think sleeps a think time; false when the run stops meanwhile.
func (r *Runner) think(st *vuState, t *Think, recorded time.Duration) bool {
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
	tm := time.NewTimer(r.opts.Clock.WallDuration(d))
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-r.stopCh:
		return false
	}
}
