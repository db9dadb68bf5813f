package sim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func (s *Sim) authed(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, v *invocation) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		user, known := s.tokens.get(tok, v.now(), false)
		s.mu.Unlock()
		if !ok || !known {
			// An expired token is gone from the table like a forged one:
			// API Gateway's authorizer answers both alike.
			s.counters.Unauthorized.Add(1)
			serviceTime(w, v.spent)
			writeJSON(w, http.StatusUnauthorized, apiError{"Unauthorized"})
			return
		}
		v.user = user
		h(w, r, v)
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

func (s *Sim) login(w http.ResponseWriter, r *http.Request, v *invocation) {
	var req LoginRequest
	if err := json.Unmarshal(v.body, &req); err != nil || req.Username == "" {
		serviceTime(w, v.spent)
		writeJSON(w, http.StatusBadRequest, apiError{"body must be JSON with a username"})
		return
	}
	if !v.wait(s.cfg.Lambda.AuthDuration) {
		return
	}
	tok := randomID("tok_")
	s.mu.Lock()
	s.tokens.put(tok, userKey(req.Username), v.now())
	s.mu.Unlock()
	s.counters.Logins.Add(1)
	serviceTime(w, v.spent)
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "expires_in": int64(s.cfg.Auth.TokenTTL / time.Second)})
}

func (s *Sim) newChat(w http.ResponseWriter, r *http.Request, v *invocation) {
	if !v.wait(s.cfg.Lambda.NewChatDuration) {
		return
	}
	id := randomID("chat_")
	s.mu.Lock()
	s.sessions.put(id, &session{user: v.user}, v.now())
	s.mu.Unlock()
	s.counters.Sessions.Add(1)
	serviceTime(w, v.spent)
	writeJSON(w, http.StatusCreated, map[string]any{"session_id": id})
}

// MessageRequest is the body of POST /chat/sessions/{id}/messages.
type MessageRequest struct {
	Content string `json:"content"`
	Model   string `json:"model,omitempty"` // a model id of the sim; default bedrock.model_id
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

// message is one conversation turn: the function writes the conversation
// state and user context, calls the model with the system prompt, the
// history and the question, then writes the message history and an
// analytics event (the table order and split come from the config).
func (s *Sim) message(w http.ResponseWriter, r *http.Request, v *invocation) {
	v.turn = true
	id := r.PathValue("id")
	var req MessageRequest
	if err := json.Unmarshal(v.body, &req); err != nil || req.Content == "" {
		serviceTime(w, v.spent)
		writeJSON(w, http.StatusBadRequest, apiError{"body must be JSON with a non-empty content"})
		return
	}
	md := s.models[0]
	if req.Model != "" {
		if md = s.model(req.Model); md == nil {
			serviceTime(w, v.spent)
			writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("unknown model %q: this sim serves %s", req.Model, strings.Join(s.modelIDs(), ", "))})
			return
		}
	}
	s.mu.Lock()
	sess, ok := s.sessions.get(id, v.now(), true)
	if !ok || sess.user != v.user {
		s.mu.Unlock()
		serviceTime(w, v.spent)
		writeJSON(w, http.StatusNotFound, apiError{"no such chat session"})
		return
	}
	qTokens := countTokens(req.Content)
	in := s.cfg.Bedrock.SystemPromptTokens + sess.historyTokens + qTokens
	s.mu.Unlock()
	out := s.outputTokens()

	if !v.wait(s.cfg.Lambda.TurnOverhead) {
		return
	}
	before := s.cfg.DynamoDB.BeforeModel
	if !s.writeTables(w, v, 0, before) {
		return
	}

	bc := s.cfg.Bedrock
	switch s.invokeModel(v, md, in) {
	case callStopped:
		return
	case callThrottled:
		s.counters.BedrockFailures.Add(1)
		serviceTime(w, v.spent)
		writeJSON(w, bc.ThrottleStatus, apiError{"ThrottlingException: Too many requests, please wait before trying again."})
		return
	case callTooLong:
		s.counters.BedrockTooLong.Add(1)
		v.failed = true
		serviceTime(w, v.spent)
		writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("ValidationException: input of %d tokens plus max_tokens %d is past the context window of %s (%d): start a new chat", in, bc.MaxTokens, md.conf.ModelID, md.conf.ContextWindow)})
		return
	case callFailed:
		v.failed = true
		serviceTime(w, v.spent)
		writeJSON(w, http.StatusBadGateway, apiError{"ModelErrorException: the model failed to answer after the retries"})
		return
	}
	callStart := v.now()
	slow := md.slowdown(md.inFlight.Add(1))
	ttft := time.Duration(float64(md.conf.TimeToFirstToken) * slow)
	gen := time.Duration(float64(out) / md.conf.TokensPerSecond * slow * float64(time.Second))
	done := func() {
		md.inFlight.Add(-1)
		md.settle(v.now(), bc.MaxTokens, out)
	}

	s.mu.Lock()
	sess.turns++
	turn := sess.turns
	sess.historyTokens += qTokens + out
	s.mu.Unlock()
	ans := Answer{SessionID: id, Turn: turn, Model: md.conf.ModelID, StopReason: "end_turn",
		Usage: Usage{InputTokens: in, OutputTokens: out}}
	text := answerText(out, uint64(turn)*7919+uint64(len(id)))

	var answered bool
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		answered = s.stream(w, v, md, ans, text, ttft, gen, done)
	} else {
		ok := v.wait(ttft + gen)
		done()
		if !ok {
			return
		}
		s.recordModel(md, callStart, ttft, gen, in, out)
		if !s.writeTables(w, v, before, len(s.tables)) {
			return
		}
		ans.Answer = text
		serviceTime(w, v.spent)
		writeJSON(w, http.StatusOK, ans)
		answered = true
	}
	if answered {
		s.counters.Turns.Add(1)
		s.counters.InputTokens.Add(int64(in))
		s.counters.OutputTokens.Add(int64(out))
	}
}

