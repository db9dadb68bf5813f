package rundir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"brink"
)

// createShard starts shard o.Shard of a sharded run: it refuses a shard
// that was started before, writes the shard's manifest (status running)
// and, on shard 0, run.json with the shard count, the shared start and
// the plan. No process id is kept: shards run on other machines.
func (w *Writer) createShard(ctx context.Context, o CreateOptions) error {
	if o.Shard < 0 || o.Shard >= o.Shards {
		return fmt.Errorf("shard %d/%d: want 0 <= i < n", o.Shard, o.Shards)
	}
	if o.Staged {
		return errors.New("an import cannot be sharded")
	}
	name := ShardManifestFile(o.Shard)
	if w.exists(ctx, name) {
		return fmt.Errorf("%s: %w: shard %d of run %s was started before; give a new --run-id", w.Location(name), ErrExists, o.Shard, o.RunID)
	}
	w.m.Shards = o.Shards
	if !o.StartAt.IsZero() {
		at := o.StartAt.UTC()
		w.m.StartAt = &at
	}
	host, _ := os.Hostname()
	w.shard = &brink.ShardManifest{SchemaVersion: brink.SchemaVersion, RunID: o.RunID, Shard: o.Shard, Shards: o.Shards,
		Version: brink.Version, Status: brink.StatusRunning, StartedAt: o.Started.UTC(), Files: []string{},
		Levels: []brink.LevelWindow{}, Hashes: o.Hashes, Host: host}
	if _, err := w.Prepare(name); err != nil {
		return err
	}
	if o.Shard == 0 {
		if err := writeJSON(ctx, w.loc.store, join(w.id, ManifestFile), w.m); err != nil {
			return err
		}
	}
	return w.write(ctx)
}

// finishShard writes the shard's manifest a last time.
func (w *Writer) finishShard(ctx context.Context, e Ending) error {
	if !e.Ended.IsZero() {
		end := e.Ended.UTC()
		w.shard.EndedAt = &end
	}
	w.shard.Status, w.shard.StopReason, w.shard.EdgeLevel = e.Status, e.Reason, e.EdgeLevel
	if e.Levels != nil {
		w.shard.Levels = e.Levels
	}
	return w.write(ctx)
}

// Stop records the first stop decision of a sharded run (stop.json); a
// decision already there is kept.
func (w *Writer) Stop(ctx context.Context, d brink.StopDecision) error {
	if _, err := w.ReadStop(ctx); err == nil {
		return nil
	}
	return w.WriteJSON(ctx, StopFile, d)
}

