package replay

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"brink"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// vu is one closed-model virtual user: log in once, then chat sessions of
// TurnsMin..TurnsMax turns of think → ask, until the run stops. A 401 sends
// it back to log in.
func (r *Runner) vu(id int32) {
	defer r.wg.Done()
	r.activeUsers.Add(1)
	defer r.activeUsers.Add(-1)
	rng := rand.New(rand.NewPCG(uint64(r.opts.Seed), uint64(id)))
	var token string
	var session int64
	for !r.stopping() {
		if token == "" {
			body, _ := json.Marshal(map[string]string{"username": "brink-user-" + strconv.Itoa(int(id)), "password": "brink"})
			status, a := r.do(call{vu: id, session: session, step: brink.StepAuth, path: "/auth/login", body: body})
			if status != http.StatusOK || a == nil || a.Token == "" {
				if !r.think(rng) {
					return
				}
				continue
			}
			token = a.Token
		}
		session++
		status, a := r.do(call{vu: id, session: session, step: brink.StepNewChat, path: "/chat/sessions", token: token, body: []byte("{}")})
		if a == nil || a.SessionID == "" {
			if status == http.StatusUnauthorized {
				token = ""
			}
			if !r.think(rng) {
				return
			}
			continue
		}
		path := "/chat/sessions/" + url.PathEscape(a.SessionID) + "/messages"
		turns := r.opts.TurnsMin + rng.IntN(r.opts.TurnsMax-r.opts.TurnsMin+1)
		for range turns {
			if !r.think(rng) {
				return
			}
			q := r.opts.Questions[rng.IntN(len(r.opts.Questions))]
			body, _ := json.Marshal(map[string]string{"content": q})
			status, _ := r.do(call{vu: id, session: session, step: brink.StepAsk, path: path, token: token, body: body})
			if status == http.StatusUnauthorized {
				token = ""
				break
			}
		}
	}
}

// think sleeps a uniform think time; false when the run stops meanwhile.
func (r *Runner) think(rng *rand.Rand) bool {
	d := r.opts.ThinkMin
	if span := r.opts.ThinkMax - r.opts.ThinkMin; span > 0 {
		d += time.Duration(rng.Int64N(int64(span)))
	}
	t := time.NewTimer(r.opts.Clock.WallDuration(d))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.stopCh:
		return false
	}
}
