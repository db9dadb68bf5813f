package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"brink"
)

// testScale runs a scenario second in a wall millisecond.
const testScale = 0.001

// start serves a sim of cfg on a loopback httptest server.
func start(t *testing.T, cfg Config) (*Sim, *client) {
	t.Helper()
	return startScaled(t, cfg, testScale)
}

// startScaled is start at another time scale: a test whose limits refill
// within seconds uses a larger one, so a busy machine's wall-clock delays
// stay small in scenario time.
func startScaled(t *testing.T, cfg Config, scale float64) (*Sim, *client) {
	t.Helper()
	s, err := New(cfg, scale)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, &client{t: t, base: srv.URL, http: &http.Client{Timeout: 10 * time.Second}}
}

type client struct {
	t    *testing.T
	base string
	http *http.Client
}

type reply struct {
	status  int
	body    []byte
	service time.Duration // the modelled service time header
}

func (c *client) post(path, token string, body any, accept string) reply {
	c.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	msf, _ := strconv.ParseFloat(resp.Header.Get(brink.HeaderServiceTime), 64)
	return reply{status: resp.StatusCode, body: rb, service: time.Duration(msf * float64(time.Millisecond))}
}

func (c *client) login(user string) string {
	c.t.Helper()
	r := c.post("/auth/login", "", LoginRequest{Username: user, Password: "x"}, "")
	var out struct{ Token string }
	if r.status != 200 || json.Unmarshal(r.body, &out) != nil || out.Token == "" {
		c.t.Fatalf("login: %d %s", r.status, r.body)
	}
	return out.Token
}

func (c *client) newChat(token string) string {
	c.t.Helper()
	r := c.post("/chat/sessions", token, map[string]any{}, "")
	var out struct {
		SessionID string `json:"session_id"`
	}
	if r.status != 201 || json.Unmarshal(r.body, &out) != nil || out.SessionID == "" {
		c.t.Fatalf("new chat: %d %s", r.status, r.body)
	}
	return out.SessionID
}

func (c *client) ask(token, chat, q string) (reply, Answer) {
	c.t.Helper()
	r := c.post("/chat/sessions/"+chat+"/messages", token, MessageRequest{Content: q}, "")
	var a Answer
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &a); err != nil {
			c.t.Fatalf("answer: %v: %s", err, r.body)
		}
	}
	return r, a
}

// sse splits a server-sent event stream into (event, data) pairs.
func sse(t *testing.T, body []byte) [][2]string {
	t.Helper()
	var out [][2]string
	var ev string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			ev = v
		} else if v, ok := strings.CutPrefix(line, "data: "); ok {
			out = append(out, [2]string{ev, v})
		}
	}
	return out
}

// total sums every sample of a series over the sim's whole life.
func total(s *Sim, sr *series) (sum, n float64) {
	now := s.clock.Now().Unix() + 3600
	for _, a := range s.metrics.aggregate(sr, 0, now, 1, now) {
		sum += a.Sum
		n += a.N
	}
	return sum, n
}

// fastModel is a small, quick model for tests: answers take a few scenario
// seconds, so a test runs in milliseconds at testScale. Its metrics are
// kept at 1 second (cloudwatch.high_resolution), so tests see single
// seconds; TestStandardResolution checks the default.
func fastModel() Config {
	c := DefaultConfig()
	c.Seed = 7
	c.CloudWatch.HighResolution = true
	return c
}
