package sim

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Namespaces the sim publishes, with AWS's names.
const (
	NSAPIGateway = "AWS/ApiGateway"
	NSLambda     = "AWS/Lambda"
	NSDynamoDB   = "AWS/DynamoDB"
	NSBedrock    = "AWS/Bedrock"
)

// Dimension is one CloudWatch dimension.
type Dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// fill says what a second without samples reads as. CloudWatch publishes
// AWS's request counters as zeros when nothing happened, keeps gauges at their
// last value, and has no datapoint for a latency nobody measured.
type fill uint8

const (
	fillNone fill = iota // no datapoint
	fillZero             // a datapoint of 0 (every statistic 0, SampleCount 0)
	fillLast             // the last value seen before, as one sample
)

// MetricID names one series: namespace, metric and its exact dimension set.
type MetricID struct {
	Namespace  string
	Name       string
	Dimensions []Dimension // sorted by name
}

func (id MetricID) key() string {
	var b strings.Builder
	b.WriteString(id.Namespace)
	b.WriteByte('|')
	b.WriteString(id.Name)
	for _, d := range id.Dimensions {
		b.WriteByte('|')
		b.WriteString(d.Name)
		b.WriteByte('=')
		b.WriteString(d.Value)
	}
	return b.String()
}

func sortDims(d []Dimension) []Dimension {
	d = slices.Clone(d)
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
	return d
}

// secondRetention and minuteRetention are how long the store keeps 1-second
// and 60-second statistic sets, as CloudWatch keeps high-resolution data
// (3 hours at 1 s, 15 days at 60 s). Seconds that age out are merged into
// their minute, so a period of 60 s or more is answered at any age and the
// store stays bounded however long the sim runs.
const (
	secondRetention = 3 * 3600
	minuteRetention = 15 * 24 * 60
)

type series struct {
	id   MetricID
	unit string
	fill fill
	res  int64 // seconds a datapoint is stored at: 1, 60 (AWS standard) or 300

	base    int64     // Unix second of secs[0]
	secs    []statSet // one per second from base, dense
	minBase int64     // Unix second (a multiple of 60) of mins[0]
	mins    []statSet // one per minute from minBase: seconds older than base
}

// metrics is the sim's CloudWatch store: per series, one statistic set per
// second of scenario time (count, sum, min, max and a DDSketch for
// percentiles) rather than the samples, so memory grows with time and the
// number of series, never with traffic. Every modelled series is declared
// up front so that ListMetrics lists it and queries see its zeros before
// the first sample.
type metrics struct {
	epoch int64 // first second with data (the sim's epoch)
	mu    sync.Mutex
	byKey map[string]*series
	order []*series // declaration order, for ListMetrics
}

func newMetrics(epoch time.Time) *metrics {
	return &metrics{epoch: epoch.Unix(), byKey: map[string]*series{}}
}

func (m *metrics) declare(ns, name, unit string, f fill, dims ...Dimension) *series {
	id := MetricID{Namespace: ns, Name: name, Dimensions: sortDims(dims)}
	s := &series{id: id, unit: unit, fill: f, res: 1, base: m.epoch, minBase: m.epoch - mod(m.epoch, 60)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.byKey[id.key()]; ok {
		return old
	}
	m.byKey[id.key()] = s
	m.order = append(m.order, s)
	return s
}

// put records one sample at scenario time t.
func (m *metrics) put(s *series, t time.Time, v float64) {
	sec := t.Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	if sec < s.base { // a late sample for a second already rolled up
		if mm := s.minute(sec); mm != nil {
			mm.add(v)
		}
		return
	}
	if sec-s.base >= secondRetention {
		s.roll(sec - secondRetention + 1)
	}
	i := int(sec - s.base)
	if i >= len(s.secs) {
		// Seconds two behind the newest are done (a late sample is rare):
		// give back the room their sketches grew into.
		for j := max(len(s.secs)-2, 0); j < min(i-1, len(s.secs)); j++ {
			s.secs[j].compact()
		}
		s.secs = append(s.secs, make([]statSet, i+1-len(s.secs))...)
	}
	s.secs[i].add(v)
}

// roll merges the seconds before newBase into their minutes.
func (s *series) roll(newBase int64) {
	n := int(min(newBase-s.base, int64(len(s.secs))))
	for i := range n {
		if mm := s.minute(s.base + int64(i)); mm != nil {
			mm.merge(&s.secs[i])
		}
	}
	// Copy what stays, so the rolled seconds' memory is let go.
	s.secs = append([]statSet(nil), s.secs[n:]...)
	s.base = newBase
}

// minute returns the minute set holding second sec, growing the minute
// tier and dropping minutes past their retention; nil when sec is older
// than the retention.
func (s *series) minute(sec int64) *statSet {
	i := (sec - s.minBase) / 60
	if sec < s.minBase {
		return nil
	}
	if i >= minuteRetention {
		drop := i - minuteRetention + 1
		if drop >= int64(len(s.mins)) {
			s.mins = nil
		} else {
			s.mins = append([]statSet(nil), s.mins[drop:]...)
		}
		s.minBase += drop * 60
		i -= drop
	}
	if int(i) >= len(s.mins) {
		s.mins = append(s.mins, make([]statSet, int(i)+1-len(s.mins))...)
	}
	return &s.mins[i]
}

// period is the period a query of period p is answered at: p rounded up to
// a multiple of the series' resolution, as CloudWatch answers a
// standard-resolution metric asked for a shorter period with one datapoint
// per stored minute.
func (s *series) period(p int64) int64 {
	if s == nil || p%s.res == 0 {
		return p
	}
	return (p/s.res + 1) * s.res
}

// lookup finds a series by its exact identity.
func (m *metrics) lookup(id MetricID) *series {
	id.Dimensions = sortDims(id.Dimensions)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byKey[id.key()]
}

// list returns every declared series in declaration order.
func (m *metrics) list() []MetricID {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]MetricID, len(m.order))
	for i, s := range m.order {
		out[i] = s.id
	}
	return out
}

