package analyze

import (
	"context"
	"math"
	"testing"
	"time"

	"brink"
)

// TestTimelineAndDist checks the timeline (queries/timeline.sql) and the
// latency distribution (queries/latency_dist.sql) against the fixture's rows.
func TestTimelineAndDist(t *testing.T) {
	dir, rows := fixtureRun(t)
	res, err := Run(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	// Every request counts in the 10 s bucket it started in.
	want := map[float64]int{}
	wantP95 := map[float64][]float64{}
	for _, r := range rows {
		b := math.Floor(r.Start.Sub(t0).Seconds()/10) * 10
		want[b]++
		if r.Step == brink.StepAsk && r.Error == "" {
			wantP95[b] = append(wantP95[b], r.LatencyMS)
		}
	}
	if len(s.Timeline) != len(want) {
		t.Fatalf("%d timeline points, want %d: %+v", len(s.Timeline), len(want), s.Timeline)
	}
	for _, p := range s.Timeline {
		if p.BucketS != 10 {
			t.Fatalf("bucket %v s, want 10", p.BucketS)
		}
		if got := p.RPS * p.BucketS; math.Abs(got-float64(want[p.OffsetS])) > 1e-9 {
			t.Errorf("bucket at %v s: %v requests, want %d", p.OffsetS, got, want[p.OffsetS])
		}
		if lat := wantP95[p.OffsetS]; len(lat) > 0 {
			if p.P95MS == nil || math.Abs(*p.P95MS-quantileCont(lat, 0.95)) > 1e-6 {
				t.Errorf("bucket at %v s: p95 %v, want %v", p.OffsetS, p.P95MS, quantileCont(lat, 0.95))
			}
		}
		// Level 0: ramp [0,10 s), hold [10,70 s); level 1: ramp [70,80 s), hold [80,140 s).
		wantLevel, wantUsers, wantPhase := 0, 10, "steady"
		switch {
		case p.OffsetS < 10:
			wantPhase = "ramp"
		case p.OffsetS >= 70 && p.OffsetS < 80:
			wantLevel, wantUsers, wantPhase = 1, 20, "ramp"
		case p.OffsetS >= 80:
			wantLevel, wantUsers = 1, 20
		}
		if p.Level == nil || *p.Level != wantLevel || p.Users != wantUsers || p.Phase != wantPhase {
			t.Errorf("bucket at %v s: level %v users %d phase %q, want %d %d %q", p.OffsetS, p.Level, p.Users, p.Phase, wantLevel, wantUsers, wantPhase)
		}
	}
	if len(s.LatencyDist) != 2 {
		t.Fatalf("%d latency distributions, want 2", len(s.LatencyDist))
	}
	for i, d := range s.LatencyDist {
		l := s.Levels[i]
		if d.Level != l.Level || d.Users != l.Users || d.Answered != l.Answered {
			t.Errorf("level %d distribution %+v does not match its level row", i, d)
		}
		for _, c := range []struct {
			p    float64
			want *float64
		}{{0.5, l.P50MS}, {0.95, l.P95MS}, {0.99, l.P99MS}} {
			if got, ok := d.Quantile(c.p); !ok || math.Abs(got-*c.want) > 1e-9 {
				t.Errorf("level %d p%v = %v, want %v (levels.sql)", i, c.p, got, *c.want)
			}
		}
	}
	// Level 0's answered asks are 1000..2900 ms in 100 ms steps.
	if d := s.LatencyDist[0]; d.MinMS != 1000 || d.MaxMS != 2900 {
		t.Errorf("level 0 min/max %v/%v, want 1000/2900", d.MinMS, d.MaxMS)
	}
}

func TestTimelineBucket(t *testing.T) {
	for _, c := range []struct {
		span time.Duration
		want int64
	}{{time.Minute, 10}, {2 * time.Hour, 10}, {3 * time.Hour, 15}, {4 * time.Hour, 30}, {48 * time.Hour, 300}} {
		if got := timelineBucket(c.span.Seconds()); got != c.want {
			t.Errorf("timelineBucket(%v) = %d s, want %d", c.span, got, c.want)
		}
	}
}