// ReadStop reads the run's stop decision; an error that errors.Is(err,
// fs.ErrNotExist) when no shard has made one.
func (r *Run) ReadStop(ctx context.Context) (*brink.StopDecision, error) {
	var d brink.StopDecision
	if err := r.ReadJSON(ctx, StopFile, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Shards returns a sharded run's shard manifests by index, nil where one
// is missing; nil for a run that is not sharded.
func (r *Run) Shards() []*brink.ShardManifest { return r.shards }

// loadShards reads the shard manifests and the stop decision and derives
// the run's status, end and levels from them.
func (r *Run) loadShards(ctx context.Context) error {
	r.base = r.m
	r.shards = make([]*brink.ShardManifest, r.base.Shards)
	for i := range r.shards {
		var s brink.ShardManifest
		err := r.ReadJSON(ctx, ShardManifestFile(i), &s)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return err
		}
		r.shards[i] = &s
	}
	if d, err := r.ReadStop(ctx); err == nil {
		r.stop = d
	}
	m := *r.base
	m.Status, m.EndedAt, m.Levels, m.StopReason, m.EdgeLevel = merged(r.shards, r.stop)
	r.m = &m
	return nil
}

// merged derives a sharded run's status, end and levels from its shards:
// stopped when the run has a stop decision or a shard stopped, else the
// worst of failed, interrupted (a shard that is missing or not done: no
// process can be asked across machines, so it reads as killed) and
// completed; the end is the last shard's; the levels are
// those every present shard began, each ended at the earliest shard's end.
func merged(shards []*brink.ShardManifest, stop *brink.StopDecision) (status string, ended *time.Time, levels []brink.LevelWindow, reason string, edge *int) {
	status = brink.StatusCompleted
	rank := map[string]int{brink.StatusCompleted: 0, brink.StatusInterrupted: 1, brink.StatusFailed: 2}
	first := true
	for _, s := range shards {
		if s == nil || !s.Done() {
			status = worse(status, brink.StatusInterrupted, rank)
		}
		if s == nil {
			continue
		}
		if s.Status == brink.StatusStopped {
			status, reason, edge = brink.StatusStopped, s.StopReason, s.EdgeLevel
		} else if status != brink.StatusStopped && s.Done() {
			status = worse(status, s.Status, rank)
			if s.StopReason != "" {
				reason = s.StopReason
			}
		}
		if s.EndedAt != nil && (ended == nil || s.EndedAt.After(*ended)) {
			ended = s.EndedAt
		}
		levels = intersect(levels, s.Levels, first)
		first = false
	}
	if stop != nil {
		status, reason, edge = brink.StatusStopped, stop.Reason, &stop.Level
	}
	if levels == nil {
		levels = []brink.LevelWindow{}
	}
	return status, ended, levels, reason, edge
}

func worse(a, b string, rank map[string]int) string {
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func intersect(acc, next []brink.LevelWindow, first bool) []brink.LevelWindow {
	if first {
		return append([]brink.LevelWindow(nil), next...)
	}
	acc = acc[:min(len(acc), len(next))]
	for i := range acc {
		if next[i].End.Before(acc[i].End) {
			acc[i].End = next[i].End
		}
		if acc[i].SteadyStart.After(acc[i].End) {
			acc[i].SteadyStart = acc[i].End
		}
	}
	return acc
}

// ErrShards is returned by CheckShards when a sharded run is not whole.
var ErrShards = errors.New("the run's shards are not all done")

// CheckShards says whether a sharded run can be analysed: every shard's
// manifest present and done, and all of them from the same brink and the
// same inputs. With allowPartial, missing and unfinished shards become
// warnings (what is there is analysed); shards that disagree never do.
func (r *Run) CheckShards(allowPartial bool) (warnings []string, err error) {
	if r.shards == nil {
		return nil, nil
	}
	var ref *brink.ShardManifest
	var missing, disagree []string
	for i, s := range r.shards {
		switch {
		case s == nil:
			missing = append(missing, fmt.Sprintf("shard %d has no manifest (%s): it never stored a segment", i, ShardManifestFile(i)))
		case !s.Done():
			missing = append(missing, fmt.Sprintf("shard %d did not finish (%s says running, %d rows in %d segments): it was killed or is still going", i, ShardManifestFile(i), s.Rows, len(s.Files)))
		}
		if s == nil {
			continue
		}
		if ref == nil {
			ref = s
			continue
		}
		if s.Version != ref.Version {
			disagree = append(disagree, fmt.Sprintf("shard %d ran brink %s, shard %d brink %s: run every shard with one brink", s.Shard, s.Version, ref.Shard, ref.Version))
		}
		if s.Hashes != ref.Hashes {
			disagree = append(disagree, fmt.Sprintf("shard %d replayed other inputs than shard %d (plan, flow or corpus hash differs): give every shard the same files", s.Shard, ref.Shard))
		}
	}
	n := len(r.shards)
	if len(disagree) > 0 {
		return nil, fmt.Errorf("run %s: %w: %s", r.ID(), ErrShards, strings.Join(disagree, "; "))
	}
	if len(missing) > 0 && !allowPartial {
		return nil, fmt.Errorf("run %s: %w: %d of %d shards are whole: %s; analyse what is there with --allow-partial",
			r.ID(), ErrShards, n-len(missing), n, strings.Join(missing, "; "))
	}
	return missing, nil
}