// Aggregate is the statistics of one period.
type Aggregate struct {
	Start            time.Time
	Sum, Min, Max, N float64
	set              statSet
	empty            bool // no sample: a zero datapoint (fillZero)
}

// aggregate returns one Aggregate per period of length period seconds whose
// start lies in [from, to) (Unix seconds, from aligned to the period), in
// ascending time, leaving out periods with no datapoint. Data is never read
// past now nor before the store's epoch; periods under 60 s see only the
// seconds still kept (the last 3 hours), as CloudWatch's high-resolution
// data. A gauge (fillLast) carries its last value into a period as one
// sample at the period's start, unless a sample was taken in that very
// second.
func (m *metrics) aggregate(s *series, from, to, period, now int64) []Aggregate {
	m.mu.Lock()
	defer m.mu.Unlock()
	lo := max(from, m.epoch-mod(m.epoch, period))
	hi := min(to, now+1)
	if lo >= hi {
		return nil
	}
	secEnd := s.base + int64(len(s.secs))
	last, haveLast := s.lastBefore(lo)
	var out []Aggregate
	for start := lo; start < hi; start += period {
		end := min(start+period, hi)
		var set statSet
		if s.fill == fillLast && haveLast && !(start >= s.base && start < secEnd && s.secs[start-s.base].n > 0) {
			set.add(last)
		}
		if period >= 60 {
			for mm := max(start, s.minBase); mm < min(end, s.base); mm += 60 {
				if i := (mm - s.minBase) / 60; i < int64(len(s.mins)) {
					set.merge(&s.mins[i])
				}
			}
		}
		for sec := max(start, s.base); sec < min(end, secEnd); sec++ {
			set.merge(&s.secs[sec-s.base])
		}
		if set.n > 0 {
			last, haveLast = set.last, true
		}
		a := Aggregate{Start: time.Unix(start, 0).UTC(), Sum: set.sum, Min: set.min, Max: set.max, N: set.n, set: set}
		if set.n == 0 {
			if s.fill != fillZero {
				continue
			}
			a.empty = true
		}
		out = append(out, a)
	}
	return out
}

// lastBefore is a gauge's value when a window opening at sec opens: the
// last sample of the latest second (or minute) before it.
func (s *series) lastBefore(sec int64) (float64, bool) {
	for i := min(sec-s.base, int64(len(s.secs))) - 1; i >= 0; i-- {
		if s.secs[i].n > 0 {
			return s.secs[i].last, true
		}
	}
	for i := min((sec-s.minBase)/60, int64(len(s.mins))) - 1; i >= 0; i-- {
		if s.mins[i].n > 0 {
			return s.mins[i].last, true
		}
	}
	return 0, false
}

// Value is the statistic stat (already validated by parseStat) of a.
func (a Aggregate) Value(st stat) float64 {
	if a.empty {
		return 0
	}
	switch st.kind {
	case statSum:
		return a.Sum
	case statAverage:
		return a.Sum / a.N
	case statMin:
		return a.Min
	case statMax:
		return a.Max
	case statSampleCount:
		return a.N
	default:
		return a.set.percentile(st.p)
	}
}
