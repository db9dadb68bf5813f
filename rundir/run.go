package rundir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"brink"
)

// Run is one run directory, opened to read (Open) or being written (the
// Writer embeds one).
type Run struct {
	store Local
	id    string // the run's folder in the store (a staging name while an import is written)
	m     *brink.Manifest
}

// Open opens the run directory dir (a local path) and reads its run.json.
func Open(ctx context.Context, dir string) (*Run, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("run directory %s: %w", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("run directory %s: not a directory", dir)
	}
	clean := filepath.Clean(dir)
	r := &Run{store: Dir(filepath.Dir(clean)), id: filepath.Base(clean)}
	if r.m, err = readManifest(ctx, r.store, r.id, dir); err != nil {
		return nil, err
	}
	return r, nil
}

// Manifest is the run's run.json as read (or as last written).
func (r *Run) Manifest() *brink.Manifest { return r.m }

// ID is the run id.
func (r *Run) ID() string { return r.m.RunID }

// Dir is the run directory's local path, to show to a user.
func (r *Run) Dir() string { return r.store.Path(r.id) }

// Path is the local path of the run's file name (a name from layout.go).
func (r *Run) Path(name string) string { return r.store.Path(join(r.id, name)) }

// Prepare makes the folder that will hold name and returns name's local
// path, for a library that writes the file itself (Parquet, charts).
func (r *Run) Prepare(name string) (string, error) {
	p := r.Path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	return p, nil
}

// Has reports whether the run holds the file name.
func (r *Run) Has(name string) bool {
	st, err := os.Stat(r.Path(name))
	return err == nil && !st.IsDir()
}

// TraceFiles lists the local paths of the closed trace segments, shard
// folders included, sorted; open (temporary) segments are left out. A run
// that recorded nothing has none.
func (r *Run) TraceFiles(ctx context.Context) ([]string, error) {
	return r.parquetFiles(ctx, TracesDir)
}

// MetricFiles lists the local paths of the collected metric files.
func (r *Run) MetricFiles(ctx context.Context) ([]string, error) {
	return r.parquetFiles(ctx, MetricsDir)
}

func (r *Run) parquetFiles(ctx context.Context, dir string) ([]string, error) {
	names, err := r.store.List(ctx, join(r.id, dir))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if strings.HasSuffix(n, ".parquet") {
			out = append(out, r.store.Path(n))
		}
	}
	return out, nil
}

// ReadFile reads the run's file name.
func (r *Run) ReadFile(ctx context.Context, name string) ([]byte, error) {
	return readAll(ctx, r.store, join(r.id, name))
}

// WriteFile writes the run's file name atomically.
func (r *Run) WriteFile(ctx context.Context, name string, data []byte) error {
	return writeAll(ctx, r.store, join(r.id, name), data)
}

// WriteJSON writes v, indented, to the run's file name atomically.
func (r *Run) WriteJSON(ctx context.Context, name string, v any) error {
	return writeJSON(ctx, r.store, join(r.id, name), v)
}

// ReadJSON decodes the run's JSON file name into v. A missing file is an
// error that errors.Is(err, fs.ErrNotExist).
func (r *Run) ReadJSON(ctx context.Context, name string, v any) error {
	b, err := r.ReadFile(ctx, name)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.Path(name), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", r.Path(name), err)
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
		return nil, fmt.Errorf("%s: schema_version %d is not one this brink reads (%d)", r.Path(SummaryFile), s.SchemaVersion, brink.SchemaVersion)
	}
	return &s, nil
}

// WriteSummary writes analysis/summary.json atomically.
func (r *Run) WriteSummary(ctx context.Context, s *brink.Summary) error {
	return r.WriteJSON(ctx, SummaryFile, s)
}
