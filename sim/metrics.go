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

// bucket is one second of one series. Values are kept so percentiles are
// exact, as CloudWatch's are for high-resolution data.
type bucket struct {
	sum, min, max float64
	values        []float64
}

type series struct {
	id      MetricID
	unit    string
	fill    fill
	buckets map[int64]*bucket // Unix second → samples
}

// metrics is the sim's CloudWatch store at 1-second resolution. Every
// modelled series is declared up front so that ListMetrics lists it and
// queries see its zeros before the first sample.
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
	s := &series{id: id, unit: unit, fill: f, buckets: map[int64]*bucket{}}
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
	b := s.buckets[sec]
	if b == nil {
		b = &bucket{min: v, max: v}
		s.buckets[sec] = b
	}
	b.sum += v
	b.min = min(b.min, v)
	b.max = max(b.max, v)
	b.values = append(b.values, v)
	m.mu.Unlock()
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
	values           []float64 // sorted
	empty            bool      // no sample: a zero datapoint (fillZero)
}

// aggregate returns one Aggregate per period of length period seconds whose
// start lies in [from, to) (Unix seconds, from aligned to the period), in
// ascending time, leaving out periods with no datapoint. Data is never read
// past now nor before the store's epoch. A gauge (fillLast) carries its last
// value into a period as one sample at the period's start, unless a sample
// was taken in that very second.
func (m *metrics) aggregate(s *series, from, to, period, now int64) []Aggregate {
	m.mu.Lock()
	defer m.mu.Unlock()
	lo := max(from, m.epoch-mod(m.epoch, period))
	hi := min(to, now+1)
	if lo >= hi {
		return nil
	}
	keys := make([]int64, 0, len(s.buckets))
	last, haveLast := 0.0, false
	var latest int64 = -1 << 62
	for sec, b := range s.buckets {
		switch {
		case sec >= lo && sec < hi:
			keys = append(keys, sec)
		case sec < lo && sec > latest: // the gauge's value when the window opens
			latest, last, haveLast = sec, b.values[len(b.values)-1], true
		}
	}
	slices.Sort(keys)
	var out []Aggregate
	k := 0
	for start := lo; start < hi; start += period {
		a := Aggregate{Start: time.Unix(start, 0).UTC()}
		first := true
		add := func(b *bucket) {
			if first {
				a.Min, a.Max, first = b.min, b.max, false
			}
			a.Sum += b.sum
			a.Min = min(a.Min, b.min)
			a.Max = max(a.Max, b.max)
			a.N += float64(len(b.values))
			a.values = append(a.values, b.values...)
		}
		if s.fill == fillLast && haveLast && (k >= len(keys) || keys[k] != start) {
			add(&bucket{sum: last, min: last, max: last, values: []float64{last}})
		}
		for ; k < len(keys) && keys[k] < start+period; k++ {
			b := s.buckets[keys[k]]
			add(b)
			last, haveLast = b.values[len(b.values)-1], true
		}
		if first {
			if s.fill != fillZero {
				continue
			}
			a.empty = true
		}
		slices.Sort(a.values)
		out = append(out, a)
	}
	return out
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
		return percentile(a.values, st.p)
	}
}

// percentile is the nearest-rank percentile of sorted values, the estimator
// CloudWatch documents for pNN ("the value below which NN% of samples fall").
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p / 100 * float64(len(sorted)))
	if float64(rank) < p/100*float64(len(sorted)) {
		rank++
	}
	return sorted[min(max(rank, 1), len(sorted))-1]
}
