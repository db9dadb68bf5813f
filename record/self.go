package record

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"brink/rundir"

	"brink"
)

// selfMeter samples the generator's process and host once a second and
// appends one brink.SelfSample a line to a file: what analysis needs to
// tell whether the generator, not the target, set a level's numbers.
type selfMeter struct {
	f        *os.File
	enc      *json.Encoder
	clock    brink.Clock
	counts   func() (requests, inflight int64, lagMaxMS float64)
	onSample func(brink.SelfSample)

	last     time.Time
	cpu      time.Duration
	host     hostCPU
	requests int64
	ms       []metrics.Sample
	sched    *metrics.Float64Histogram
	gc       float64
	stop     chan struct{}
	done     chan struct{}

	mu      sync.Mutex
	samples []brink.SelfSample // every second so far, for the live verdict on the edge

	sampling sync.Mutex // one sample at a time: the ticker's, Stop's or flush's
}

// flush takes a sample now, so that a verdict at a hold's end sees its
// last fraction of a second; not within 250 ms of the last one, whose CPU
// share would rest on a few clock ticks.
func (m *selfMeter) flush() {
	m.sampling.Lock()
	recent := time.Since(m.last) < 250*time.Millisecond
	m.sampling.Unlock()
	if !recent {
		m.sample(time.Now())
	}
}

// repeatSuspect is replay.Options.RepeatHold under --strict-measurement:
// at each hold's end it takes a last sample and holds the level once more
// when the hold was suspect, saying so through warn. *meter is set once
// the run has started (the meter reads the runner's load).
func repeatSuspect(o Options, meter **selfMeter, scale float64, warn func(error)) func(brink.LevelWindow) bool {
	if !o.StrictMeasurement {
		return nil
	}
	th := brink.DefaultThresholds()
	if o.Plan.Measurement != nil {
		th = o.Plan.Measurement.WithDefaults()
	}
	return func(lw brink.LevelWindow) bool {
		m := *meter
		if m == nil {
			return false
		}
		m.flush()
		why := m.suspect(lw, th, scale)
		if why != "" {
			warn(fmt.Errorf("level %d (%d users) may be suspect: %s; holding it once more before believing its stop rules (--strict-measurement)",
				lw.Index, lw.Users, why))
		}
		return why != ""
	}
}

// suspect says, live, why the hold of lw was distorted by the generator or
// its host, or "" when it was not: the largest lag of a second past the
// thresholds' floor, or a second over the CPU or steal threshold.
func (m *selfMeter) suspect(lw brink.LevelWindow, th brink.Thresholds, scale float64) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var lag, cpu, steal float64
	for _, s := range m.samples {
		if s.T.After(lw.SteadyStart) && !s.T.After(lw.End) {
			lag, cpu, steal = max(lag, s.LagMaxMS), max(cpu, s.ProcessCPU), max(steal, s.HostSteal)
		}
	}
	var why []string
	if lag > max(th.LagMS, th.LagWallMS/max(scale, 1e-9)) {
		why = append(why, fmt.Sprintf("the generator fell up to %.0f ms behind its schedule", lag))
	}
	if cpu > th.CPU {
		why = append(why, fmt.Sprintf("its CPU reached %.0f%% of the host's cores", 100*cpu))
	}
	if steal > th.Steal {
		why = append(why, fmt.Sprintf("the hypervisor stole %.0f%% of the host's CPU", 100*steal))
	}
	return strings.Join(why, ", ")
}

// measureSelf starts the generator's self-measurement in w's self file
// (counts reads the runner's load); stop takes the last sample and stores
// the file.
func measureSelf(w *rundir.Writer, clock brink.Clock, counts func() (int64, int64, float64), onSample func(brink.SelfSample)) (m *selfMeter, stop func(context.Context) error, err error) {
	path, err := w.Prepare(w.SelfFile())
	if err != nil {
		return nil, nil, err
	}
	if m, err = startSelfMeter(path, clock, counts, onSample); err != nil {
		return nil, nil, err
	}
	return m, func(ctx context.Context) error {
		if err := m.Stop(); err != nil {
			return err
		}
		return w.Publish(ctx, w.SelfFile())
	}, nil
}

// startSelfMeter samples every second into path until stop is called.
func startSelfMeter(path string, clock brink.Clock, counts func() (int64, int64, float64), onSample func(brink.SelfSample)) (*selfMeter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("generator self-measurement: %w", err)
	}
	m := &selfMeter{f: f, enc: json.NewEncoder(f), clock: clock, counts: counts, onSample: onSample,
		stop: make(chan struct{}), done: make(chan struct{}),
		ms: []metrics.Sample{{Name: "/sched/latencies:seconds"}, {Name: "/sched/pauses/total/gc:seconds"}}}
	m.read(time.Now())
	go m.loop()
	return m, nil
}

