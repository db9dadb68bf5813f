package sim

import (
	"errors"
	"math"
	"sync"
	"time"
)

// table models one DynamoDB table's write capacity.
//
// Provisioned: a token bucket refilled at WriteCapacity units a second that
// keeps up to BurstSeconds of unused capacity, as DynamoDB's burst capacity
// does; it starts full. On demand: a second may consume up to twice the
// highest second of the past 30 minutes (or the initial peak, if higher);
// traffic that more than doubles faster than that is throttled.
type table struct {
	conf  TableConf
	mode  string
	units float64 // write units per item

	mu    sync.Mutex
	level float64 // provisioned: units in the bucket
	cap   float64
	at    time.Time // provisioned: when level was computed

	initialPeak float64
	perSecond   map[int64]float64 // on demand: units consumed per Unix second
}

// onDemandWindow is how long an on-demand table remembers its peak.
const onDemandWindow = 30 * 60

func newTable(tc TableConf, dc DynamoDBConf, epoch time.Time) *table {
	t := &table{conf: tc, mode: dc.Mode, units: math.Ceil(tc.ItemKB), at: epoch,
		initialPeak: dc.OnDemandInitialPeak, perSecond: map[int64]float64{}}
	// A bucket must hold at least one item, or nothing could ever be written.
	t.cap = max(tc.WriteCapacity*dc.BurstSeconds, tc.WriteCapacity, t.units)
	t.level = t.cap
	return t
}

// Why a write was throttled, as DynamoDB's per-cause throttle metrics
// tell it.
type throttleCause uint8

const (
	notThrottled        throttleCause = iota
	provisionedExceeded               // the provisioned capacity (WriteThrottleEvents only)
	keyRangeExceeded                  // the partitions an on-demand table has so far (WriteKeyRangeThroughputThrottleEvents)
	maxOnDemandExceeded               // the table's on-demand maximum throughput (WriteMaxOnDemandThroughputThrottleEvents)
)

// take consumes one item's write units at scenario time now, or says why
// it is throttled.
func (t *table) take(now time.Time) throttleCause {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mode == OnDemand {
		sec := now.Unix()
		peak := 0.0
		for s, u := range t.perSecond {
			switch {
			case s < sec-onDemandWindow:
				delete(t.perSecond, s)
			case s < sec:
				peak = max(peak, u)
			}
		}
		next := t.perSecond[sec] + t.units
		if m := t.conf.MaxWriteUnits; m > 0 && next > m {
			return maxOnDemandExceeded
		}
		// Traffic that more than doubles the previous peak finds too few
		// partitions: each takes 1,000 write units a second.
		if next > max(t.initialPeak, 2*peak) {
			return keyRangeExceeded
		}
		t.perSecond[sec] = next
		return notThrottled
	}
	if dt := now.Sub(t.at).Seconds(); dt > 0 {
		t.level = min(t.cap, t.level+dt*t.conf.WriteCapacity)
		t.at = now
	}
	if t.level < t.units {
		return provisionedExceeded
	}
	t.level -= t.units
	return notThrottled
}

// errWriteThrottled is a PutItem still throttled after the SDK's retries.
var errWriteThrottled = errors.New("ProvisionedThroughputExceededException: retries exhausted")

// errStopped means the invocation ended (timeout or client gone) meanwhile.
var errStopped = errors.New("invocation stopped")

// putItem writes one item to table i the way the function's SDK does:
// throttled attempts are retried with exponential backoff and jitter.
func (s *Sim) putItem(v *invocation, i int) error {
	t := s.tables[i]
	lat := s.cfg.DynamoDB.WriteLatency
	for attempt := 1; ; attempt++ {
		now := v.now()
		cause := t.take(now)
		if cause == notThrottled {
			if !v.wait(lat) {
				return errStopped
			}
			s.record(s.m.ddbConsumed[i], now, t.units)
			s.record(s.m.ddbLatency[i], now, ms(lat))
			return nil
		}
		s.counters.DynamoThrottles.Add(1)
		s.record(s.m.ddbWriteThrottles[i], now, 1)
		s.record(s.m.ddbThrottled[i], now, 1)
		switch cause {
		case keyRangeExceeded:
			s.record(s.m.ddbKeyRange[i], now, 1)
		case maxOnDemandExceeded:
			s.record(s.m.ddbMaxOnDemand[i], now, 1)
		}
		if !v.wait(lat) {
			return errStopped
		}
		if attempt >= s.cfg.Retry.MaxAttempts {
			return errWriteThrottled
		}
		if !v.wait(s.backoff(attempt)) {
			return errStopped
		}
	}
}
