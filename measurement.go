package brink

import "fmt"

// Verdicts on a level's measurement.
const (
	VerdictGood    = "good"    // the instrument did not distort the level
	VerdictSuspect = "suspect" // it did, beyond a threshold: its numbers include the generator's or the host's own delay
	VerdictUnknown = "unknown" // nothing to judge by (an import, a run from before brink measured itself)
)

// Run-level verdicts (Measurement.Verdict): good, degraded (some level is
// suspect) or unknown.
const VerdictDegraded = "degraded"

// Thresholds say when the instrument distorted a level beyond belief.
// Zero fields take the defaults (DefaultThresholds); plan files set them
// under measurement:.
type Thresholds struct {
	// LagShare and LagMS: a level is suspect when the p99 schedule lag of
	// its hold (start − scheduled, all steps) is above both LagShare of the
	// conversation step's p50 and LagMS of scenario time.
	LagShare float64 `yaml:"lag_share" json:"lag_share"`
	LagMS    float64 `yaml:"lag_ms" json:"lag_ms"`
	// LagWallMS is a floor in wall time: a timer wakes a few ms late on any
	// machine, and a compressed clock magnifies that by 1/time scale
	// (10 ms wall is 500 ms of scenario time at 0.02), so the lag must also
	// pass LagWallMS ÷ time scale.
	LagWallMS float64 `yaml:"lag_wall_ms" json:"lag_wall_ms"`
	// CPU: the generator process's p95 share of the host's cores over the hold.
	CPU float64 `yaml:"cpu" json:"cpu"`
	// Steal: the host's mean stolen share of CPU time over the hold.
	Steal float64 `yaml:"steal" json:"steal"`
	// SimLatenessShare: against a brink sim, a level is suspect when the
	// sim's p99 lateness over the hold (how much later than modelled its
	// conversation turns really finished) is above this share of the
	// modelled conversation time (the turns' p50 service time).
	SimLatenessShare float64 `yaml:"sim_lateness_share" json:"sim_lateness_share"`
	// SimLatenessWallMS is its floor in wall time, as LagWallMS is the
	// lag's: a turn sleeps a dozen modelled delays and each timer wakes a
	// little late, which a compressed clock magnifies, so the lateness
	// must also pass SimLatenessWallMS ÷ time scale.
	SimLatenessWallMS float64 `yaml:"sim_lateness_wall_ms" json:"sim_lateness_wall_ms"`
}

// DefaultThresholds are the documented defaults (docs/measurement.md).
func DefaultThresholds() Thresholds {
	return Thresholds{LagShare: 0.05, LagMS: 100, LagWallMS: 10, CPU: 0.90, Steal: 0.10, SimLatenessShare: 0.05, SimLatenessWallMS: 20}
}

// WithDefaults fills the zero fields.
func (t Thresholds) WithDefaults() Thresholds {
	d := DefaultThresholds()
	if t.LagShare == 0 {
		t.LagShare = d.LagShare
	}
	if t.LagMS == 0 {
		t.LagMS = d.LagMS
	}
	if t.LagWallMS == 0 {
		t.LagWallMS = d.LagWallMS
	}
	if t.CPU == 0 {
		t.CPU = d.CPU
	}
	if t.Steal == 0 {
		t.Steal = d.Steal
	}
	if t.SimLatenessShare == 0 {
		t.SimLatenessShare = d.SimLatenessShare
	}
	if t.SimLatenessWallMS == 0 {
		t.SimLatenessWallMS = d.SimLatenessWallMS
	}
	return t
}

// Validate refuses thresholds that make no sense: shares outside (0, 1],
// a negative lag; it names the plan key.
func (t Thresholds) Validate() error {
	for _, c := range []struct {
		key string
		v   float64
	}{{"lag_share", t.LagShare}, {"cpu", t.CPU}, {"steal", t.Steal}, {"sim_lateness_share", t.SimLatenessShare}} {
		if c.v < 0 || c.v > 1 {
			return fmt.Errorf("measurement.%s %v: want a share in (0, 1], e.g. 0.05 for 5%%", c.key, c.v)
		}
	}
	if t.LagMS < 0 || t.LagWallMS < 0 {
		return fmt.Errorf("measurement.lag_ms %v, lag_wall_ms %v: want milliseconds >= 0", t.LagMS, t.LagWallMS)
	}
	if t.SimLatenessWallMS < 0 {
		return fmt.Errorf("measurement.sim_lateness_wall_ms %v: want milliseconds >= 0", t.SimLatenessWallMS)
	}
	return nil
}

// Measurement is summary.json's word on the instrument: whether brink can
// vouch for the run's numbers.
type Measurement struct {
	Verdict       string   `json:"verdict"`        // good, degraded or unknown
	SuspectLevels []int    `json:"suspect_levels"` // level indexes; the verdict is degraded exactly when this is not empty
	WorstLagP99MS *float64 `json:"worst_lag_p99_ms"`
	WorstCPU      *float64 `json:"worst_process_cpu"`
	WorstSteal    *float64 `json:"worst_host_steal"`
	// WorstSimLatenessP99MS is the largest p99 lateness of the brink sim
	// over a hold (null: no sim self-measurement collected).
	WorstSimLatenessP99MS *float64   `json:"worst_sim_lateness_p99_ms"`
	Thresholds            Thresholds `json:"thresholds"`
	Note                  string     `json:"note,omitempty"`
}