func (m *selfMeter) loop() {
	defer close(m.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-t.C:
			m.sample(now)
		}
	}
}

// Stop takes a last sample and closes the file.
func (m *selfMeter) Stop() error {
	close(m.stop)
	<-m.done
	m.sample(time.Now())
	return m.f.Close()
}

// read takes the cumulative counters at now; it returns the previous ones.
func (m *selfMeter) read(now time.Time) (last time.Time, cpu time.Duration, host hostCPU, requests int64, sched *metrics.Float64Histogram, gc float64) {
	last, cpu, host, requests, sched, gc = m.last, m.cpu, m.host, m.requests, m.sched, m.gc
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	m.host = readHostCPU()
	metrics.Read(m.ms)
	if m.ms[0].Value.Kind() == metrics.KindFloat64Histogram {
		h := m.ms[0].Value.Float64Histogram()
		m.sched = &metrics.Float64Histogram{Counts: append([]uint64(nil), h.Counts...), Buckets: h.Buckets}
	}
	if m.ms[1].Value.Kind() == metrics.KindFloat64Histogram {
		m.gc = histSum(m.ms[1].Value.Float64Histogram())
	}
	m.last = now
	return
}

func (m *selfMeter) sample(now time.Time) {
	m.sampling.Lock()
	defer m.sampling.Unlock()
	if now.Before(m.last) { // the ticker fired before a flush took its sample
		now = time.Now()
	}
	last, cpu, host, requests, sched, gc := m.read(now)
	wall := now.Sub(last)
	if wall <= 0 {
		return
	}
	cores := runtime.NumCPU()
	total, inflight, lag := m.counts()
	m.requests = total
	s := brink.SelfSample{T: m.clock.Scenario(now), WallS: wall.Seconds(), Cores: cores,
		ProcessCPU: float64(m.cpu-cpu) / float64(wall) / float64(cores),
		InFlight:   inflight, Requests: m.requests - requests, LagMaxMS: lag, GCPauseMS: (m.gc - gc) * 1000}
	if total := m.host.total - host.total; total > 0 {
		s.HostBusy = float64((m.host.total-m.host.idle)-(host.total-host.idle)) / float64(total)
		s.HostSteal = float64(m.host.steal-host.steal) / float64(total)
	}
	if sched != nil && m.sched != nil {
		s.SchedP99MS = histQuantile(sched, m.sched, 0.99) * 1000
	}
	m.enc.Encode(s)
	m.mu.Lock()
	m.samples = append(m.samples, s)
	m.mu.Unlock()
	if m.onSample != nil {
		m.onSample(s)
	}
}

// hostCPU is /proc/stat's first line: jiffies in all, idle (with iowait),
// and stolen.
type hostCPU struct{ total, idle, steal uint64 }

func readHostCPU() hostCPU {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return hostCPU{} // not Linux: host figures stay 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return hostCPU{}
	}
	fields := strings.Fields(sc.Text())
	var h hostCPU
	for i, v := range fields[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		if i >= 8 { // guest and guest_nice are inside user and nice already
			break
		}
		h.total += n
		switch i {
		case 3, 4: // idle, iowait
			h.idle += n
		case 7:
			h.steal = n
		}
	}
	return h
}

func histSum(h *metrics.Float64Histogram) float64 {
	s := 0.0
	for i, c := range h.Counts {
		s += float64(c) * mid(h.Buckets[i], h.Buckets[i+1])
	}
	return s
}

// histQuantile is the q quantile of what was added to a cumulative
// histogram between a and b (the bucket's upper edge, 0 when empty).
func histQuantile(a, b *metrics.Float64Histogram, q float64) float64 {
	var n uint64
	d := make([]uint64, len(b.Counts))
	for i := range b.Counts {
		if i < len(a.Counts) {
			d[i] = b.Counts[i] - a.Counts[i]
		}
		n += d[i]
	}
	if n == 0 {
		return 0
	}
	want := uint64(q * float64(n))
	var seen uint64
	for i, c := range d {
		seen += c
		if seen > want {
			return finite(b.Buckets[i+1], b.Buckets[i])
		}
	}
	return 0
}

func mid(lo, hi float64) float64 {
	switch {
	case math.IsInf(lo, 0):
		return hi
	case math.IsInf(hi, 0):
		return lo
	}
	return (lo + hi) / 2
}

func finite(v, fallback float64) float64 {
	if math.IsInf(v, 0) {
		return fallback
	}
	return v
}
