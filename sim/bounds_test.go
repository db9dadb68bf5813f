package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTokenExpires: a token answers 401 once expires_in has passed, and a
// new login works again.
func TestTokenExpires(t *testing.T) {
	cfg := fastModel()
	cfg.Auth.TokenTTL = 30 * time.Second // 30 ms of wall time at testScale
	s, c := start(t, cfg)
	r := c.post("/auth/login", "", LoginRequest{Username: "ann", Password: "x"}, "")
	var out struct {
		Token     string `json:"token"`
		ExpiresIn int    `json:"expires_in"`
	}
	if json.Unmarshal(r.body, &out) != nil || out.ExpiresIn != 30 {
		t.Fatalf("login answered %s: want expires_in 30", r.body)
	}
	chat := c.newChat(out.Token)
	time.Sleep(s.clock.WallDuration(40 * time.Second))
	if r, _ := c.ask(out.Token, chat, "still there?"); r.status != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d, want 401", r.status)
	}
	tok := c.login("ann")
	if r, _ := c.ask(tok, chat, "back again"); r.status != http.StatusOK {
		t.Fatalf("after logging in again: status %d %s", r.status, r.body)
	}
	if got := s.Counters().Unauthorized.Load(); got != 1 {
		t.Errorf("Unauthorized = %d, want 1", got)
	}
}

// TestTablesAreBounded: past max_tokens the oldest token goes; past
// max_sessions the least recently used session goes.
func TestTablesAreBounded(t *testing.T) {
	cfg := fastModel()
	cfg.Auth.MaxTokens, cfg.Auth.MaxSessions = 20, 3
	s, c := start(t, cfg)
	var toks []string
	for i := range 50 {
		toks = append(toks, c.login(fmt.Sprint("u", i)))
	}
	if n := s.tokens.len(); n != 20 {
		t.Errorf("%d tokens kept, want 20", n)
	}
	if r := c.post("/chat/sessions", toks[0], map[string]any{}, ""); r.status != http.StatusUnauthorized {
		t.Errorf("evicted token: status %d, want 401", r.status)
	}
	tok := toks[49]
	a, b := c.newChat(tok), c.newChat(tok)
	c.newChat(tok)
	c.ask(tok, a, "keep a warm") // a is now more recent than b
	c.newChat(tok)               // the fourth: b, least recently used, goes
	if r, _ := c.ask(tok, b, "hello?"); r.status != http.StatusNotFound {
		t.Errorf("evicted session: status %d, want 404", r.status)
	}
	if r, _ := c.ask(tok, a, "hello?"); r.status != http.StatusOK {
		t.Errorf("recently used session: status %d, want 200", r.status)
	}
	if n := s.sessions.len(); n != 3 {
		t.Errorf("%d sessions kept, want 3", n)
	}
}

// stall opens a connection that sends a request's headers and half its
// body, then nothing.
func stall(t *testing.T, addr, path string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"username":"` + strings.Repeat("s", 990) + `"}`
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body[:len(body)/2])
	return conn
}

// TestStalledBodiesHoldNoLambdaSlot: 40 clients that send half a body and
// stall must not lock out real requests when the function's concurrency
// is 5, and are answered 408 when the read timeout passes.
func TestStalledBodiesHoldNoLambdaSlot(t *testing.T) {
	cfg := fastModel()
	cfg.Lambda.ConcurrencyLimit = 5
	cfg.APIGateway.BodyReadTimeout = 2 * time.Second // wall clock
	s, err := New(cfg, testScale)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var stalled []net.Conn
	for range 40 {
		stalled = append(stalled, stall(t, addr, "/auth/login"))
	}
	defer func() {
		for _, c := range stalled {
			c.Close()
		}
	}()
	// Every stalled request has reached the sim before the real ones start.
	for deadline := time.Now().Add(5 * time.Second); s.Counters().Requests.Load() < 40 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := s.Counters().Requests.Load(); n != 40 {
		t.Fatalf("%d stalled requests reached the sim, want 40", n)
	}
	c := &client{t: t, base: srv.URL, http: &http.Client{Timeout: 10 * time.Second}}
	tok := c.login("real")
	chat := c.newChat(tok)
	for i := range 3 {
		if r, _ := c.ask(tok, chat, fmt.Sprint("question ", i)); r.status != http.StatusOK {
			t.Fatalf("turn %d: status %d %s while 40 clients stall", i, r.status, r.body)
		}
	}
	if n := s.Counters().LambdaThrottles.Load(); n != 0 {
		t.Errorf("%d Lambda throttles: the stalled clients held slots", n)
	}
	for i, conn := range stalled {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("stalled client %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("stalled client %d: status %d, want 408", i, resp.StatusCode)
		}
	}
	if n := s.Counters().BodyTimeouts.Load(); n != 40 {
		t.Errorf("BodyTimeouts = %d, want 40", n)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	cfg := fastModel()
	cfg.APIGateway.MaxBodyBytes = 4096
	_, c := start(t, cfg)
	r := c.post("/auth/login", "", LoginRequest{Username: strings.Repeat("x", 5000)}, "")
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("5 KB body over a 4 KB limit: status %d, want 413", r.status)
	}
	if r := c.post("/auth/login", "", LoginRequest{Username: strings.Repeat("x", 3000)}, ""); r.status != http.StatusOK {
		t.Errorf("3 KB body: status %d", r.status)
	}
}
