package brink

// Comparison is brink report --compare's answer: run B against run A at the
// user levels both tested, metric by metric, each difference with the p
// value of a significance test on the two runs' raw values (analyze.Compare
// computes it; report draws it). Only Differences and Verdict are in its
// JSON: that object is what `brink report --compare --json` prints.
type Comparison struct {
	RunA, RunB string  `json:"-"`
	Step       string  `json:"-"` // the conversation step the latencies describe
	Alpha      float64 `json:"-"` // significance level, 0.05
	Users      []int   `json:"-"` // the common user levels, ascending
	// Notes say what could not be tested and why (an imported run without
	// per-request rows, a level with no answered request).
	Notes       []string     `json:"-"`
	Differences []Difference `json:"differences"`
	Verdict     string       `json:"verdict"`
}

// The metrics a Difference compares.
const (
	MetricP50           = "p50_ms"
	MetricP95           = "p95_ms"
	MetricP99           = "p99_ms"
	MetricErrorRate     = "error_rate" // all steps, the stop rule's default definition
	MetricUSDPerUserMin = "usd_per_user_minute"
)

// Difference is one metric at one common user level.
type Difference struct {
	Metric string   `json:"metric"`
	Users  int      `json:"users"`
	A      *float64 `json:"a"`
	B      *float64 `json:"b"`
	// DeltaPct is 100 (b − a) / a; null when a is 0 or either is missing.
	DeltaPct *float64 `json:"delta_pct"`
	// PValue is the test's two-sided p value; null when it could not be
	// tested (see Comparison.Notes).
	PValue      *float64 `json:"p_value"`
	Significant bool     `json:"significant"` // PValue < Alpha
	Test        string   `json:"-"`           // "mann-whitney-u", "fisher-exact"
}
