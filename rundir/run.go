package rundir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"brink"
)

// Run is one run directory, opened to read (Open) or being written (the
// Writer embeds one).
type Run struct {
	loc location
	id  string          // the run's folder in the store (a staging name while an import is written)
	m   *brink.Manifest // as a reader should believe it: merged over the shards of a sharded run
	// Of a sharded run: run.json as written, each shard's manifest (nil
	// where missing) and the stop decision, if any.
	base   *brink.Manifest
	shards []*brink.ShardManifest
	stop   *brink.StopDecision
}

// Open opens the run directory at loc (a local path, or
// s3://bucket/prefix/<run_id>) and reads its run.json, and a sharded run's
// shard manifests.
func Open(ctx context.Context, loc string) (*Run, error) {
	if !IsRemote(loc) {
		st, err := os.Stat(loc)
		if err != nil {
			return nil, fmt.Errorf("run directory %s: %w", loc, errors.Unwrap(err))
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("run directory %s: not a directory", loc)
		}
	}
	runs, id := splitRun(loc)
	l, err := resolve(ctx, runs)
	if err != nil {
		return nil, err
	}
	r := &Run{loc: l, id: id}
	if r.m, err = readManifest(ctx, l.store, id, loc); err != nil {
		return nil, err
	}
	if r.m.Shards > 1 {
		if err := r.loadShards(ctx); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Manifest is the run's run.json as a reader should believe it (merged
// over the shards of a sharded run).
func (r *Run) Manifest() *brink.Manifest { return r.m }

// ID is the run id.
func (r *Run) ID() string { return r.m.RunID }

// Dir is the run directory as a user names it: its local path, or its URL.
func (r *Run) Dir() string { return r.Location("") }

// Location is the file name as a user names it: a local path, or a URL.
func (r *Run) Location(name string) string {
	if r.loc.remote {
		return strings.TrimRight(r.loc.url+"/"+join(r.id, name), "/")
	}
	return r.Path(name)
}

// Path is the local path of the run's file name (a name from layout.go):
// the file itself, or its copy in the local cache of a remote run.
func (r *Run) Path(name string) string { return r.loc.local.Path(join(r.id, name)) }

// Prepare makes the local folder that will hold name and returns name's
// local path, for a library that writes the file itself (Parquet, charts);
// Publish then stores it.
func (r *Run) Prepare(name string) (string, error) {
	p := r.Path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	return p, nil
}

// Publish stores the file name written at Path(name); on the local disk it
// is there already.
func (r *Run) Publish(ctx context.Context, name string) error {
	if !r.loc.remote {
		return nil
	}
	f, err := os.Open(r.Path(name))
	if err != nil {
		return fmt.Errorf("store %s: %w", r.Location(name), err)
	}
	defer f.Close()
	w, err := r.loc.store.Create(ctx, join(r.id, name))
	if err != nil {
		return fmt.Errorf("store %s: %w", r.Location(name), err)
	}
	if _, err := io.Copy(w, f); err != nil {
		w.Close()
		return fmt.Errorf("store %s: %w", r.Location(name), err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("store %s: %w", r.Location(name), err)
	}
	return nil
}

// Fetch makes the file name local and returns its local path; a missing
// file is an error that errors.Is(err, fs.ErrNotExist). Files of a remote
// run already in the cache are not fetched again: they never change once
// stored, except the manifests, which are read without the cache.
func (r *Run) Fetch(ctx context.Context, name string) (string, error) {
	if !filepath.IsLocal(name) { // never outside the run directory
		return "", fmt.Errorf("%s: %q is not a file of the run directory", r.Location(""), name)
	}
	p := r.Path(name)
	if !r.loc.remote {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return p, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		}
		return p, nil
	}
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	b, err := r.ReadFile(ctx, name)
	if err != nil {
		return p, fmt.Errorf("fetch %s: %w", r.Location(name), err)
	}
	if _, err := r.Prepare(name); err != nil {
		return p, err
	}
	if err := Put(ctx, r.loc.local, join(r.id, name), b); err != nil {
		return p, err
	}
	return p, nil
}

// Has reports whether the run holds the file name.
func (r *Run) Has(ctx context.Context, name string) bool {
	_, err := r.Fetch(ctx, name)
	return err == nil
}

// TraceFiles makes the run's closed trace segments local and lists their
// paths, sorted; open (temporary) segments are left out, and a sharded
// run's are the segments its shard manifests list. A run that recorded
// nothing has none.
func (r *Run) TraceFiles(ctx context.Context) ([]string, error) {
	if r.shards == nil {
		return r.parquetFiles(ctx, TracesDir)
	}
	var out []string
	for _, s := range r.shards {
		if s == nil {
			continue
		}
		for _, name := range s.Files {
			// A shard lists its own segments, by clean names in its folder
			// (Fetch refuses any name outside the run directory).
			if dir := ShardTracesDir(s.Shard) + "/"; !strings.HasPrefix(name, dir) || path.Clean(name) != name {
				return out, fmt.Errorf("%s lists %q: not a trace segment of shard %d (want %s...): the shard manifest is damaged or not brink's",
					ShardManifestFile(s.Shard), name, s.Shard, dir)
			}
			p, err := r.Fetch(ctx, name)
			if err != nil {
				return out, fmt.Errorf("shard %d lists %s: %w", s.Shard, name, err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// MetricFiles makes the run's collected metric files local and lists them.
func (r *Run) MetricFiles(ctx context.Context) ([]string, error) {
	return r.parquetFiles(ctx, MetricsDir)
}

func (r *Run) parquetFiles(ctx context.Context, dir string) ([]string, error) {
	names, err := r.loc.store.List(ctx, join(r.id, dir))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if !strings.HasSuffix(n, ".parquet") {
			continue
		}
		p, err := r.Fetch(ctx, strings.TrimPrefix(n, r.id+"/"))
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ReadFile reads the run's file name from its store.
func (r *Run) ReadFile(ctx context.Context, name string) ([]byte, error) {
	return readAll(ctx, r.loc.store, join(r.id, name))
}

// WriteFile writes the run's file name atomically.
func (r *Run) WriteFile(ctx context.Context, name string, data []byte) error {
	return Put(ctx, r.loc.store, join(r.id, name), data)
}

// WriteJSON writes v, indented, to the run's file name atomically.
func (r *Run) WriteJSON(ctx context.Context, name string, v any) error {
	return writeJSON(ctx, r.loc.store, join(r.id, name), v)
}

// ReadJSON decodes the run's JSON file name into v. A missing file is an
// error that errors.Is(err, fs.ErrNotExist).
func (r *Run) ReadJSON(ctx context.Context, name string, v any) error {
	b, err := r.ReadFile(ctx, name)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.Location(name), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", r.Location(name), err)
	}
	return nil
}

// ReadSummary reads analysis/summary.json.
func (r *Run) ReadSummary(ctx context.Context) (*brink.Summary, error) {
	var s brink.Summary
	err := r.ReadJSON(ctx, SummaryFile, &s)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read analysis summary: %w (run `brink analyze --run %s` first)", err, r.Dir())
	}
	if err != nil {
		return nil, err
	}
	if s.SchemaVersion != brink.SchemaVersion {
		return nil, fmt.Errorf("%s: schema_version %d is not one this brink reads (%d)", r.Location(SummaryFile), s.SchemaVersion, brink.SchemaVersion)
	}
	return &s, nil
}

// WriteSummary writes analysis/summary.json atomically.
func (r *Run) WriteSummary(ctx context.Context, s *brink.Summary) error {
	return r.WriteJSON(ctx, SummaryFile, s)
}

// SelfFiles makes the generator's self-measurement files local and lists
// them (one per shard of a sharded run); a run from before brink measured
// itself has none.
func (r *Run) SelfFiles(ctx context.Context) []string {
	names := []string{SelfFile}
	if r.shards != nil {
		names = names[:0]
		for i := range r.shards {
			names = append(names, ShardSelfFile(i))
		}
	}
	var out []string
	for _, n := range names {
		if p, err := r.Fetch(ctx, n); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// OpenAnalysed opens the run at loc and reads its analysis/summary.json:
// what every stage after analysis starts from.
func OpenAnalysed(ctx context.Context, loc string) (*Run, *brink.Summary, error) {
	r, err := Open(ctx, loc)
	if err != nil {
		return nil, nil, err
	}
	s, err := r.ReadSummary(ctx)
	if err != nil {
		return nil, nil, err
	}
	return r, s, nil
}
