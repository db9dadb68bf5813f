package sim

import (
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
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
	tokens   *boundedTable[uint64]   // bearer token → user (userKey)
	sessions *boundedTable[*session] // chat session id → state

	apiThrottle    *tokenBucket // API Gateway's stage/account throttling
	scaling        *tokenBucket // Lambda's new environments per 10 s
	lambdaInFlight atomic.Int64
	invocations    atomic.Uint64 // numbers request ids
	envs           envPool
	tables         []*table
	models         []*model // the default first
	counters       Counters

	metrics *metrics
	logs    *logs
	m       modelSeries
	queries queries // Logs Insights queries run

	pause func(at time.Time) // test hook (SetPause): stalls an invocation
}

type session struct {
	user          uint64 // userKey of its owner
	historyTokens int    // question + answer tokens of earlier turns
	turns         int
}

// Counters are the sim's own tallies, for tests to compare with what a
// client or a metrics query saw.
type Counters struct {
	Requests            atomic.Int64 // every routed chat API request
	Logins              atomic.Int64
	Sessions            atomic.Int64
	Turns               atomic.Int64 // answered turns
	Unauthorized        atomic.Int64 // 401s: no, unknown or expired token
	BodyTimeouts        atomic.Int64 // 408s: the body did not arrive in time
	APIThrottles        atomic.Int64 // 429s from API Gateway's throttling
	LambdaThrottles     atomic.Int64
	Timeouts            atomic.Int64 // 504s
	ColdStarts          atomic.Int64
	DynamoThrottles     atomic.Int64 // throttled PutItem attempts
	DynamoFailures      atomic.Int64 // turns answered 500 after the retries
	BedrockThrottles    atomic.Int64 // throttled InvokeModel attempts
	BedrockFailures     atomic.Int64 // turns answered ThrottleStatus after the retries
	BedrockServerErrors atomic.Int64 // failed InvokeModel attempts (InvocationServerErrors)
	BedrockTooLong      atomic.Int64 // turns refused: input past the context window
	InputTokens         atomic.Int64 // of answered turns
	OutputTokens        atomic.Int64
}

// New returns a sim with the given model whose scenario clock starts now.
func New(cfg Config, scale float64) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sim config: %w", err)
	}
	clock := brink.Clock{Epoch: time.Now().UTC(), Scale: scale}
	if err := clock.Validate(); err != nil {
		return nil, err
	}
	s := &Sim{
		cfg:      cfg,
		clock:    clock,
		rng:      mrand.New(mrand.NewPCG(uint64(cfg.Seed), 0x62726e6b)),
		tokens:   newBoundedTable[uint64](cfg.Auth.MaxTokens, cfg.Auth.TokenTTL),
		sessions: newBoundedTable[*session](cfg.Auth.MaxSessions, cfg.Auth.SessionIdleTTL),
		metrics:  newMetrics(clock.Epoch),
		logs: &logs{group: "/aws/lambda/" + cfg.Lambda.FunctionName, seed: cfg.Seed,
			json: cfg.Lambda.LogFormat == LogJSON, restore: cfg.Lambda.SnapStart},
	}
	s.apiThrottle = newTokenBucket(cfg.APIGateway.ThrottleRate, cfg.APIGateway.ThrottleBurst, clock.Epoch)
	s.scaling = newTokenBucket(float64(cfg.Lambda.ScaleUpPer10s)/10, float64(cfg.Lambda.ScaleUpPer10s), clock.Epoch)
	for _, mc := range cfg.Bedrock.ModelConfs() {
		s.models = append(s.models, newModel(mc, cfg.Bedrock, clock.Epoch))
	}
	for _, tc := range cfg.DynamoDB.Tables {
		s.tables = append(s.tables, newTable(tc, cfg.DynamoDB, clock.Epoch))
	}
	s.declareMetrics()
	return s, nil
}

// Clock is the sim's scenario clock.
func (s *Sim) Clock() brink.Clock { return s.clock }

// Config is the model in force.
func (s *Sim) Config() Config { return s.cfg }

// Counters returns the live tallies.
func (s *Sim) Counters() *Counters { return &s.counters }

// LogGroup is the name of the function's log group (Logs Insights).
func (s *Sim) LogGroup() string { return s.logs.group }

// Handler serves the chat API, the clock and the CloudWatch-compatible API
// (GetMetricData, ListMetrics, Logs Insights) on one listener.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+brink.ClockPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, brink.ClockInfo{Epoch: s.clock.Epoch, TimeScale: s.clock.Scale, Now: s.clock.Now()})
	})
	mux.HandleFunc("POST /auth/login", s.lambda(s.login))
	mux.HandleFunc("POST /chat/sessions", s.lambda(s.authed(s.newChat)))
	mux.HandleFunc("POST /chat/sessions/{id}/messages", s.lambda(s.authed(s.message)))
	s.routeAWS(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(brink.HeaderClock, brink.FormatClockHeader(s.clock))
		mux.ServeHTTP(w, r)
	})
}

// sleepUntil waits until the scenario instant at, or until ctx ends.
func (s *Sim) sleepUntil(ctx context.Context, at time.Time) bool {
	d := time.Until(s.clock.Wall(at))
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// lognormal draws median × e^(sigma·N(0,1)).
func (s *Sim) lognormal(median float64, sigma float64) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return median * mathExp(sigma*s.rng.NormFloat64())
}

// uniform draws from [0, 1).
func (s *Sim) uniform() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
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

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