func (s *Sim) recordModel(md *model, start time.Time, ttft, gen time.Duration, in, out int) {
	s.record(md.invocations, start, 1)
	s.record(md.latency, start, ms(ttft+gen))
	s.record(md.ttft, start, ms(ttft))
	s.record(md.inputTokens, start, float64(in))
	s.record(md.outputTokens, start, float64(out))
}

// model finds a model of the sim by id.
func (s *Sim) model(id string) *model {
	for _, m := range s.models {
		if m.conf.ModelID == id {
			return m
		}
	}
	return nil
}

func (s *Sim) modelIDs() []string {
	var ids []string
	for _, m := range s.models {
		ids = append(ids, m.conf.ModelID)
	}
	return ids
}

// writeTables puts one item in each of tables [from, to). When a write
// fails it answers 500 (unless nothing can be answered any more) and
// returns false.
func (s *Sim) writeTables(w http.ResponseWriter, v *invocation, from, to int) bool {
	for i := from; i < to; i++ {
		err := s.putItem(v, i)
		if err == nil {
			continue
		}
		if err == errWriteThrottled {
			s.counters.DynamoFailures.Add(1)
			v.failed = true
			serviceTime(w, v.spent)
			writeJSON(w, http.StatusInternalServerError, apiError{fmt.Sprintf("writing to %s: %v", s.tables[i].conf.Name, err)})
		}
		return false
	}
	return true
}

// stream sends the answer as server-sent events: "token" events with text
// chunks as they are generated, the history writes, then a "done" event with
// the usage. A write that fails after the stream began ends it with an
// "error" event, since the status line has gone out.
func (s *Sim) stream(w http.ResponseWriter, v *invocation, md *model, ans Answer, text string, ttft, gen time.Duration, done func()) bool {
	callStart := v.now()
	flusher, _ := w.(http.Flusher)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	// The header carries the whole modelled service time, known once the
	// model's timing is drawn: the writes after it add their nominal latency.
	after := time.Duration(len(s.tables)-s.cfg.DynamoDB.BeforeModel) * s.cfg.DynamoDB.WriteLatency
	serviceTime(w, min(v.spent+ttft+gen+after, v.limit))
	if !v.wait(ttft) {
		done()
		return false
	}
	w.WriteHeader(http.StatusOK)
	words := strings.Fields(text)
	const chunks = 8
	per := (len(words) + chunks - 1) / chunks
	for i := 0; i < len(words); i += per {
		if i > 0 && !v.wait(gen/chunks) {
			done()
			return false
		}
		b, _ := json.Marshal(map[string]string{"text": strings.Join(words[i:min(i+per, len(words))], " ") + " "})
		fmt.Fprintf(w, "event: token\ndata: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	done()
	s.recordModel(md, callStart, ttft, gen, ans.Usage.InputTokens, ans.Usage.OutputTokens)
	for i := s.cfg.DynamoDB.BeforeModel; i < len(s.tables); i++ {
		if err := s.putItem(v, i); err != nil {
			if err == errWriteThrottled {
				s.counters.DynamoFailures.Add(1)
				v.failed = true
				b, _ := json.Marshal(apiError{fmt.Sprintf("writing to %s: %v", s.tables[i].conf.Name, err)})
				fmt.Fprintf(w, "event: error\ndata: %s\n\n", b)
			}
			return false
		}
	}
	b, _ := json.Marshal(ans)
	fmt.Fprintf(w, "event: done\ndata: %s\n\n", b)
	return true
}
