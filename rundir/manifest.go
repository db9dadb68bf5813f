package rundir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"brink"
)

// ErrNoManifest is returned when a directory has no run.json.
var ErrNoManifest = errors.New("no run.json")

// readManifest reads and checks run.json of the run in folder id.
func readManifest(ctx context.Context, s Store, id, shown string) (*brink.Manifest, error) {
	b, err := readAll(ctx, s, join(id, ManifestFile))
	path := shown + "/" + ManifestFile
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w: is %s a brink run directory?", path, ErrNoManifest, shown)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m brink.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.SchemaVersion != brink.SchemaVersion {
		return nil, fmt.Errorf("%s: schema_version %d is not one this brink (%s) reads (it reads %d): use the brink version that wrote it",
			path, m.SchemaVersion, brink.Version, brink.SchemaVersion)
	}
	// Readers lay the plan's levels out (a killed run's timeline is rebuilt
	// from it): a plan of no level or of millions is refused here.
	if err := m.Plan.CheckLevels(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Shards < 0 || m.Shards > brink.MaxShards {
		return nil, fmt.Errorf("%s: shards %d: want 0 to %d generators", path, m.Shards, brink.MaxShards)
	}
	return &m, nil
}

// writeJSON writes v, indented, to name atomically.
func writeJSON(ctx context.Context, s Store, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return Put(ctx, s, name, append(b, '\n'))
}

// Put writes data to name in the store, whole or not at all.
func Put(ctx context.Context, s Store, name string, data []byte) error {
	w, err := s.Create(ctx, name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func readAll(ctx context.Context, s Store, name string) ([]byte, error) {
	r, err := s.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
