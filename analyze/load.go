package analyze

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"brink/collect/parquet"
	"brink/rundir"

	"brink"
)

// ErrNoTraces is returned when a run directory has no readable trace file.
var ErrNoTraces = errors.New("no trace files")

// checkBrinkFile reads a trace or metrics file's footer and its brink schema version. A torn
// or foreign file, or one of an unknown version, is an error naming it.
func checkBrinkFile(ctx context.Context, db *sql.DB, path string) error {
	var v sql.NullString
	err := db.QueryRowContext(ctx,
		`SELECT decode(value) FROM parquet_kv_metadata(?) WHERE decode(key) = 'brink.schema_version'`, path).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: no brink.schema_version in its metadata: not written by brink", path)
	case err != nil:
		return fmt.Errorf("%s: not a whole Parquet file (torn by a crash?): %v", path, firstLine(err.Error()))
	}
	n, err := strconv.Atoi(v.String)
	if err != nil || n != brink.SchemaVersion {
		return fmt.Errorf("%s: schema version %q is not one this brink reads (%d)", path, v.String, brink.SchemaVersion)
	}
	return nil
}

// checkSegment checks a trace segment whole before any query reads it, so
// that a damaged one is skipped by name instead of failing the analysis
// halfway (a decompression error) or, worse, decoding to wrong numbers: its
// footer and schema version (checkBrinkFile), then every page against the
// CRC-32 the writer put in its header. A segment from a brink that wrote no
// checksums is decoded once, every column, instead.
func checkSegment(ctx context.Context, db *sql.DB, path string) error {
	if err := checkBrinkFile(ctx, db, path); err != nil {
		return err
	}
	err := parquet.VerifyPages(path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, parquet.ErrChecksum):
		return fmt.Errorf("%s: damaged: %v", path, err)
	case !errors.Is(err, parquet.ErrNoChecksums):
		return fmt.Errorf("%s: not a whole Parquet file: %v", path, err)
	}
	var n sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT count(hash(r)) FROM read_parquet(?) r`, path).Scan(&n); err != nil {
		return fmt.Errorf("%s: damaged: %v", path, firstLine(err.Error()))
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
func loadRun(ctx context.Context, db *sql.DB, run *rundir.Run) (warnings []string, err error) {
	m := run.Manifest()
	files, err := run.TraceFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list traces: %w", err)
	}
	var good []string
	for _, f := range files {
		if err := checkSegment(ctx, db, f); err != nil {
			warnings = append(warnings, "skipped "+err.Error())
			continue
		}
		good = append(good, f)
	}
	if len(good) == 0 {
		if len(files) == 0 {
			return warnings, fmt.Errorf("%s: %w (the run recorded nothing)", run.Location(rundir.TracesDir), ErrNoTraces)
		}
		return warnings, fmt.Errorf("%s: %w: every file was skipped", run.Location(rundir.TracesDir), ErrNoTraces)
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE VIEW traces AS SELECT * FROM read_parquet(`+quoteList(good)+`)`); err != nil {
		return warnings, fmt.Errorf("read traces: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE windows (level INTEGER, users INTEGER, ramp_us BIGINT, steady_us BIGINT, end_us BIGINT)`); err != nil {
		return warnings, fmt.Errorf("create windows: %w", err)
	}
	levels, note, err := levelWindows(ctx, db, m)
	if err != nil {
		return warnings, err
	}
	if note != "" {
		warnings = append(warnings, note)
	}
	for _, lw := range levels {
		if !lw.SteadyStart.Before(lw.End) {
			continue // the run stopped before this level's hold began
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO windows VALUES (?, ?, ?, ?, ?)`,
			lw.Index, lw.Users, lw.RampStart.UnixMicro(), lw.SteadyStart.UnixMicro(), lw.End.UnixMicro()); err != nil {
			return warnings, fmt.Errorf("create windows: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, holdViews); err != nil {
		return warnings, fmt.Errorf("level windows: %w", err)
	}
	return warnings, nil
}

// holdViews are the traces of each level's hold and ramp. A request belongs
// to the level and phase in which it started: the generator tags each row
// with the level whose window holds its start, so the join is on that tag
// (a hash join) and the start time is checked against the window (rows
// whose tag and start disagree count nowhere). A range join on the start
// alone costs five times as much on 10M rows.
const holdViews = `
CREATE OR REPLACE VIEW hold AS
SELECT (w.end_us - w.steady_us) / 1e6 AS window_s, tr.*
FROM traces tr
JOIN windows w
  ON tr.level = w.level AND epoch_us(tr.start) >= w.steady_us AND epoch_us(tr.start) < w.end_us;
CREATE OR REPLACE VIEW ramp AS
SELECT (w.steady_us - w.ramp_us) / 1e6 AS window_s, tr.*
FROM traces tr
JOIN windows w
  ON tr.level = w.level AND epoch_us(tr.start) >= w.ramp_us AND epoch_us(tr.start) < w.steady_us;
`

// levelWindows is the run's level timeline. A run that ended on its own has
// it in run.json. A run that was killed (run.json still says running, or
// interrupted before its first level finished) has only the levels whose
// hold was judged: the rest is rebuilt from the plan, which run.json keeps
// with the start it anchors, up to the last request recorded.
func levelWindows(ctx context.Context, db *sql.DB, m *brink.Manifest) ([]brink.LevelWindow, string, error) {
	status := m.EffectiveStatus()
	if status == brink.StatusCompleted || status == brink.StatusStopped || m.Aggregated {
		return m.Levels, "", nil
	}
	var lastUS sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(epoch_us(start)) FROM traces`).Scan(&lastUS); err != nil {
		return nil, "", fmt.Errorf("read traces: %w", err)
	}
	if !lastUS.Valid {
		return m.Levels, "", nil
	}
	levels, note := rebuildLevels(m, status, time.UnixMicro(lastUS.Int64+1).UTC())
	return levels, note, nil
}

// rebuildLevels is the timeline of a run that did not end on its own
// (status, as the reader believes it), up to last (just after the last
// request recorded): the levels run.json has, then the plan's. note says
// so, or is empty when run.json's levels reach last.
func rebuildLevels(m *brink.Manifest, status string, last time.Time) ([]brink.LevelWindow, string) {
	// A level killed while --strict-measurement held it once more is in
	// run.json as repeating: its window (the repeat as its hold) stands as
	// the judged levels do, and the levels after it move with it.
	judged := m.Levels
	if rp := m.Repeating; rp != nil && rp.Index == len(m.Levels) {
		judged = append(slices.Clone(m.Levels), *rp)
	} else if n := len(m.Levels); n > 0 && !m.Levels[n-1].End.Before(last) {
		return m.Levels, ""
	}
	var out []brink.LevelWindow
	planned := m.Plan.Timeline(m.StartedAt)
	// The judged levels stand as run.json has them; the rest follow the
	// plan, later by the holds --strict-measurement repeated.
	var shift time.Duration
	if n := min(len(judged), len(planned)); n > 0 {
		shift = judged[n-1].End.Sub(planned[n-1].End)
	}
	for i, lw := range planned {
		if i < len(judged) {
			lw = judged[i]
		} else {
			lw.RampStart, lw.SteadyStart, lw.End = lw.RampStart.Add(shift), lw.SteadyStart.Add(shift), lw.End.Add(shift)
		}
		if lw.RampStart.After(last) {
			break
		}
		if lw.End.After(last) {
			lw.End = last
			if lw.SteadyStart.After(last) {
				lw.SteadyStart = last
			}
		}
		out = append(out, lw)
	}
	return out, fmt.Sprintf("the run is %s: its levels were rebuilt from the plan up to the last request recorded (%s); the last level is cut short",
		status, last.Format(time.RFC3339))
}

// loadMetrics registers the metrics view over metrics/*.parquet, when the
// run has collected metrics. Unreadable files are skipped with a warning.
func loadMetrics(ctx context.Context, db *sql.DB, run *rundir.Run) (bool, []string, error) {
	files, err := run.MetricFiles(ctx)
	if err != nil {
		return false, nil, fmt.Errorf("list metrics: %w", err)
	}
	if len(files) == 0 {
		return false, nil, nil
	}
	var good []string
	var warnings []string
	for _, f := range files {
		if err := checkBrinkFile(ctx, db, f); err != nil {
			warnings = append(warnings, "skipped "+err.Error())
			continue
		}
		good = append(good, f)
	}
	if len(good) == 0 {
		return false, warnings, nil
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE VIEW metrics AS SELECT * FROM read_parquet(`+quoteList(good)+`, union_by_name = true)`); err != nil {
		return false, warnings, fmt.Errorf("read metrics: %w", err)
	}
	return true, warnings, nil
}
