package importers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"brink"
	"brink/collect/importers/locust"
	"brink/collect/parquet"
	"brink/rundir"
)

// currentWindow is how far back Locust's "current" percentiles look
// (CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW in locust/stats.py).
const currentWindow = 10 * time.Second

// LocustPrefix turns what a user typed (PREFIX, or one of its files) into
// the --csv prefix.
func LocustPrefix(arg string) string {
	for _, s := range []string{"_stats_history.csv", "_stats.csv", "_failures.csv", "_exceptions.csv"} {
		if p, ok := strings.CutSuffix(arg, s); ok {
			return p
		}
	}
	return arg
}

// Locust imports Locust's --csv files. Locust keeps no per-request rows, so
// the run is aggregated: run.json says so and the level rows go to
// analysis/levels_imported.parquet, computed from PREFIX_stats_history.csv:
// levels from the plateaus of User Count; requests and failures of each hold
// from the running totals at its first and last row (exact to a second);
// percentiles as Locust gave them (see the warnings).
func Locust(ctx context.Context, prefix string, opts Options) (*Result, error) {
	opts.defaults()
	prefix = LocustPrefix(prefix)
	histPath := prefix + "_stats_history.csv"
	f, err := os.Open(histPath)
	if err != nil {
		return nil, fmt.Errorf("locust: %w (give the PREFIX Locust's --csv was run with)", err)
	}
	h := locust.NewHistoryReader(f, histPath)
	var agg []*locust.HistoryRow
	byName := map[string][]*locust.HistoryRow{}
	for h.Scan() {
		switch r := h.Result().(type) {
		case *locust.SyntaxError:
			f.Close()
			return nil, r
		case *locust.HistoryRow:
			if r.Name == locust.AggregatedName {
				if n := len(agg); n > 0 && r.Time.Before(agg[n-1].Time) {
					f.Close()
					return nil, &locust.SyntaxError{File: histPath, Line: r.Line, Msg: "Timestamp goes back in time: is this two runs' history in one file?"}
				}
				agg = append(agg, r)
			} else {
				byName[r.Name] = append(byName[r.Name], r)
			}
		}
	}
	f.Close()
	if err := h.Err(); err != nil {
		return nil, err
	}
	if len(agg) == 0 {
		return nil, fmt.Errorf("%s: no %q rows: Locust writes one a second; did the run last a second?", histPath, locust.AggregatedName)
	}
	fullHistory := len(byName) > 0

	var warnings []string
	// Request counts and median latencies by name: from _stats.csv, else the
	// history's last rows.
	stats := nameStats{}
	var statsTotal *locust.StatsRow
	if sf, err := os.Open(prefix + "_stats.csv"); err == nil {
		rows, err := locust.ReadStats(sf, prefix+"_stats.csv")
		sf.Close()
		if err != nil {
			return nil, err
		}
		statsTotal = addLocustStats(stats, rows)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("locust: %w", err)
	} else {
		warnings = append(warnings, prefix+"_stats.csv is missing: request names come from the history only, and the run's totals from its last row")
	}
	for name, rows := range byName {
		if _, ok := stats[name]; !ok {
			med := math.NaN()
			if m := medianPct(rows, 0.50); m != nil {
				med = *m
			}
			stats[name] = &nameStat{count: rows[len(rows)-1].Requests, median: med}
		}
	}
	counts := stats.counts()
	var steps *stepMapper
	askName := locust.AggregatedName
	if len(counts) > 0 {
		if steps, err = newStepMapper(opts, stats); err != nil {
			return nil, err
		}
		for name, step := range steps.m {
			if step == brink.StepAsk {
				askName = name
			}
		}
	} else {
		steps = &stepMapper{m: map[string]string{}}
	}
	stepRows := agg
	if fullHistory && askName != locust.AggregatedName {
		stepRows = byName[askName]
	} else if askName != locust.AggregatedName || len(counts) > 1 {
		warnings = append(warnings, fmt.Sprintf("without --csv-full-history the history has only the %q row: the conversation columns (requests, latency, error rate) cover every request name, not only %q",
			locust.AggregatedName, askName))
		askName = locust.AggregatedName
	}

	samples := make([]Sample, len(agg))
	for i, r := range agg {
		samples[i] = Sample{T: r.Time, Users: r.Users}
	}
	plateaus := Plateaus(samples, opts.MinHold)
	var levels []brink.LevelWindow
	var rows []parquet.ImportedLevel
	for _, p := range plateaus {
		i0 := sort.Search(len(agg), func(i int) bool { return !agg[i].Time.Before(p.SteadyStart) })
		i1 := sort.Search(len(agg), func(i int) bool { return !agg[i].Time.Before(p.End) }) - 1
		if i1 <= i0 {
			continue
		}
		a0, a1 := agg[i0], agg[i1]
		if a1.Requests < a0.Requests {
			warnings = append(warnings, fmt.Sprintf("%s:%d: the running totals went down (--reset-stats?): level at %d users skipped", histPath, a1.Line, p.Users))
			continue
		}
		lw := brink.LevelWindow{Index: len(levels), Users: p.Users, RampStart: p.RampStart, SteadyStart: a0.Time, End: a1.Time}
		if len(levels) > 0 {
			lw.RampStart = levels[len(levels)-1].End
		}
		row := locustLevel(lw, a0, a1, stepRows, askName, fullHistory)
		levels = append(levels, lw)
		rows = append(rows, row)
	}
	if len(levels) == 0 {
		return nil, fmt.Errorf("%s: %w: User Count never held one value for %v over two rows; give a shorter --min-hold", histPath, ErrNoLevels, opts.MinHold)
	}

	if fullHistory {
		warnings = append(warnings, fmt.Sprintf("percentiles are approximate: each level's p50/p95/p99 is the median of Locust's per-second percentiles over its last %v (--csv-full-history), not a percentile of the hold's requests", currentWindow))
	} else {
		warnings = append(warnings, "percentiles are approximate and cumulative: without --csv-full-history Locust's history gives percentiles since the test started, so each level's p50/p95/p99 also covers every earlier level and ramp (run Locust with --csv-full-history for per-window values)")
	}
	warnings = append(warnings,
		"Locust rounds response times to about two significant digits (to 10 ms above 100 ms, 100 ms above 1 s, 1 s above 10 s) before taking percentiles",
		"percentile cells are N/A until a row has seen a request: such levels have no latency",
		"Locust's history does not say which failures were throttling (429) or timeouts within a level: throttle and timeout rates are unknown (null in levels_imported.parquet)",
		"Locust keeps no per-request rows: the run is aggregated; there are no traces, tokens or bytes per request")
	if ff, err := os.Open(prefix + "_failures.csv"); err == nil {
		fails, err := locust.ReadFailures(ff, prefix+"_failures.csv")
		ff.Close()
		if err != nil {
			return nil, err
		}
		var total, thr, to int64
		for _, fl := range fails {
			total += fl.Occurrences
			l := strings.ToLower(fl.Error)
			switch {
			case strings.Contains(l, "429") || strings.Contains(l, "too many requests"):
				thr += fl.Occurrences
			case strings.Contains(l, "504") || strings.Contains(l, "timeout") || strings.Contains(l, "timed out"):
				to += fl.Occurrences
			}
		}
		if total > 0 {
			warnings = append(warnings, fmt.Sprintf("over the whole run (%s_failures.csv): %d failures, %d of them throttling (429), %d timeouts (504 or timeout)", prefix, total, thr, to))
		}
	}
	if ef, err := os.Open(prefix + "_exceptions.csv"); err == nil {
		n, err := locust.ReadExceptions(ef, prefix+"_exceptions.csv")
		ef.Close()
		if err != nil {
			return nil, err
		}
		if n > 0 {
			warnings = append(warnings, fmt.Sprintf("the locustfile raised %d exceptions (%s_exceptions.csv): requests they cut short are not in the counts", n, prefix))
		}
	}

	sum, err := hashFiles(histPath)
	if err != nil {
		return nil, fmt.Errorf("locust: %w", err)
	}
	start, end := agg[0].Time, agg[len(agg)-1].Time
	w, err := newRun(ctx, opts, "locust", histPath, sum, start, true)
	if err != nil {
		return nil, err
	}
	defer w.Abandon(ctx) // no-op once finished
	// The run's totals come from _stats.csv, which Locust writes when the
	// run ends; the history's last row can be a few seconds older.
	total := agg[len(agg)-1].Requests
	if statsTotal != nil {
		if statsTotal.Requests != total {
			warnings = append(warnings, fmt.Sprintf("the run's total is %d requests (%d failed) from %s_stats.csv; the history's last row (%s:%d) counts %d (%d failed): Locust writes the history once a second, so requests of its last moments are only in the final totals",
				statsTotal.Requests, statsTotal.Failures, prefix, histPath, agg[len(agg)-1].Line, total, agg[len(agg)-1].Failures))
		}
		total = statsTotal.Requests
	}
	levelsPath, err := w.Prepare(rundir.ImportedLevelsFile)
	if err != nil {
		return nil, err
	}
	if err := parquet.WriteImportedLevels(levelsPath, w.ID(), rows, total, warnings); err != nil {
		return nil, err
	}
	if err := w.Publish(ctx, rundir.ImportedLevelsFile); err != nil {
		return nil, err
	}
	if err := finish(ctx, w, end, levels, planFor(levels, "closed"), ""); err != nil {
		return nil, err
	}
	names := steps.names(counts)
	if len(names) == 0 {
		names = map[string]string{locust.AggregatedName: brink.StepAsk}
	}
	return &Result{Dir: w.Dir(), Manifest: w.Manifest(), Requests: total, StepNames: names, StepChoice: steps.choice, Warnings: warnings}, nil
}

