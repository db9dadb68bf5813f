package brink

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

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
	Aggregated    bool          `json:"aggregated,omitempty"`
	PID           int           `json:"pid,omitempty"` // the writing process, to tell a dead "running" run
}

// FlowRef names the flow a run replayed and the hash of its content.
type FlowRef struct {
	Name   string `json:"name"`
	Source string `json:"source"` // file name, or builtin:chat
	SHA256 string `json:"sha256"`
}

// Clock is the run's scenario clock.
func (m *Manifest) Clock() Clock { return Clock{Epoch: m.Epoch, Scale: m.TimeScale} }

// ManifestFile is the manifest's name inside a run directory.
const ManifestFile = "run.json"

// ErrNoManifest is returned when a directory has no run.json.
var ErrNoManifest = errors.New("no run.json")

// ReadManifest reads dir/run.json.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w: is %s a brink run directory?", path, ErrNoManifest, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%s: schema_version %d is not one this brink (%s) reads (it reads %d): use the brink version that wrote it",
			path, m.SchemaVersion, Version, SchemaVersion)
	}
	return &m, nil
}

// WriteManifest writes dir/run.json atomically: a temporary file, fsync, rename.
func WriteManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, ManifestFile), append(b, '\n'))
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers see the old or the new file, never half.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// NewRunID returns a sortable run id: the UTC start time, then a short random
// suffix so two runs started in the same second do not collide.
func NewRunID(t time.Time, suffix string) string {
	return t.UTC().Format("20060102T150405Z") + "-" + suffix
}

// EffectiveStatus is the status a reader should believe: a run still marked
// running whose writing process is gone was interrupted (killed or crashed).
func (m *Manifest) EffectiveStatus() string {
	if m.Status == StatusRunning && m.PID > 0 && !processAlive(m.PID) {
		return StatusInterrupted
	}
	return m.Status
}
