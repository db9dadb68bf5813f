package analyze

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"brink"
)

// ErrNoTraces is returned when a run directory has no readable trace file.
var ErrNoTraces = errors.New("no trace files")

// traceFiles lists the closed trace segments under dir/traces (shard
// subfolders included), skipping temporary (open) segments.
func traceFiles(runDir string) ([]string, error) {
	root := filepath.Join(runDir, brink.TracesDir)
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			out = append(out, path)
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (the run recorded nothing)", root, ErrNoTraces)
	}
	if err != nil {
		return nil, fmt.Errorf("list traces: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// checkTraceFile reads a file's footer and its brink schema version. A torn
// or foreign file, or one of an unknown version, is an error naming it.
func checkTraceFile(ctx context.Context, db *sql.DB, path string) error {
	var v sql.NullString
	err := db.QueryRowContext(ctx,
		`SELECT decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) = 'brink.schema_version'`, path).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: no brink.schema_version in its metadata: not a brink trace file", path)
	case err != nil:
		return fmt.Errorf("%s: not a whole Parquet file (torn by a crash?): %v", path, firstLine(err.Error()))
	}
	n, err := strconv.Atoi(v.String)
	if err != nil || n != brink.SchemaVersion {
		return fmt.Errorf("%s: schema version %q is not one this brink reads (%d)", path, v.String, brink.SchemaVersion)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// loadRun registers the views and tables every query reads: traces (the
// readable trace files) and windows (the manifest's hold windows). It returns
// warnings for each file it skipped.
func loadRun(ctx context.Context, db *sql.DB, runDir string, m *brink.Manifest) (warnings []string, err error) {
	files, err := traceFiles(runDir)
	if err != nil {
		return nil, err
	}
	var good []string
	for _, f := range files {
		if err := checkTraceFile(ctx, db, f); err != nil {
			warnings = append(warnings, "skipped "+err.Error())
			continue
		}
		good = append(good, f)
	}
	if len(good) == 0 {
		if len(files) == 0 {
			return warnings, fmt.Errorf("%s: %w (the run recorded nothing)", filepath.Join(runDir, brink.TracesDir), ErrNoTraces)
		}
		return warnings, fmt.Errorf("%s: %w: every file was skipped", filepath.Join(runDir, brink.TracesDir), ErrNoTraces)
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE VIEW traces AS SELECT * FROM read_parquet(`+quoteList(good)+`)`); err != nil {
		return warnings, fmt.Errorf("read traces: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE windows (level INTEGER, users INTEGER, steady_us BIGINT, end_us BIGINT)`); err != nil {
		return warnings, fmt.Errorf("create windows: %w", err)
	}
	for _, lw := range m.Levels {
		if !lw.SteadyStart.Before(lw.End) {
			continue // the run stopped before this level's hold began
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO windows VALUES (?, ?, ?, ?)`,
			lw.Index, lw.Users, lw.SteadyStart.UnixMicro(), lw.End.UnixMicro()); err != nil {
			return warnings, fmt.Errorf("create windows: %w", err)
		}
	}
	return warnings, nil
}
