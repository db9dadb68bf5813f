package rundir

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"brink"
)

// DefaultRunsDir is where run directories go unless --runs-dir says otherwise.
const DefaultRunsDir = "runs"

// ErrExists is returned when the run directory to create is already there
// (an import of the same input names the same run).
var ErrExists = errors.New("run directory already exists")

// CreateOptions describe a new run: everything run.json says before the
// first request. Zero values take the defaults.
type CreateOptions struct {
	RunsDir string // default DefaultRunsDir
	// RunID names the run; default NewID(Started). An import passes an id
	// made from its input's hash, so the same input names the same run.
	RunID string
	// Started is when the run started, scenario time (UTC).
	Started time.Time
	Tool    string // default "brink"; imports say "brink import <tool>"
	// Target is the API's URL; credentials, query and fragment are never
	// written (RedactURL).
	Target     string
	Flow       brink.FlowRef
	Plan       brink.Plan
	StopRules  []brink.StopRule // nil: none
	Clock      brink.Clock      // the run's scenario clock
	Seed       int64
	Aggregated bool // the run has level rows, not per-request rows (Locust)
	// Staged writes the run under a hidden staging name that Finish
	// renames into place, so a failed import leaves nothing half-made; it
	// refuses (ErrExists) when the run is already there.
	Staged bool
}

// Writer writes one run directory through a run's life: Create, Level as
// each level's hold finishes, Finish once. Its methods are safe for
// concurrent use.
type Writer struct {
	Run
	staged bool
	final  string // the run's folder once in place
	mu     sync.Mutex
}

// NewID returns a sortable run id: the start time (UTC, to the second) and
// a short random suffix, so two runs started in the same second differ.
func NewID(started time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return IDWith(started, hex.EncodeToString(b[:]))
}

// IDWith is the run id of a run started at t with the given suffix.
func IDWith(t time.Time, suffix string) string {
	return t.UTC().Format("20060102T150405Z") + "-" + suffix
}

// Create makes a run directory under o.RunsDir and writes its first
// run.json (status running, no levels yet). A staged run writes run.json
// only when Finish puts it in place.
func Create(ctx context.Context, o CreateOptions) (*Writer, error) {
	if o.RunsDir == "" {
		o.RunsDir = DefaultRunsDir
	}
	if o.Tool == "" {
		o.Tool = "brink"
	}
	if o.RunID == "" {
		o.RunID = NewID(o.Started)
	}
	if o.StopRules == nil {
		o.StopRules = []brink.StopRule{}
	}
	store := Dir(o.RunsDir)
	w := &Writer{Run: Run{store: store, id: o.RunID}, staged: o.Staged, final: o.RunID}
	if _, err := os.Stat(store.Path(o.RunID)); err == nil {
		hint := "another run has its id"
		if o.Staged {
			hint = "this input was imported before; remove it to import again"
		}
		return nil, fmt.Errorf("%s: %w: %s", store.Path(o.RunID), ErrExists, hint)
	}
	if err := os.MkdirAll(o.RunsDir, 0o755); err != nil {
		return nil, fmt.Errorf("create runs directory: %w", err)
	}
	if o.Staged {
		dir, err := os.MkdirTemp(o.RunsDir, ".import-"+o.RunID+"-")
		if err != nil {
			return nil, fmt.Errorf("create run directory: %w", err)
		}
		w.id = dirBase(dir)
	} else if err := os.Mkdir(store.Path(o.RunID), 0o755); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	w.m = &brink.Manifest{
		SchemaVersion: brink.SchemaVersion, Tool: o.Tool, Version: brink.Version, RunID: o.RunID,
		StartedAt: o.Started.UTC(), Status: brink.StatusRunning, Target: brink.RedactURL(o.Target),
		Flow: o.Flow, Plan: o.Plan, StopRules: o.StopRules, TimeScale: o.Clock.Scale, Epoch: o.Clock.Epoch,
		Seed: o.Seed, Levels: []brink.LevelWindow{}, Aggregated: o.Aggregated,
	}
	if o.Staged {
		return w, nil
	}
	w.m.PID = os.Getpid()
	if err := w.write(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) write(ctx context.Context) error {
	return writeJSON(ctx, w.store, join(w.id, ManifestFile), w.m)
}

// Level records a level whose hold has finished and rewrites run.json, so
// a run killed later still has its timeline.
func (w *Writer) Level(ctx context.Context, lw brink.LevelWindow) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.m.Levels = append(w.m.Levels, lw)
	if w.staged {
		return nil
	}
	return w.write(ctx)
}

// Ending is how a run ended: what Finish writes into run.json.
type Ending struct {
	Ended     time.Time // scenario time; zero: unknown (run.json then has no ended_at)
	Status    string    // brink.StatusCompleted, StatusStopped, StatusInterrupted or StatusFailed
	Reason    string    // the stop reason, when not completed
	EdgeLevel *int      // the level whose hold broke a stop rule, live
	// Levels is the level timeline as the run ended (the last cut at the
	// stop); nil keeps the levels recorded with Level.
	Levels []brink.LevelWindow
	// Plan and Target, when set, replace what Create was given: an import
	// finds its levels and its target in the data.
	Plan   *brink.Plan
	Target string
}

// Finish writes run.json a last time with the run's end; a staged run is
// then renamed into place.
func (w *Writer) Finish(ctx context.Context, e Ending) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !e.Ended.IsZero() {
		end := e.Ended.UTC()
		w.m.EndedAt = &end
	}
	w.m.Status, w.m.StopReason, w.m.EdgeLevel = e.Status, e.Reason, e.EdgeLevel
	if e.Levels != nil {
		w.m.Levels = e.Levels
	}
	if e.Plan != nil {
		w.m.Plan = *e.Plan
	}
	if e.Target != "" {
		w.m.Target = brink.RedactURL(e.Target)
	}
	if err := w.write(ctx); err != nil {
		return err
	}
	if !w.staged {
		return nil
	}
	if err := w.store.Rename(ctx, w.id, w.final); err != nil {
		return fmt.Errorf("create run directory: %w", err)
	}
	w.id, w.staged = w.final, false
	return nil
}

// Abandon removes a staged run that will not be finished (a failed
// import). A run that was not staged is kept: what it recorded stays.
func (w *Writer) Abandon(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.staged {
		return nil
	}
	return w.store.Remove(ctx, w.id)
}
