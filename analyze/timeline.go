package analyze

import (
	"context"
	"database/sql"
	"fmt"

	"brink"
	"brink/queries"
)

// maxTimelinePoints bounds the timeline: a long run gets longer buckets, so
// summary.json and the chart stay the same size whatever the run's length.
const maxTimelinePoints = 720

// timelineBuckets are the bucket lengths tried, shortest first (seconds).
var timelineBuckets = []int64{10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400}

// timelineBucket picks the shortest bucket that keeps a run of spanS
// seconds within maxTimelinePoints buckets.
func timelineBucket(spanS float64) int64 {
	for _, b := range timelineBuckets {
		if spanS/float64(b) <= maxTimelinePoints {
			return b
		}
	}
	return timelineBuckets[len(timelineBuckets)-1]
}

// timelineAndDist adds the timeline (queries/timeline.sql) and the
// per-level latency distribution (queries/latency_dist.sql) to s. It needs
// the traces, windows and hold views of loadRun.
func timelineAndDist(ctx context.Context, db *sql.DB, s *brink.Summary) error {
	origin := s.StartedAt.UnixMicro()
	var endUS sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(end_us) FROM windows`).Scan(&endUS); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	span := 0.0
	if endUS.Valid {
		span = float64(endUS.Int64-origin) / 1e6
	}
	bucket := timelineBucket(span)
	rows, err := db.QueryContext(ctx, queries.MustGet("timeline"), origin, bucket, s.Step)
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	s.Timeline = []brink.TimelinePoint{}
	for rows.Next() {
		p := brink.TimelinePoint{BucketS: float64(bucket)}
		var level sql.NullInt32
		var p95 sql.NullFloat64
		if err := rows.Scan(&p.OffsetS, &level, &p.Users, &p.Phase, &p.RPS, &p.AnsweredRPS, &p.ErrorRPS, &p95); err != nil {
			return fmt.Errorf("timeline: %w", err)
		}
		if level.Valid {
			l := int(level.Int32)
			p.Level = &l
		}
		p.P95MS = ptr(p95)
		s.Timeline = append(s.Timeline, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	return latencyDist(ctx, db, s)
}

func latencyDist(ctx context.Context, db *sql.DB, s *brink.Summary) error {
	rows, err := db.QueryContext(ctx, queries.MustGet("latency_dist"), s.Step)
	if err != nil {
		return fmt.Errorf("latency distribution: %w", err)
	}
	defer rows.Close()
	s.LatencyDist = []brink.LatencyQuantiles{}
	for rows.Next() {
		var q brink.LatencyQuantiles
		var list any
		if err := rows.Scan(&q.Level, &q.Users, &q.Answered, &q.MinMS, &q.MaxMS, &list); err != nil {
			return fmt.Errorf("latency distribution: %w", err)
		}
		vals, ok := list.([]any)
		if !ok || len(vals) != len(brink.LatencyProbs) {
			return fmt.Errorf("latency distribution: level %d: quantiles %T %v, want %d numbers", q.Level, list, list, len(brink.LatencyProbs))
		}
		q.P = append([]float64(nil), brink.LatencyProbs...)
		for _, v := range vals {
			x, ok := v.(float64)
			if !ok {
				return fmt.Errorf("latency distribution: level %d: quantile %T, want a number", q.Level, v)
			}
			q.MS = append(q.MS, x)
		}
		s.LatencyDist = append(s.LatencyDist, q)
	}
	return rows.Err()
}
