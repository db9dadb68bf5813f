package replay

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"brink"
)

// Users that think hold no goroutine: 2,000 users thinking an hour each
// leave the process with about as many goroutines as before they started,
// and when the run ends, the users still asleep end with it (none left
// active, the run returns without waiting out their think).
func TestThinkingUsersHoldNoGoroutine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"x":1}`) }))
	defer srv.Close()
	f, err := ParseFlow("f.yaml", []byte("steps:\n  - name: ask\n    turns: 3\n    think: {dist: constant, value: 1h}\n    path: /x\n"))
	if err != nil {
		t.Fatal(err)
	}
	const users = 2000
	sink := &memSink{}
	r, err := New(Options{Target: srv.URL, Flow: f, Sink: sink, StopRules: []brink.StopRule{},
		Clock: brink.Clock{Epoch: time.Now(), Scale: 1},
		Plan:  brink.Plan{StartUsers: users, MaxUsers: users, Ramp: brink.Duration(100 * time.Millisecond), Hold: brink.Duration(3 * time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	// The fewest goroutines seen while every user was in: a busy machine
	// only delays the moment, it cannot add users' goroutines to it.
	during := -1
	stop, probed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(probed)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if r.Snapshot().Active == users {
				if n := runtime.NumGoroutine(); during < 0 || n < during {
					during = n
				}
			}
		}
	}()
	res, err := r.Run(context.Background())
	close(stop)
	<-probed
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Snapshot(); s.Active != 0 {
		t.Errorf("%d users still active after the run", s.Active)
	}
	// Every user thought before its first ask: none was sent.
	if res.Requests != 0 || len(sink.rows) != 0 {
		t.Errorf("%d requests: the users should all be thinking", res.Requests)
	}
	// Goroutines besides the users': the runner's own few, the test's.
	if during < 0 || during-before > 50 {
		t.Errorf("%d goroutines while %d users thought (%d before)", during, users, before)
	}
}
