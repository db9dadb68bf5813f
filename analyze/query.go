package analyze

import (
	"context"
	"database/sql"
	"fmt"

	"brink/rundir"
)

// OpenRun opens DuckDB over a run directory for ad-hoc SQL, with the views
// traces (every readable trace segment), windows (the level holds), metrics
// (collected metrics, if any), levels (analysis/levels.parquet, if analysed)
// and ramps. It returns warnings for anything skipped.
func OpenRun(ctx context.Context, runDir string, o DBOptions) (*sql.DB, []string, error) {
	run, err := rundir.Open(ctx, runDir)
	if err != nil {
		return nil, nil, err
	}
	db, err := Open(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	warnings, err := loadRun(ctx, db, run)
	if err != nil {
		db.Close()
		return nil, warnings, err
	}
	_, mw, err := loadMetrics(ctx, db, run)
	warnings = append(warnings, mw...)
	if err != nil {
		db.Close()
		return nil, warnings, err
	}
	for _, v := range []struct{ view, file string }{{"levels", rundir.LevelsFile}, {"ramps", rundir.RampsFile}} {
		if !run.Has(v.file) {
			continue
		}
		p := run.Path(v.file)
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE VIEW %s AS SELECT * FROM read_parquet(%s)`, v.view, quote(p))); err != nil {
			warnings = append(warnings, fmt.Sprintf("skipped %s: %v", p, err))
		}
	}
	return db, warnings, nil
}
