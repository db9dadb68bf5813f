package sim

import (
	"testing"
	"time"
)

func TestOnDemandTableDoublesItsPeak(t *testing.T) {
	ep := time.Unix(1_800_000_000, 0)
	tb := newTable(TableConf{Name: "t", ItemKB: 1}, DynamoDBConf{Mode: OnDemand, OnDemandInitialPeak: 4}, ep)
	takes := func(at time.Time, n int) (ok int) {
		for range n {
			if c := tb.take(at); c == notThrottled {
				ok++
			} else if c != keyRangeExceeded {
				t.Fatalf("throttled as %d, want keyRangeExceeded", c)
			}
		}
		return ok
	}
	steps := []struct {
		at        time.Duration
		try, want int
	}{
		{0, 6, 4},                   // the initial peak
		{time.Second, 10, 8},        // twice the busiest second so far (4)
		{2 * time.Second, 20, 16},   // twice 8
		{29 * time.Minute, 40, 32},  // twice 16: 29 minutes back is still remembered
		{58 * time.Minute, 100, 64}, // twice 32 (the second at 29 min)
		{200 * time.Minute, 100, 4}, // the peak has been forgotten: back to the initial peak
	}
	for _, s := range steps {
		if got := takes(ep.Add(s.at), s.try); got != s.want {
			t.Errorf("at +%v: %d of %d writes got through, want %d", s.at, got, s.try, s.want)
		}
	}
}

// TestOnDemandMaximumThroughput: past an on-demand table's maximum
// throughput, writes are throttled as such, even under its peak.
func TestOnDemandMaximumThroughput(t *testing.T) {
	ep := time.Unix(1_800_000_000, 0)
	tb := newTable(TableConf{Name: "t", ItemKB: 2, MaxWriteUnits: 7}, DynamoDBConf{Mode: OnDemand, OnDemandInitialPeak: 4000}, ep)
	var causes []throttleCause
	for range 5 {
		causes = append(causes, tb.take(ep))
	}
	// 2 units an item: 3 items (6 units) fit under 7, the 4th would make 8.
	want := []throttleCause{notThrottled, notThrottled, notThrottled, maxOnDemandExceeded, maxOnDemandExceeded}
	for i := range want {
		if causes[i] != want[i] {
			t.Fatalf("causes %v, want %v", causes, want)
		}
	}
}

func TestProvisionedTableBurst(t *testing.T) {
	ep := time.Unix(1_800_000_000, 0)
	tb := newTable(TableConf{Name: "t", ItemKB: 2, WriteCapacity: 10}, DynamoDBConf{Mode: Provisioned, BurstSeconds: 3}, ep)
	n := 0
	for tb.take(ep) == notThrottled {
		n++
	}
	if n != 15 { // 3 s × 10 units, 2 units an item
		t.Errorf("%d items from a full bucket, want 15", n)
	}
	if tb.take(ep.Add(200*time.Millisecond)) != notThrottled || tb.take(ep.Add(200*time.Millisecond)) != provisionedExceeded {
		t.Errorf("after 200 ms the bucket should hold exactly one item (2 units)")
	}
}

func BenchmarkMetricsPut(b *testing.B) {
	m := newMetrics(time.Unix(1_800_000_000, 0))
	sr := m.declare(NSLambda, "Duration", unitMS, fillNone)
	t0 := time.Unix(1_800_000_000, 0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.put(sr, t0.Add(time.Duration(i%3600)*time.Second), float64(i%1000))
	}
}

func BenchmarkGetMetricData(b *testing.B) {
	s, err := New(fastModel(), testScale)
	if err != nil {
		b.Fatal(err)
	}
	// Put the epoch two hours back so the data lies behind the clock's now.
	s.clock.Epoch = s.clock.Epoch.Add(-2 * time.Hour)
	s.metrics.epoch = s.clock.Epoch.Unix()
	for i := range 100_000 {
		s.record(s.m.apiLatency, s.clock.Epoch.Add(time.Duration(i%3600)*time.Second), float64(i%997))
	}
	dims := []Dimension{{"ApiName", s.cfg.APIGateway.APIName}, {"Stage", s.cfg.APIGateway.Stage}}
	in := &getMetricDataInput{StartTime: &awsTime{s.clock.Epoch}, EndTime: &awsTime{s.clock.Epoch.Add(time.Hour)},
		MetricDataQueries: []metricDataQuery{{ID: "p", MetricStat: &metricStat{Period: 60, Stat: "p99",
			Metric: cwMetric{Namespace: NSAPIGateway, MetricName: "Latency", Dimensions: dims}}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, aerr := s.getMetricData(in); aerr != nil {
			b.Fatal(aerr)
		}
	}
}
