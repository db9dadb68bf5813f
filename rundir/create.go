package rundir

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	// RunsDir holds the run: a local path or s3://bucket/prefix; default
	// DefaultRunsDir.
	RunsDir string
	// RunID names the run; default NewID(Started). An import passes an id
	// made from its input's hash, so the same input names the same run;
	// the shards of a run share one.
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
	// Shard of Shards (more than one) writes one generator's part of a
	// sharded run: its segments under traces/shard=i and its own manifest
	// shards/i.json; shard 0 also writes run.json. StartAt is the shared
	// start (wall clock) and Hashes what every shard must agree on.
	Shard, Shards int
	StartAt       time.Time
	Hashes        brink.InputHashes
}

// Writer writes one run directory through a run's life: Create, Level as
// each level's hold finishes, Segment as each trace segment is closed,
// Finish once. Its methods are safe for concurrent use.
type Writer struct {
	Run
	staged bool
	final  string               // the run's folder once in place
	shard  *brink.ShardManifest // a sharded run's own manifest
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
// run.json (status running, no levels yet); a shard writes its own
// manifest, and shard 0 run.json. A staged run writes run.json only when
// Finish puts it in place.
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
	loc, err := resolve(ctx, o.RunsDir)
	if err != nil {
		return nil, err
	}
	w := &Writer{Run: Run{loc: loc, id: o.RunID}, staged: o.Staged, final: o.RunID}
	w.m = &brink.Manifest{
		SchemaVersion: brink.SchemaVersion, Tool: o.Tool, Version: brink.Version, RunID: o.RunID,
		StartedAt: o.Started.UTC(), Status: brink.StatusRunning, Target: brink.RedactURL(o.Target),
		Flow: o.Flow, Plan: o.Plan, StopRules: o.StopRules, TimeScale: o.Clock.Scale, Epoch: o.Clock.Epoch,
		Seed: o.Seed, Levels: []brink.LevelWindow{}, Aggregated: o.Aggregated,
	}
	if o.Shards > 1 {
		return w, w.createShard(ctx, o)
	}
	if w.exists(ctx, ManifestFile) {
		hint := "another run has its id"
		if o.Staged {
			hint = "this input was imported before; remove it to import again"
		}
		return nil, fmt.Errorf("%s: %w: %s", w.Dir(), ErrExists, hint)
	}
	if o.Staged && loc.remote {
		w.id = ".import-" + o.RunID + "-" + NewID(time.Time{})[len("00010101T000000Z-"):]
		return w, nil
	}
	if o.Staged {
		if err := os.MkdirAll(o.RunsDir, 0o755); err != nil {
			return nil, fmt.Errorf("create runs directory: %w", err)
		}
		dir, err := os.MkdirTemp(o.RunsDir, ".import-"+o.RunID+"-")
		if err != nil {
			return nil, fmt.Errorf("create run directory: %w", err)
		}
		w.id = dirBase(dir)
		return w, nil
	}
	if _, err := w.Prepare(ManifestFile); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	w.m.PID = os.Getpid()
	if err := w.write(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// exists reports whether the run already holds name.
func (w *Writer) exists(ctx context.Context, name string) bool {
	r, err := w.loc.store.Open(ctx, join(w.id, name))
	if err != nil {
		return false
	}
	r.Close()
	return true
}

func (w *Writer) write(ctx context.Context) error {
	if w.shard != nil {
		return writeJSON(ctx, w.loc.store, join(w.id, ShardManifestFile(w.shard.Shard)), w.shard)
	}
	return writeJSON(ctx, w.loc.store, join(w.id, ManifestFile), w.m)
}

// TracesDir is the folder this writer's trace segments go in: traces, or
// traces/shard=i for a shard.
func (w *Writer) TracesDir() string {
	if w.shard != nil {
		return ShardTracesDir(w.shard.Shard)
	}
	return TracesDir
}

// Level records a level whose hold has finished and rewrites the manifest,
// so a run killed later still has its timeline.
func (w *Writer) Level(ctx context.Context, lw brink.LevelWindow) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shard != nil {
		w.shard.Levels = append(w.shard.Levels, lw)
	} else {
		w.m.Levels = append(w.m.Levels, lw)
		w.m.Repeating = nil
	}
	if w.staged {
		return nil
	}
	return w.write(ctx)
}

// Repeating records that level lw.Index's hold is being held once more
// (brink run --strict-measurement; lw has the repeat as its hold) and
// rewrites the manifest, so a run killed during the repeat reads its
// timeline as it was. Sharded runs do not repeat holds.
func (w *Writer) Repeating(ctx context.Context, lw brink.LevelWindow) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shard != nil {
		return nil
	}
	w.m.Repeating = &lw
	if w.staged {
		return nil
	}
	return w.write(ctx)
}

// Segment stores a closed trace segment (path, a file in TracesDir) of
// rows rows, then, for a shard, lists it in the shard's manifest: a reader
// never sees a listed segment that is not whole.
func (w *Writer) Segment(ctx context.Context, path string, rows int64) error {
	name := w.TracesDir() + "/" + filepath.Base(path)
	if err := w.Publish(ctx, name); err != nil {
		return err
	}
	if w.shard == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.shard.Files = append(w.shard.Files, name)
	w.shard.Rows += rows
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
	if w.shard != nil {
		return w.finishShard(ctx, e)
	}
	if !e.Ended.IsZero() {
		end := e.Ended.UTC()
		w.m.EndedAt = &end
	}
	w.m.Status, w.m.StopReason, w.m.EdgeLevel = e.Status, e.Reason, e.EdgeLevel
	if e.Levels != nil {
		w.m.Levels = e.Levels
	}
	w.m.Repeating = nil // the ending's levels hold the repeat
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
	if err := w.loc.store.Rename(ctx, w.id, w.final); err != nil {
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
	return w.loc.store.Remove(ctx, w.id)
}

// Discard removes a run that failed before its first request: there is
// nothing in it worth keeping, and a folder left behind with status
// running would be a run that never was. A shard's run is shared with the
// other shards and is kept.
func (w *Writer) Discard(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shard != nil {
		return nil
	}
	if w.staged {
		return w.loc.store.Remove(ctx, w.id)
	}
	names, err := w.loc.store.List(ctx, w.id)
	if err != nil {
		return fmt.Errorf("discard run %s: %w", w.Dir(), err)
	}
	for _, n := range names {
		if err := w.loc.store.Remove(ctx, n); err != nil {
			return fmt.Errorf("discard run %s: %w", w.Dir(), err)
		}
	}
	if local, ok := w.loc.store.(Local); ok {
		// Only the folders it made, and only when empty: a file brink did
		// not write stops the removal there.
		for _, d := range []string{TracesDir, GeneratorDir, ""} {
			os.Remove(local.Path(join(w.id, d)))
		}
	}
	return nil
}

// CheckID refuses a run id that cannot name a folder or an object prefix
// on every store: it must be letters, digits, '.', '_' or '-'.
func CheckID(id string) error {
	if id == "" || id == "." || id == ".." {
		return fmt.Errorf("run id %q: want letters, digits, '.', '_' or '-'", id)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("run id %q: %q is not allowed: want letters, digits, '.', '_' or '-'", id, c)
		}
	}
	return nil
}

// SelfFile is where this writer's generator self-measurement goes.
func (w *Writer) SelfFile() string {
	if w.shard != nil {
		return ShardSelfFile(w.shard.Shard)
	}
	return SelfFile
}
