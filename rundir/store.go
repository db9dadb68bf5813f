package rundir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Store keeps the files of the run directories under one runs directory,
// by slash-separated name ("<run_id>/run.json"). The local file system (Dir)
// is one; object storage is the next.
type Store interface {
	// Create opens name for writing; the file appears, whole, when Close
	// returns nil, and never half-written.
	Create(ctx context.Context, name string) (io.WriteCloser, error)
	// Open opens name for reading; a missing file is an error that
	// errors.Is(err, fs.ErrNotExist).
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns the names of the files under the folder prefix, at any
	// depth, sorted; an empty or missing folder has none.
	List(ctx context.Context, prefix string) ([]string, error)
	// Remove removes the file name; removing a missing file is no error.
	Remove(ctx context.Context, name string) error
	// Rename moves everything under the folder from to the folder to,
	// which must not exist. Imports use it to put a staged run in place; a
	// store without a rename copies, then deletes.
	Rename(ctx context.Context, from, to string) error
}

// Local is a Store whose files are on this machine: heavy readers and
// writers (DuckDB, Parquet, charts) use their paths directly.
type Local interface {
	Store
	// Path is the local path of name.
	Path(name string) string
}

// Dir is a Store on the local file system, rooted at a runs directory.
type Dir string

var _ Local = Dir("")

// Path is the local path of name under the root.
func (d Dir) Path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

// Create writes name through a temporary file in the same folder, synced
// and renamed into place on Close.
func (d Dir) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	p := d.Path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", p, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", p, err)
	}
	return &atomicFile{f: tmp, path: p}, nil
}

type atomicFile struct {
	f    *os.File
	path string
	err  error
}

func (a *atomicFile) Write(b []byte) (int, error) {
	n, err := a.f.Write(b)
	if err != nil && a.err == nil {
		a.err = err
	}
	return n, err
}

func (a *atomicFile) Close() error {
	defer os.Remove(a.f.Name()) // no-op after the rename
	if a.err != nil {
		a.f.Close()
		return fmt.Errorf("write %s: %w", a.path, a.err)
	}
	if err := a.f.Sync(); err != nil {
		a.f.Close()
		return fmt.Errorf("write %s: sync: %w", a.path, err)
	}
	if err := a.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	if err := os.Rename(a.f.Name(), a.path); err != nil {
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

// Open opens name.
func (d Dir) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	return os.Open(d.Path(name))
}

// List walks the folder prefix; hidden files (temporary names) are left out.
func (d Dir) List(ctx context.Context, prefix string) ([]string, error) {
	root := d.Path(prefix)
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && p != root {
			if e.IsDir() {
				return filepath.SkipDir // a staging folder
			}
			return nil // a temporary name
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(string(d), p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	sort.Strings(out)
	return out, nil
}

// Remove removes name, or a whole folder.
func (d Dir) Remove(ctx context.Context, name string) error {
	if err := os.RemoveAll(d.Path(name)); err != nil {
		return fmt.Errorf("remove %s: %w", d.Path(name), err)
	}
	return nil
}

// Rename renames the folder from to to; to must not exist.
func (d Dir) Rename(ctx context.Context, from, to string) error {
	if _, err := os.Stat(d.Path(to)); err == nil {
		return fmt.Errorf("rename %s: %s: %w", d.Path(from), d.Path(to), fs.ErrExist)
	}
	if err := os.Rename(d.Path(from), d.Path(to)); err != nil {
		return fmt.Errorf("rename %s: %w", d.Path(from), err)
	}
	return nil
}

// join names a file of a run: "<run_id>/<name>".
func join(runID, name string) string { return path.Join(runID, name) }

func dirBase(p string) string { return filepath.Base(filepath.Clean(p)) }
