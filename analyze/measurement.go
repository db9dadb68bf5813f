package analyze

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"brink"
	"brink/queries"
	"brink/rundir"
)

// measurement judges each level's measurement (the instrument checks
// itself): schedule lag from the traces (start − scheduled), the
// generator's CPU and the host's steal from its self-measurement
// (generator/self.jsonl), the brink sim's lateness from its own
// (sim/self.parquet, when collected from a sim). A level is suspect when a figure passes its
// threshold; the run is degraded when any level is. A run with neither
// scheduled times nor self-measurement (an import, a run from before brink
// measured itself) is unknown.
func measurement(ctx context.Context, db *sql.DB, run *rundir.Run, levels []brink.LevelStats) (*brink.Measurement, error) {
	th := brink.DefaultThresholds()
	if p := run.Manifest().Plan.Measurement; p != nil {
		th = p.WithDefaults()
	}
	m := &brink.Measurement{Verdict: brink.VerdictUnknown, SuspectLevels: []int{}, Thresholds: th}
	byLevel := map[int]*brink.LevelStats{}
	for i := range levels {
		levels[i].Verdict = brink.VerdictUnknown
		byLevel[levels[i].Level] = &levels[i]
	}
	judged, err := scheduleLag(ctx, db, byLevel)
	if err != nil {
		return nil, err
	}
	self, err := generatorLoad(ctx, db, run, byLevel)
	if err != nil {
		return nil, err
	}
	simSelf, err := simLateness(ctx, db, run, byLevel)
	if err != nil {
		return nil, err
	}
	if !judged && !self && !simSelf {
		m.Note = "no schedule lag or self-measurement in this run (an import, or a run from before brink measured itself): the instrument's verdict is unknown"
		return m, nil
	}
	m.Verdict = brink.VerdictGood
	scale := max(run.Manifest().TimeScale, 1e-9)
	floor := max(th.LagMS, th.LagWallMS/scale)
	for i := range levels {
		l := &levels[i]
		var why []string
		if l.LagP99MS != nil && l.P50MS != nil && *l.LagP99MS > floor && *l.LagP99MS > th.LagShare**l.P50MS {
			why = append(why, fmt.Sprintf("the generator fell %s behind its schedule (p99 lag; the conversation's p50 is %s)", fmtDur(*l.LagP99MS), fmtDur(*l.P50MS)))
		}
		if l.ProcessCPU != nil && *l.ProcessCPU > th.CPU {
			why = append(why, fmt.Sprintf("the generator used %.0f%% of the host's cores", 100**l.ProcessCPU))
		}
		if l.HostSteal != nil && *l.HostSteal > th.Steal {
			why = append(why, fmt.Sprintf("the hypervisor stole %.0f%% of the host's CPU", 100**l.HostSteal))
		}
		if l.SimLatenessP99MS != nil && l.SimServiceP50MS != nil && *l.SimLatenessP99MS > th.SimLatenessShare**l.SimServiceP50MS &&
			*l.SimLatenessP99MS > th.SimLatenessWallMS/scale {
			why = append(why, fmt.Sprintf("the sim answered %s later than its model (p99 lateness; the modelled conversation takes %s): latencies there include the sim's own delay",
				fmtDur(*l.SimLatenessP99MS), fmtDur(*l.SimServiceP50MS)))
		}
		l.Verdict = brink.VerdictGood
		if len(why) > 0 {
			l.Verdict, l.VerdictReason = brink.VerdictSuspect, strings.Join(why, "; ")
			m.SuspectLevels = append(m.SuspectLevels, l.Level)
			m.Verdict = brink.VerdictDegraded
		}
		m.WorstLagP99MS = maxPtr(m.WorstLagP99MS, l.LagP99MS)
		m.WorstCPU = maxPtr(m.WorstCPU, l.ProcessCPU)
		m.WorstSteal = maxPtr(m.WorstSteal, l.HostSteal)
		m.WorstSimLatenessP99MS = maxPtr(m.WorstSimLatenessP99MS, l.SimLatenessP99MS)
	}
	return m, nil
}

