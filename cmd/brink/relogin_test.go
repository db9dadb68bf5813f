package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"brink/sim"
)

// TestExpiredTokensReLogin: against a sim whose tokens live 30 s of
// scenario time, the built-in flow's users meet 401s and log in again, and
// keep being answered.
func TestExpiredTokensReLogin(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Auth.TokenTTL = 30 * time.Second
	s, err := sim.New(cfg, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	code, out, errs := brinkMain(t, "run", "--target", srv.URL, "--runs-dir", t.TempDir(), "--start-users", "3", "--step-users", "3",
		"--max-users", "6", "--ramp", "10s", "--hold", "60s", "--quiet")
	if code != 0 && code != 3 {
		t.Fatalf("run exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	k := s.Counters()
	turnsBefore := k.Turns.Load()
	if k.Unauthorized.Load() == 0 || k.Logins.Load() <= 6 || turnsBefore == 0 {
		t.Errorf("%d 401s, %d logins by 6 users, %d turns: want expired tokens answered 401 and users logging in again",
			k.Unauthorized.Load(), k.Logins.Load(), turnsBefore)
	}
	// Every 401 sends its user back to log in, except perhaps each user's
	// last, when the run ended.
	if extra := k.Logins.Load() - 6; extra < k.Unauthorized.Load()-6 {
		t.Errorf("%d 401s but only %d extra logins", k.Unauthorized.Load(), extra)
	}
}
