package replay

import (
	"sync"

	"github.com/HdrHistogram/hdrhistogram-go"

	"brink"
)

// live keeps approximate (HDR histogram, 3 significant digits) latency of
// the key step for the status line, per level. Stop rules do not use it:
// they use the exact window tallies.
type live struct {
	step  string
	mu    sync.Mutex
	level int32
	hist  *hdrhistogram.Histogram // microseconds, scenario time
}

func newLive(step string) *live {
	return &live{step: step, hist: hdrhistogram.New(1, 10*60*1e6, 3)}
}

func (l *live) record(t *brink.Trace) {
	if t.Step != l.step || t.Error != "" {
		return
	}
	l.mu.Lock()
	if t.Level != l.level {
		l.level = t.Level
		l.hist.Reset()
	}
	l.hist.RecordValue(int64(t.LatencyMS * 1000))
	l.mu.Unlock()
}

// quantiles returns the live p50 and p95 in ms of the current level.
func (l *live) quantiles() (p50, p95 float64, n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n = l.hist.TotalCount()
	if n == 0 {
		return 0, 0, 0
	}
	return float64(l.hist.ValueAtQuantile(50)) / 1000, float64(l.hist.ValueAtQuantile(95)) / 1000, n
}
