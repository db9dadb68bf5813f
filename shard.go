package brink

import "time"

// MaxShards bounds the generators of one run: a reader opens a shard
// manifest for each, so a run.json that claims millions must be refused,
// not read. (brink k8s job has the same bound for its pods' host names.)
const MaxShards = 10_000

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

// SelfSample is one second of the generator's own measurement
// (generator/self.jsonl): how busy its process and host were, and how late
// the Go scheduler ran goroutines. Schedule lag is not here: every trace
// row has start − scheduled.
type SelfSample struct {
	T          time.Time `json:"t"`            // end of the second, scenario time
	WallS      float64   `json:"wall_s"`       // wall seconds the sample covers
	ProcessCPU float64   `json:"process_cpu"`  // share of all the host's cores this process used (0..1)
	HostBusy   float64   `json:"host_busy"`    // share of the host's CPU time busy, steal included (0..1; /proc/stat)
	HostSteal  float64   `json:"host_steal"`   // share stolen by the hypervisor (0..1)
	SchedP99MS float64   `json:"sched_p99_ms"` // p99 wait of runnable goroutines, wall ms (runtime/metrics)
	GCPauseMS  float64   `json:"gc_pause_ms"`  // stop-the-world GC time in the second, wall ms
	InFlight   int64     `json:"in_flight"`    // requests in flight at the end of the second
	Requests   int64     `json:"requests"`     // requests started in the second
	LagMaxMS   float64   `json:"lag_max_ms"`   // largest schedule lag (start − scheduled) in the second, scenario ms
	Cores      int       `json:"cores"`        // the host's cores
}
