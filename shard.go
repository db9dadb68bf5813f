package brink

import "time"

// ShardManifest is shards/<i>.json: one generator's part of a sharded run.
// It is rewritten (status running) after each trace segment the shard
// stores and a last time at the end, so a killed shard's stored segments
// are still listed.
type ShardManifest struct {
	SchemaVersion int    `json:"schema_version"`
	RunID         string `json:"run_id"`
	Shard         int    `json:"shard"`
	Shards        int    `json:"shards"`
	Version       string `json:"version"` // the brink that wrote it
	Status        string `json:"status"`
	StopReason    string `json:"stop_reason,omitempty"`
	EdgeLevel     *int   `json:"edge_level,omitempty"`
	// StartedAt and EndedAt are the shard's, scenario time.
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	// Rows and Files are the trace rows and segments stored so far; files
	// are named relative to the run directory.
	Rows   int64         `json:"rows"`
	Files  []string      `json:"files"`
	Levels []LevelWindow `json:"levels"`
	Hashes InputHashes   `json:"hashes"`
	Host   string        `json:"host,omitempty"`
}

// Done reports whether the shard finished, whatever way it ended.
func (s *ShardManifest) Done() bool { return s.Status != StatusRunning }

// InputHashes identify what a shard replayed: every shard of a run must
// have the same.
type InputHashes struct {
	Plan   string `json:"plan"`   // SHA-256 of the plan and stop rules as JSON
	Flow   string `json:"flow"`   // the flow file's SHA-256
	Corpus string `json:"corpus"` // the sessions corpus's SHA-256, or its source for a built-in one
}

// StopDecision is stop.json: the first shard of a run whose hold broke a
// stop rule says so, and every other shard ends as if it had.
type StopDecision struct {
	Shard  int       `json:"shard"`
	Level  int       `json:"level"`
	Rule   string    `json:"rule"`
	Value  string    `json:"value"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"` // wall clock
}
