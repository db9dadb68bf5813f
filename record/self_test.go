package record

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"brink"
)

// The meter writes one sample a second with the process's CPU, the host's
// and the counters it is given.
func TestSelfMeter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "self.jsonl")
	var n int64
	m, err := startSelfMeter(path, brink.RealClock(time.Now()), func() (int64, int64, float64) { n += 7; return n, 3, 12.5 }, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(1100 * time.Millisecond)
	for time.Now().Before(deadline) { // keep a core busy: the CPU figure must show it
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var samples []brink.SelfSample
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var s brink.SelfSample
		if err := dec.Decode(&s); err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s)
	}
	if len(samples) < 1 {
		t.Fatalf("%d samples", len(samples))
	}
	s := samples[0]
	if s.InFlight != 3 || s.LagMaxMS != 12.5 || s.Requests != 7 || s.Cores < 1 || s.WallS < 0.9 {
		t.Fatalf("sample %+v", s)
	}
	// One busy core of s.Cores, give or take what the machine's other work takes from it.
	if s.ProcessCPU < 0.3/float64(s.Cores) || s.ProcessCPU > 1.01 {
		t.Errorf("process CPU %.3f of %d cores while one core spun", s.ProcessCPU, s.Cores)
	}
}

// BenchmarkSelfSample is the self-measurement's cost: one sample a second
// (getrusage, /proc/stat, runtime/metrics, a JSON line). Its ns/op over
// 1e9 is the share of one core it takes, next to a generator at max rate.
func BenchmarkSelfSample(b *testing.B) {
	path := filepath.Join(b.TempDir(), "self.jsonl")
	m, err := startSelfMeter(path, brink.RealClock(time.Now()), func() (int64, int64, float64) { return 0, 0, 0 }, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Stop()
	now := time.Now()
	for b.Loop() {
		now = now.Add(time.Second)
		m.sample(now)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9*100, "%-of-a-core")
}

// brink run --json always has stop_reason: null when the run was not
// stopped, the reason when it was.
func TestOutcomeStopReason(t *testing.T) {
	for reason, want := range map[string]string{"": `"stop_reason":null`, "level 2: error_rate": `"stop_reason":"level 2: error_rate"`} {
		r := &Result{RunID: "r", Dir: "runs/r"}
		r.StopReason = reason
		b, err := json.Marshal(r.Outcome())
		if err != nil || !bytes.Contains(b, []byte(want)) {
			t.Errorf("reason %q: %s", reason, b)
		}
	}
}