// scheduleLag sets each level's p99 schedule lag; false when the run has
// no scheduled times.
func scheduleLag(ctx context.Context, db *sql.DB, byLevel map[int]*brink.LevelStats) (bool, error) {
	rows, err := db.QueryContext(ctx, queries.MustGet("schedule_lag"))
	if err != nil {
		return false, fmt.Errorf("schedule lag: %w", err)
	}
	defer rows.Close()
	any := false
	for rows.Next() {
		var lvl int
		var n int64
		var p99, maxLag sql.NullFloat64
		if err := rows.Scan(&lvl, &n, &p99, &maxLag); err != nil {
			return false, fmt.Errorf("schedule lag: %w", err)
		}
		if l := byLevel[lvl]; l != nil && n > 0 {
			l.LagP99MS, any = ptr(p99), true
		}
	}
	return any, rows.Err()
}

// generatorLoad sets each level's generator CPU and host steal from the
// run's self-measurement files; false when it has none.
func generatorLoad(ctx context.Context, db *sql.DB, run *rundir.Run, byLevel map[int]*brink.LevelStats) (bool, error) {
	files := run.SelfFiles(ctx)
	if len(files) == 0 {
		return false, nil
	}
	view := `CREATE OR REPLACE VIEW self AS SELECT * FROM read_json(` + quoteList(files) + `, format = 'newline_delimited', filename = true,
		columns = {t: 'TIMESTAMPTZ', process_cpu: 'DOUBLE', host_steal: 'DOUBLE', sched_p99_ms: 'DOUBLE'})`
	if _, err := db.ExecContext(ctx, view); err != nil {
		return false, fmt.Errorf("read %s: %v", files[0], firstLine(err.Error()))
	}
	rows, err := db.QueryContext(ctx, queries.MustGet("generator_load"))
	if err != nil {
		return false, fmt.Errorf("generator load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var lvl int
		var cpu, steal, sched sql.NullFloat64
		if err := rows.Scan(&lvl, &cpu, &steal, &sched); err != nil {
			return false, fmt.Errorf("generator load: %w", err)
		}
		if l := byLevel[lvl]; l != nil {
			l.ProcessCPU, l.HostSteal = ptr(cpu), ptr(steal)
		}
	}
	return true, rows.Err()
}

// simLateness sets each level's sim lateness p99 and modelled
// conversation time from the sim's self-measurement; false when the run
// has none (not served by a sim, not collected, or a sim from before it
// measured itself).
func simLateness(ctx context.Context, db *sql.DB, run *rundir.Run, byLevel map[int]*brink.LevelStats) (bool, error) {
	path, err := run.Fetch(ctx, rundir.SimSelfFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sim lateness: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE VIEW sim_self AS SELECT * FROM read_parquet(`+quoteList([]string{path})+`)`); err != nil {
		return false, fmt.Errorf("read %s: %v", run.Location(rundir.SimSelfFile), firstLine(err.Error()))
	}
	rows, err := db.QueryContext(ctx, queries.MustGet("sim_lateness"))
	if err != nil {
		return false, fmt.Errorf("sim lateness: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var lvl int
		var turns int64
		var p99, maxLate, svc sql.NullFloat64
		if err := rows.Scan(&lvl, &turns, &p99, &maxLate, &svc); err != nil {
			return false, fmt.Errorf("sim lateness: %w", err)
		}
		if l := byLevel[lvl]; l != nil && turns > 0 {
			l.SimLatenessP99MS, l.SimServiceP50MS = ptr(p99), ptr(svc)
		}
	}
	return true, rows.Err()
}

// markSuspect adds each level's verdict to the rows of table, which
// becomes analysis/levels.parquet (level_steps, or an import's levels).
func markSuspect(ctx context.Context, db *sql.DB, table string, levels []brink.LevelStats) error {
	if _, err := db.ExecContext(ctx, `ALTER TABLE `+table+` ADD COLUMN verdict VARCHAR DEFAULT 'unknown';
		ALTER TABLE `+table+` ADD COLUMN verdict_reason VARCHAR DEFAULT ''`); err != nil {
		return fmt.Errorf("level verdicts: %w", err)
	}
	for _, l := range levels {
		if _, err := db.ExecContext(ctx, `UPDATE `+table+` SET verdict = ?, verdict_reason = ? WHERE level = ?`, l.Verdict, l.VerdictReason, l.Level); err != nil {
			return fmt.Errorf("level verdicts: %w", err)
		}
	}
	return nil
}

func maxPtr(a, b *float64) *float64 {
	if b == nil || (a != nil && *a >= *b) {
		return a
	}
	v := *b
	return &v
}

// fmtDur says a scenario duration in ms or s.
func fmtDur(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}
