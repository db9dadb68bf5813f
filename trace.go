package brink

import "time"

// Step names of the built-in flow. Flows may name their own steps; analysis
// treats AskStep as the conversation (question submitted → full answer).
const (
	StepAuth    = "auth"
	StepNewChat = "new_chat"
	StepAsk     = "ask"
)

// Phases of a ramp level.
const (
	PhaseRamp   = "ramp"
	PhaseSteady = "steady"
)

// Error classes recorded in Trace.Error. Empty means answered.
const (
	ErrTimeout  = "timeout"  // client timeout or HTTP 504
	ErrConnect  = "connect"  // no connection or no response
	ErrHTTP4xx  = "http_4xx" // 4xx other than 429
	ErrHTTP429  = "http_429"
	ErrHTTP5xx  = "http_5xx"
	ErrAssert   = "assert"    // a check on the answer failed
	ErrCanceled = "canceled"  // the run stopped while the request was in flight
	ErrTooLarge = "too_large" // a streamed event or stream passed its cap; the rest was not read
)

// Trace is one HTTP request: one row of traces/part-NNNNN.parquet. The column
// names and types are the data contract (docs/schemas.md).
type Trace struct {
	RunID         string
	VU            int32
	Session       int64
	Step          string
	Level         int32
	Users         int32
	Phase         string
	Start         time.Time // scenario time
	LatencyMS     float64   // until the full response was read, scenario ms
	TTFBMS        float64   // until the first response byte, scenario ms
	Status        int32     // 0 when no response
	Error         string
	Throttled     bool
	BytesSent     int64
	BytesReceived int64
	HasUsage      bool // InputTokens/OutputTokens are null when false
	InputTokens   int32
	OutputTokens  int32
	Model         string    // null when empty
	Scheduled     time.Time // open model only; null when zero
}

// ClassifyStatus maps an HTTP status to an error class ("" when ok) and
// whether it means throttling.
func ClassifyStatus(status int) (class string, throttled bool) {
	switch {
	case status == 429:
		return ErrHTTP429, true
	case status == 504:
		return ErrTimeout, false
	case status >= 500:
		return ErrHTTP5xx, false
	case status >= 400:
		return ErrHTTP4xx, false
	case status >= 200 && status < 400:
		return "", false
	default:
		return ErrConnect, false
	}
}
