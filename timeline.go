package brink

// TimelinePoint is one bucket of scenario time: summary.json's "timeline",
// the run as it unfolded (ramps included), for the report's timeline chart.
// Buckets are BucketS seconds long from the run's start; a bucket without
// requests is absent.
type TimelinePoint struct {
	OffsetS float64 `json:"offset_s"` // bucket start, scenario seconds since started_at
	BucketS float64 `json:"bucket_s"`
	// Level and Users are the level whose ramp or hold the bucket starts in
	// and its target users; Level is nil (Users 0) outside every level.
	Level *int   `json:"level"`
	Users int    `json:"users"`
	Phase string `json:"phase"` // "ramp", "steady" or "" outside every level
	// Rates per second of the bucket: requests of all steps, answered
	// requests of the conversation step (throughput), failed requests of
	// all steps.
	RPS         float64 `json:"rps"`
	AnsweredRPS float64 `json:"answered_rps"`
	ErrorRPS    float64 `json:"error_rps"`
	// P95MS is the exact p95 (quantile_cont) of the conversation step's
	// answered latencies that started in the bucket; nil without one.
	P95MS *float64 `json:"p95_ms"`
}

// LatencyQuantiles is one level's distribution of answered conversation
// latency over its hold window: summary.json's "latency_distribution".
// Values are exact (quantile_cont), scenario milliseconds.
type LatencyQuantiles struct {
	Level    int     `json:"level"`
	Users    int     `json:"users"`
	Answered int64   `json:"answered"`
	MinMS    float64 `json:"min_ms"`
	MaxMS    float64 `json:"max_ms"`
	// P are the probabilities (LatencyProbs) and MS the latency at each.
	P  []float64 `json:"p"`
	MS []float64 `json:"ms"`
}

// LatencyProbs are the probabilities of LatencyQuantiles.P, in order.
var LatencyProbs = []float64{0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99}

// Quantile returns the latency at probability p if it is one of P.
func (q LatencyQuantiles) Quantile(p float64) (float64, bool) {
	for i, x := range q.P {
		if x == p && i < len(q.MS) {
			return q.MS[i], true
		}
	}
	return 0, false
}
