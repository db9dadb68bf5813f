package sim

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// LogEvent is one line of a CloudWatch Logs group, in scenario time, with
// the fields Logs Insights discovers in a Lambda REPORT line (text format)
// or platform.report event (JSON format).
type LogEvent struct {
	Time    time.Time
	Type    string // Logs Insights' @type: "REPORT" (text format); "" for JSON
	JSON    bool   // a platform.report event: fields type and record.*
	Message string

	RequestID                 string
	Duration, BilledDuration  float64 // ms; billed includes the init phase
	InitDuration              float64 // ms; 0 on a warm start
	RestoreDuration           float64 // ms; SnapStart's restore on a cold start
	MemorySizeMB, MaxMemoryMB int
}

// maxLogEvents bounds the REPORT lines kept, so a long-running `brink sim`
// does not grow without end; older lines are dropped first.
const maxLogEvents = 2_000_000

// report is one REPORT line as kept: 32 bytes instead of its ~170-byte text,
// which is rendered only when a query reads it.
type report struct {
	at         int64  // scenario time, Unix ns
	seq        uint64 // invocation number: the request id derives from it
	durUS      int32  // duration, µs
	initUS     int32  // init (or SnapStart restore) duration, µs; 0 when warm
	memMB, use uint16
}

// logChunk is how many REPORT lines are kept per block: blocks are filled
// and dropped whole, so the log never copies itself to grow.
const logChunk = 16 << 10

// logs holds the function's log group: one REPORT line per invocation.
type logs struct {
	group   string
	seed    int64
	json    bool // platform.report events instead of REPORT lines
	restore bool // cold starts are SnapStart restores
	mu      sync.Mutex
	chunks  [][]report // oldest first; each holds up to logChunk lines
	n       int
	dropped int64
}

func (l *logs) add(r report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1]) == logChunk {
		if l.n+logChunk > maxLogEvents {
			l.n -= len(l.chunks[0])
			l.dropped += int64(len(l.chunks[0]))
			l.chunks = append(l.chunks[:0:0], l.chunks[1:]...)
		}
		l.chunks = append(l.chunks, make([]report, 0, logChunk))
	}
	k := len(l.chunks) - 1
	l.chunks[k] = append(l.chunks[k], r)
	l.n++
}

// snapshot renders the events in [from, to).
func (l *logs) snapshot(from, to time.Time) []LogEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []LogEvent
	for _, r := range l.all() {
		t := time.Unix(0, r.at).UTC()
		if t.Before(from) || !t.Before(to) {
			continue
		}
		e := LogEvent{Time: t, Type: "REPORT", JSON: l.json, RequestID: requestID(l.seed, r.seq),
			Duration: float64(r.durUS) / 1e3, MemorySizeMB: int(r.memMB), MaxMemoryMB: int(r.use)}
		if l.restore {
			e.RestoreDuration = float64(r.initUS) / 1e3
		} else {
			e.InitDuration = float64(r.initUS) / 1e3
		}
		// Lambda bills the init phase since August 2025; a SnapStart
		// restore is billed apart (Billed Restore Duration).
		e.BilledDuration = math.Ceil(e.Duration + e.InitDuration)
		if l.json {
			e.Type = ""
			e.Message = reportJSON(e)
		} else {
			e.Message = reportLine(e)
		}
		out = append(out, e)
	}
	return out
}

// reportLine renders Lambda's REPORT line. Billed duration is rounded up to
// the millisecond as Lambda bills; Init Duration appears on cold starts only.
func reportLine(e LogEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		e.RequestID, e.Duration, int64(e.BilledDuration), e.MemorySizeMB, e.MaxMemoryMB)
	if e.InitDuration > 0 {
		fmt.Fprintf(&b, "\tInit Duration: %.2f ms", e.InitDuration)
	}
	if e.RestoreDuration > 0 {
		fmt.Fprintf(&b, "\tRestore Duration: %.2f ms\tBilled Restore Duration: %d ms", e.RestoreDuration, int64(math.Ceil(e.RestoreDuration)))
	}
	b.WriteByte('\t')
	return b.String()
}

// reportJSON renders the platform.report event Lambda writes under the
// JSON log format; initDurationMs (restoreDurationMs) on cold starts only.
func reportJSON(e LogEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"time":"%s","type":"platform.report","record":{"requestId":"%s","metrics":{"durationMs":%.2f,"billedDurationMs":%d,"memorySizeMB":%d,"maxMemoryUsedMB":%d`,
		e.Time.Format("2006-01-02T15:04:05.000Z"), e.RequestID, e.Duration, int64(e.BilledDuration), e.MemorySizeMB, e.MaxMemoryMB)
	if e.InitDuration > 0 {
		fmt.Fprintf(&b, `,"initDurationMs":%.2f`, e.InitDuration)
	}
	if e.RestoreDuration > 0 {
		fmt.Fprintf(&b, `,"restoreDurationMs":%.2f,"billedRestoreDurationMs":%d`, e.RestoreDuration, int64(math.Ceil(e.RestoreDuration)))
	}
	b.WriteString(`},"status":"success"}}`)
	return b.String()
}

// all iterates the kept lines, oldest first; the caller holds l.mu.
func (l *logs) all() func(yield func(int, report) bool) {
	return func(yield func(int, report) bool) {
		i := 0
		for _, c := range l.chunks {
			for _, r := range c {
				if !yield(i, r) {
					return
				}
				i++
			}
		}
	}
}

// bytes is about what the kept lines would weigh as text.
func (l *logs) bytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(l.n) * 170
}
