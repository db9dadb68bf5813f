package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"brink"
)

// Sim is the embedded stack. Create it with New; serve Handler().
type Sim struct {
	cfg   Config
	clock brink.Clock

	mu       sync.Mutex
	rng      *mrand.Rand
	tokens   map[string]string   // bearer token → user
	sessions map[string]*session // chat session id → state

	lambdaInFlight  atomic.Int64
	bedrockInFlight atomic.Int64
	counters        Counters
}

type session struct {
	user          string
	historyTokens int // question + answer tokens of earlier turns
	turns         int
}

// Counters are the sim's own tallies, for tests to compare with what a
// client or a metrics query saw.
type Counters struct {
	Requests        atomic.Int64 // every routed request
	Logins          atomic.Int64
	Sessions        atomic.Int64
	Turns           atomic.Int64 // answered turns
	Unauthorized    atomic.Int64
	LambdaThrottles atomic.Int64
	Timeouts        atomic.Int64
	InputTokens     atomic.Int64 // of answered turns
	OutputTokens    atomic.Int64
}

// New returns a sim with the given model whose scenario clock starts now.
func New(cfg Config, scale float64) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	clock := brink.Clock{Epoch: time.Now().UTC(), Scale: scale}
	if err := clock.Validate(); err != nil {
		return nil, err
	}
	return &Sim{
		cfg:      cfg,
		clock:    clock,
		rng:      mrand.New(mrand.NewPCG(uint64(cfg.Seed), 0x62726e6b)),
		tokens:   map[string]string{},
		sessions: map[string]*session{},
	}, nil
}

// Clock is the sim's scenario clock.
func (s *Sim) Clock() brink.Clock { return s.clock }

// Config is the model in force.
func (s *Sim) Config() Config { return s.cfg }

// Counters returns the live tallies.
func (s *Sim) Counters() *Counters { return &s.counters }

// Handler serves the chat API and the clock.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+brink.ClockPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, brink.ClockInfo{Epoch: s.clock.Epoch, TimeScale: s.clock.Scale, Now: s.clock.Now()})
	})
	mux.HandleFunc("POST /auth/login", s.lambda(s.login))
	mux.HandleFunc("POST /chat/sessions", s.lambda(s.authed(s.newChat)))
	mux.HandleFunc("POST /chat/sessions/{id}/messages", s.lambda(s.authed(s.message)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(brink.HeaderClock, brink.FormatClockHeader(s.clock))
		mux.ServeHTTP(w, r)
	})
}

// sleep waits a scenario duration on the wall clock, or until ctx ends.
func (s *Sim) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(s.clock.WallDuration(d))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

type apiError struct {
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}

func serviceTime(w http.ResponseWriter, d time.Duration) {
	w.Header().Set(brink.HeaderServiceTime, strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64))
}

// handler is a Lambda handler: it returns the modelled time it has spent
// so far (the wrapper adds API Gateway's overhead).
type handler func(w http.ResponseWriter, r *http.Request, spent time.Duration)

// lambda wraps a route in API Gateway and the Lambda concurrency limit.
func (s *Sim) lambda(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.counters.Requests.Add(1)
		overhead := s.cfg.APIGateway.Overhead
		if n := s.lambdaInFlight.Add(1); n > int64(s.cfg.Lambda.ConcurrencyLimit) {
			s.lambdaInFlight.Add(-1)
			s.counters.LambdaThrottles.Add(1)
			io.Copy(io.Discard, r.Body)
			s.sleep(r.Context(), overhead)
			serviceTime(w, overhead)
			writeJSON(w, http.StatusTooManyRequests, apiError{"Rate Exceeded."})
			return
		}
		defer s.lambdaInFlight.Add(-1)
		s.sleep(r.Context(), overhead)
		h(w, r, overhead)
	}
}

func (s *Sim) authed(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, spent time.Duration) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		user, known := s.tokens[tok]
		s.mu.Unlock()
		if !ok || !known {
			s.counters.Unauthorized.Add(1)
			io.Copy(io.Discard, r.Body)
			serviceTime(w, spent)
			writeJSON(w, http.StatusUnauthorized, apiError{"Unauthorized"})
			return
		}
		r.Header.Set("X-Brink-User", user)
		h(w, r, spent)
	}
}

func randomID(prefix string) string {
	var b [12]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Sim) login(w http.ResponseWriter, r *http.Request, spent time.Duration) {
	var req LoginRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.Username == "" {
		serviceTime(w, spent)
		writeJSON(w, http.StatusBadRequest, apiError{"body must be JSON with a username"})
		return
	}
	d := s.cfg.Lambda.AuthDuration
	s.sleep(r.Context(), d)
	tok := randomID("tok_")
	s.mu.Lock()
	s.tokens[tok] = req.Username
	s.mu.Unlock()
	s.counters.Logins.Add(1)
	serviceTime(w, spent+d)
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "expires_in": 3600})
}