// addLocustStats adds _stats.csv's rows to stats by name and returns its
// Aggregated row (nil when it has none). A name with several methods counts
// them all and takes the median of its busiest.
func addLocustStats(stats nameStats, rows []locust.StatsRow) *locust.StatsRow {
	var total *locust.StatsRow
	busiest := map[string]int64{}
	for i, r := range rows {
		if r.Name == locust.AggregatedName {
			total = &rows[i]
			continue
		}
		st := stats[r.Name]
		if st == nil {
			st = &nameStat{median: math.NaN()}
			stats[r.Name] = st
		}
		st.count += r.Requests
		if r.MedianMS != nil && r.Requests >= busiest[r.Name] {
			st.median, busiest[r.Name] = *r.MedianMS, r.Requests
		}
	}
	return total
}

// locustLevel computes one level row over the history rows a0..a1 (the
// Aggregated rows at the hold's first and last second) and the rows of the
// conversation's request name.
func locustLevel(lw brink.LevelWindow, a0, a1 *locust.HistoryRow, stepRows []*locust.HistoryRow, askName string, current bool) parquet.ImportedLevel {
	at := func(t time.Time) *locust.HistoryRow { // the last row at or before t
		i := sort.Search(len(stepRows), func(i int) bool { return stepRows[i].Time.After(t) }) - 1
		if i < 0 {
			return &locust.HistoryRow{Time: t}
		}
		return stepRows[i]
	}
	s0, s1 := at(a0.Time), at(a1.Time)
	window := a1.Time.Sub(a0.Time).Seconds()
	st := brink.LevelStats{Level: lw.Index, Users: lw.Users, WindowStart: a0.Time, WindowEnd: a1.Time, WindowS: window}
	st.Requests = s1.Requests - s0.Requests
	fails := s1.Failures - s0.Failures
	if st.Requests < 0 || fails < 0 {
		st.Requests, fails = 0, 0
	}
	st.Answered = st.Requests - max(fails, 0)
	st.RPS, st.AnsweredRPS = float64(st.Requests)/window, float64(st.Answered)/window
	if st.Requests > 0 {
		st.ErrorRate = float64(fails) / float64(st.Requests)
	}
	st.AllRequests = a1.Requests - a0.Requests
	if st.AllRequests > 0 {
		st.AllErrorRate = float64(a1.Failures-a0.Failures) / float64(st.AllRequests)
	}
	notes := []string{fmt.Sprintf("%s lines %d-%d; counts are the running totals' difference", "history", a0.Line, a1.Line)}
	if st.Requests > 0 {
		mean := (s1.AvgMS*float64(s1.Requests) - s0.AvgMS*float64(s0.Requests)) / float64(st.Requests)
		notes = append(notes, fmt.Sprintf("mean latency %.1f ms (exact, from the running averages)", round1(mean)))
	}
	var used []*locust.HistoryRow
	if current {
		from := a0.Time.Add(currentWindow)
		for _, r := range stepRows {
			if !r.Time.Before(from) && !r.Time.After(a1.Time) {
				used = append(used, r)
			}
		}
		if len(used) == 0 {
			used = []*locust.HistoryRow{s1}
			notes = append(notes, fmt.Sprintf("hold shorter than Locust's %v percentile window: percentiles include the ramp", currentWindow))
		} else {
			notes = append(notes, fmt.Sprintf("p50/p95/p99: median of %d rows of Locust's %v percentiles of %q", len(used), currentWindow, askName))
		}
	} else {
		used = []*locust.HistoryRow{s1}
		notes = append(notes, "p50/p95/p99: cumulative since the test started (no --csv-full-history)")
	}
	st.P50MS, st.P95MS, st.P99MS = medianPct(used, 0.50), medianPct(used, 0.95), medianPct(used, 0.99)
	return parquet.ImportedLevel{Stats: st, RatesUnknown: true, Notes: strings.Join(notes, "; ")}
}

// medianPct is the median over rows of their percentile-p cells, skipping
// N/A; nil when every cell is N/A or the column is missing.
func medianPct(rows []*locust.HistoryRow, p float64) *float64 {
	var v []float64
	for _, r := range rows {
		if c, ok := r.Percentile(p); ok && c != nil {
			v = append(v, *c)
		}
	}
	if len(v) == 0 {
		return nil
	}
	sort.Float64s(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return &m
}
