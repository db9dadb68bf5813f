package brink

import "time"

// Run statuses of run.json.
const (
	StatusRunning     = "running"
	StatusCompleted   = "completed"
	StatusStopped     = "stopped" // a stop rule ended the ramp: the edge was found
	StatusInterrupted = "interrupted"
	StatusFailed      = "failed"
)

// Manifest is run.json: what was run, against what, and the level timeline.
// It is written when the run starts and rewritten atomically as levels finish.
type Manifest struct {
	SchemaVersion int           `json:"schema_version"`
	Tool          string        `json:"tool"`
	Version       string        `json:"version"`
	RunID         string        `json:"run_id"`
	StartedAt     time.Time     `json:"started_at"`
	EndedAt       *time.Time    `json:"ended_at,omitempty"`
	Status        string        `json:"status"`
	StopReason    string        `json:"stop_reason,omitempty"`
	EdgeLevel     *int          `json:"edge_level,omitempty"` // the level whose hold broke a stop rule, live
	Target        string        `json:"target"`               // credentials redacted
	Flow          FlowRef       `json:"flow"`
	Plan          Plan          `json:"plan"`
	StopRules     []StopRule    `json:"stop_rules"`
	TimeScale     float64       `json:"time_scale"`
	Epoch         time.Time     `json:"epoch"`
	Seed          int64         `json:"seed"`
	Levels        []LevelWindow `json:"levels"`
	// Repeating is the level whose hold brink run --strict-measurement is
	// holding once more right now: its window with RepeatedHold set and the
	// repeat as its hold. It is gone once the repeat is judged (the level is
	// then in Levels), so only a run killed during a repeat keeps it.
	Repeating  *LevelWindow `json:"repeating,omitempty"`
	Aggregated bool         `json:"aggregated,omitempty"`
	PID        int          `json:"pid,omitempty"` // the writing process, to tell a dead "running" run

	// Shards is how many generators made the run (0 or 1: one). A sharded
	// run's own status lives in each shard's manifest (ShardManifest); a
	// reader derives the run's from them.
	Shards int `json:"shards,omitempty"`
	// StartAt is the shared start of a sharded run, wall clock (UTC).
	StartAt *time.Time `json:"start_at,omitempty"`
}

// FlowRef names the flow a run replayed and the hash of its content.
type FlowRef struct {
	Name   string `json:"name"`
	Source string `json:"source"` // file name, or builtin:chat
	SHA256 string `json:"sha256"`
}

// Clock is the run's scenario clock.
func (m *Manifest) Clock() Clock { return Clock{Epoch: m.Epoch, Scale: m.TimeScale} }

// EffectiveStatus is the status a reader should believe: a run still marked
// running whose writing process is gone was interrupted (killed or crashed).
func (m *Manifest) EffectiveStatus() string {
	if m.Status == StatusRunning && m.PID > 0 && !processAlive(m.PID) {
		return StatusInterrupted
	}
	return m.Status
}