func (s *Sim) newChat(w http.ResponseWriter, r *http.Request, spent time.Duration) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
	d := s.cfg.Lambda.NewChatDuration
	s.sleep(r.Context(), d)
	id := randomID("chat_")
	s.mu.Lock()
	s.sessions[id] = &session{user: r.Header.Get("X-Brink-User")}
	s.mu.Unlock()
	s.counters.Sessions.Add(1)
	serviceTime(w, spent+d)
	writeJSON(w, http.StatusCreated, map[string]any{"session_id": id})
}

// MessageRequest is the body of POST /chat/sessions/{id}/messages.
type MessageRequest struct {
	Content string `json:"content"`
}

// Usage is the token usage of one answer, as Bedrock reports it.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// Answer is the JSON answer of a turn (and the final SSE event).
type Answer struct {
	SessionID  string `json:"session_id"`
	Turn       int    `json:"turn"`
	Answer     string `json:"answer,omitempty"`
	Model      string `json:"model"`
	StopReason string `json:"stop_reason"`
	Usage      Usage  `json:"usage"`
}

// countTokens approximates a tokenizer: about four characters a token.
func countTokens(text string) int { return max(1, (len(text)+3)/4) }

func (s *Sim) message(w http.ResponseWriter, r *http.Request, spent time.Duration) {
	id := r.PathValue("id")
	var req MessageRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.Content == "" {
		serviceTime(w, spent)
		writeJSON(w, http.StatusBadRequest, apiError{"body must be JSON with a non-empty content"})
		return
	}
	s.mu.Lock()
	sess, ok := s.sessions[id]
	if !ok || sess.user != r.Header.Get("X-Brink-User") {
		s.mu.Unlock()
		serviceTime(w, spent)
		writeJSON(w, http.StatusNotFound, apiError{"no such chat session"})
		return
	}
	qTokens := countTokens(req.Content)
	in := s.cfg.Bedrock.SystemPromptTokens + sess.historyTokens + qTokens
	out := s.outputTokens()
	s.mu.Unlock()

	bc := s.cfg.Bedrock
	c := float64(s.bedrockInFlight.Add(1))
	defer s.bedrockInFlight.Add(-1)
	slow := 1 + (c/bc.DegradeAt)*(c/bc.DegradeAt)
	ttft := time.Duration(float64(bc.TimeToFirstToken) * slow)
	gen := time.Duration(float64(out) / bc.TokensPerSecond * slow * float64(time.Second))
	pre := s.cfg.Lambda.TurnOverhead
	total := spent + pre + ttft + gen

	if total > s.cfg.APIGateway.IntegrationTimeout {
		s.sleep(r.Context(), s.cfg.APIGateway.IntegrationTimeout-spent)
		s.counters.Timeouts.Add(1)
		serviceTime(w, s.cfg.APIGateway.IntegrationTimeout)
		writeJSON(w, http.StatusGatewayTimeout, apiError{"Endpoint request timed out"})
		return
	}

	s.mu.Lock()
	sess.turns++
	turn := sess.turns
	sess.historyTokens += qTokens + out
	s.mu.Unlock()
	ans := Answer{SessionID: id, Turn: turn, Model: bc.ModelID, StopReason: "end_turn",
		Usage: Usage{InputTokens: in, OutputTokens: out}}
	text := answerText(out, uint64(turn)*7919+uint64(len(id)))

	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		s.stream(w, r, ans, text, spent+pre, ttft, gen, total)
	} else {
		if !s.sleep(r.Context(), pre+ttft+gen) {
			return
		}
		ans.Answer = text
		serviceTime(w, total)
		writeJSON(w, http.StatusOK, ans)
	}
	s.counters.Turns.Add(1)
	s.counters.InputTokens.Add(int64(in))
	s.counters.OutputTokens.Add(int64(out))
}

// outputTokens draws an answer length; s.mu must be held.
func (s *Sim) outputTokens() int {
	bc := s.cfg.Bedrock
	n := int(math.Round(bc.OutputMedian * math.Exp(bc.OutputSigma*s.rng.NormFloat64())))
	return min(max(n, 1), bc.MaxTokens)
}

// stream sends the answer as server-sent events: "token" events with text
// chunks as they are generated, then a "done" event with the usage.
func (s *Sim) stream(w http.ResponseWriter, r *http.Request, ans Answer, text string, before, ttft, gen, total time.Duration) {
	flusher, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	serviceTime(w, total)
	if !s.sleep(r.Context(), before+ttft) {
		return
	}
	w.WriteHeader(http.StatusOK)
	words := strings.Fields(text)
	const chunks = 8
	per := (len(words) + chunks - 1) / chunks
	for i := 0; i < len(words); i += per {
		if i > 0 && !s.sleep(r.Context(), gen/chunks) {
			return
		}
		b, _ := json.Marshal(map[string]string{"text": strings.Join(words[i:min(i+per, len(words))], " ") + " "})
		fmt.Fprintf(w, "event: token\ndata: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	b, _ := json.Marshal(ans)
	fmt.Fprintf(w, "event: done\ndata: %s\n\n", b)
}
