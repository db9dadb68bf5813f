package sim

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// LogEvent is one line of a CloudWatch Logs group, in scenario time.
type LogEvent struct {
	Time    time.Time
	Type    string // Logs Insights' @type: "REPORT"
	Message string
}

// maxLogEvents bounds the REPORT lines kept, so a long-running `brink sim`
// does not grow without end; older lines are dropped first.
const maxLogEvents = 2_000_000

// logs holds the function's log group: one REPORT line per invocation.
type logs struct {
	group   string
	mu      sync.Mutex
	events  []LogEvent
	dropped int64
}

func (l *logs) add(e LogEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) >= maxLogEvents {
		n := maxLogEvents / 10
		l.events = append(l.events[:0], l.events[n:]...)
		l.dropped += int64(n)
	}
	l.events = append(l.events, e)
}

// snapshot copies the events in [from, to).
func (l *logs) snapshot(from, to time.Time) []LogEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []LogEvent
	for _, e := range l.events {
		if !e.Time.Before(from) && e.Time.Before(to) {
			out = append(out, e)
		}
	}
	return out
}

// reportLine renders Lambda's REPORT line. Billed duration is rounded up to
// the millisecond as Lambda bills; Init Duration appears on cold starts only.
func reportLine(requestID string, d, init time.Duration, memoryMB, usedMB int) string {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		requestID, ms(d), int64(math.Ceil(ms(d))), memoryMB, usedMB)
	if init > 0 {
		fmt.Fprintf(&b, "\tInit Duration: %.2f ms", ms(init))
	}
	b.WriteByte('\t')
	return b.String()
}
