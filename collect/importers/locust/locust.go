// Package locust reads the CSV files Locust 2.x writes with --csv PREFIX:
// PREFIX_stats_history.csv (one row a second: the user count, current
// rates, percentiles and running totals), PREFIX_stats.csv (final totals per
// request name), PREFIX_failures.csv and PREFIX_exceptions.csv.
//
// HistoryReader is a streaming reader in the manner of
// golang.org/x/perf/benchfmt: Scan yields one Record at a time, a bad row
// becomes a *SyntaxError naming the file and line, and only I/O failures end
// the scan. Columns are found by their header names, so reordered or extra
// columns and custom percentile lists (any "NN%" column) are read.
//
// What Locust's files cannot give, and this package does not pretend to:
// per-request rows; without --csv-full-history the history has only the
// "Aggregated" row and its percentiles are cumulative since the test started
// (with it, each request name gets a row and percentiles cover roughly the
// last 10 s); response times are rounded into buckets of about two
// significant digits before any percentile is taken; a percentile cell is
// "N/A" until its row has seen a request.
package locust

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// AggregatedName is the Name of the row that totals every request name.
const AggregatedName = "Aggregated"

// Record is what Scan yields: a *HistoryRow or a *SyntaxError.
type Record interface {
	Pos() (file string, line int)
}

// SyntaxError is a row or header that is not what Locust writes.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Pos returns where the error is.
func (e *SyntaxError) Pos() (string, int) { return e.File, e.Line }

// Percentile is one percentile cell: P as a fraction (0.95), MS nil for N/A.
type Percentile struct {
	P  float64
	MS *float64
}

// HistoryRow is one row of PREFIX_stats_history.csv.
type HistoryRow struct {
	Time        time.Time // whole seconds, UTC
	Users       int
	Type        string // HTTP method; "" on the Aggregated row
	Name        string
	RPS         float64 // current requests/s (Locust's recent-window rate)
	FailuresPS  float64
	Percentiles []Percentile // in header order
	Requests    int64        // running totals since start (or since a --reset-stats)
	Failures    int64
	MedianMS    float64
	AvgMS       float64 // running average since start
	MinMS       float64
	MaxMS       float64
	AvgContent  float64
	File        string
	Line        int
}

// Pos returns where the row was read.
func (r *HistoryRow) Pos() (string, int) { return r.File, r.Line }

// Percentile returns the cell for fraction p, and whether the file has that column.
func (r *HistoryRow) Percentile(p float64) (*float64, bool) {
	for _, c := range r.Percentiles {
		if math.Abs(c.P-p) < 1e-9 {
			return c.MS, true
		}
	}
	return nil, false
}

// The history columns a row needs.
var historyRequired = []string{"Timestamp", "User Count", "Name", "Total Request Count", "Total Failure Count"}

// HistoryReader reads PREFIX_stats_history.csv row by row.
type HistoryReader struct {
	c       *csv.Reader
	file    string
	col     map[string]int
	ncol    int
	pcols   []int
	pvals   []float64
	started bool
	done    bool
	rec     Record
	err     error
}

// NewHistoryReader reads r; file names the input in errors.
func NewHistoryReader(r io.Reader, file string) *HistoryReader {
	c := csv.NewReader(r)
	c.FieldsPerRecord = -1
	c.ReuseRecord = true
	return &HistoryReader{c: c, file: file}
}

// Scan advances to the next record. A bad header is yielded as a
// *SyntaxError and ends the scan; a bad row is yielded and the scan goes on.
func (h *HistoryReader) Scan() bool {
	if h.done {
		return false
	}
	if !h.started {
		h.started = true
		if se := h.header(); se != nil {
			h.rec, h.done = se, true
			return true
		}
	}
	for {
		rec, err := h.c.Read()
		if err == io.EOF {
			h.done = true
			return false
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			h.rec = &SyntaxError{h.file, pe.Line, "CSV: " + pe.Err.Error()}
			if pe.Err != csv.ErrFieldCount {
				h.done = true // the reader cannot resync after a quote error
			}
			return true
		}
		if err != nil {
			h.err, h.done = fmt.Errorf("%s: read: %w", h.file, err), true
			return false
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := h.c.FieldPos(0)
		h.rec = h.row(rec, line)
		return true
	}
}

// Result returns the record Scan found.
func (h *HistoryReader) Result() Record { return h.rec }

// Err returns the I/O error that ended the scan, if any.
func (h *HistoryReader) Err() error { return h.err }

func (h *HistoryReader) header() *SyntaxError {
	rec, err := h.c.Read()
	if err == io.EOF {
		return &SyntaxError{h.file, 1, "empty file: Locust writes a header row first (was the run started with --csv?)"}
	}
	if err != nil {
		return &SyntaxError{h.file, 1, "header: " + err.Error()}
	}
	h.col = map[string]int{}
	h.ncol = len(rec)
	for i, name := range rec {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		h.col[name] = i
		if p, ok := strings.CutSuffix(name, "%"); ok {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil || v <= 0 || v > 100 {
				return &SyntaxError{h.file, 1, fmt.Sprintf("column %d %q: not a percentile column like \"95%%\"", i+1, name)}
			}
			h.pcols = append(h.pcols, i)
			h.pvals = append(h.pvals, math.Round(v*1e7)/1e9) // "99.9%" is 0.999, not 0.9990000000000001
		}
	}
	var missing []string
	for _, name := range historyRequired {
		if _, ok := h.col[name]; !ok {
			missing = append(missing, fmt.Sprintf("%q", name))
		}
	}
	if len(missing) > 0 {
		hint := ""
		if _, ok := h.col["Request Count"]; ok {
			hint = ": this looks like PREFIX_stats.csv; give the _stats_history.csv file (or the PREFIX)"
		}
		return &SyntaxError{h.file, 1, fmt.Sprintf("header has no %s column%s (a Locust 2.x _stats_history.csv starts \"Timestamp,User Count,Type,Name,...\")%s",
			strings.Join(missing, ", "), plural(len(missing)), hint)}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (h *HistoryReader) row(rec []string, line int) Record {
	bad := func(format string, a ...any) Record {
		return &SyntaxError{h.file, line, fmt.Sprintf(format, a...)}
	}
	get := func(name string) (string, bool) {
		i, ok := h.col[name]
		if !ok || i >= len(rec) {
			return "", false
		}
		return strings.TrimSpace(rec[i]), true
	}
	if len(rec) < h.maxCol()+1 {
		return bad("%d cells, the header has %d: a torn row? (Locust appends a row a second; the last may be cut if it was killed)", len(rec), h.ncol)
	}
	var r HistoryRow
	r.File, r.Line = h.file, line
	ts, _ := get("Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(ts, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad("Timestamp %q: want Unix seconds like 1795687200", ts)
		}
		sec = int64(f)
	}
	if sec < 0 || sec > 1<<40 {
		return bad("Timestamp %d: out of range (Unix seconds expected)", sec)
	}
	r.Time = time.Unix(sec, 0).UTC()
	uc, _ := get("User Count")
	u, err := strconv.Atoi(uc)
	if err != nil || u < 0 {
		return bad("User Count %q: want a whole number of users", uc)
	}
	r.Users = u
	r.Type, _ = get("Type")
	r.Name, _ = get("Name")
	if r.Name == "" {
		return bad("empty Name: every row names a request (or \"Aggregated\")")
	}
	ints := []struct {
		col string
		dst *int64
	}{{"Total Request Count", &r.Requests}, {"Total Failure Count", &r.Failures}}
	for _, c := range ints {
		s, _ := get(c.col)
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return bad("%s %q: want a whole number", c.col, s)
		}
		*c.dst = v
	}
	if r.Failures > r.Requests {
		return bad("Total Failure Count %d is more than Total Request Count %d", r.Failures, r.Requests)
	}
	floats := []struct {
		col string
		dst *float64
	}{{"Requests/s", &r.RPS}, {"Failures/s", &r.FailuresPS}, {"Total Median Response Time", &r.MedianMS},
		{"Total Average Response Time", &r.AvgMS}, {"Total Min Response Time", &r.MinMS},
		{"Total Max Response Time", &r.MaxMS}, {"Total Average Content Size", &r.AvgContent}}
	for _, c := range floats {
		s, ok := get(c.col)
		if !ok || s == "N/A" || s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return bad("%s %q: want a number", c.col, s)
		}
		*c.dst = v
	}
	r.Percentiles = make([]Percentile, len(h.pcols))
	for k, i := range h.pcols {
		r.Percentiles[k].P = h.pvals[k]
		s := strings.TrimSpace(rec[i])
		if s == "N/A" || s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return bad("%g%% %q: want milliseconds or N/A", h.pvals[k]*100, s)
		}
		r.Percentiles[k].MS = &v
	}
	return &r
}

func (h *HistoryReader) maxCol() int {
	m := 0
	for _, name := range historyRequired {
		m = max(m, h.col[name])
	}
	for _, i := range h.pcols {
		m = max(m, i)
	}
	return m
}

// StatsRow is one row of PREFIX_stats.csv: final totals of a request name.
type StatsRow struct {
	Type, Name         string
	Requests, Failures int64
	// MedianMS is the "Median Response Time" cell; nil when the column is
	// missing or the cell is N/A (a name that never answered).
	MedianMS *float64
	Line     int
}

// ReadStats reads PREFIX_stats.csv (only the columns importers need).
func ReadStats(r io.Reader, file string) ([]StatsRow, error) {
	recs, col, err := readSmall(r, file, []string{"Name", "Request Count", "Failure Count"})
	if err != nil {
		return nil, err
	}
	var out []StatsRow
	for _, rr := range recs {
		row := StatsRow{Name: rr.cell(col["Name"]), Line: rr.line}
		if i, ok := col["Type"]; ok {
			row.Type = rr.cell(i)
		}
		for _, c := range []struct {
			name string
			dst  *int64
		}{{"Request Count", &row.Requests}, {"Failure Count", &row.Failures}} {
			v, err := strconv.ParseInt(rr.cell(col[c.name]), 10, 64)
			if err != nil || v < 0 {
				return nil, &SyntaxError{file, rr.line, fmt.Sprintf("%s %q: want a whole number", c.name, rr.cell(col[c.name]))}
			}
			*c.dst = v
		}
		if i, ok := col["Median Response Time"]; ok {
			if c := strings.TrimSpace(rr.cell(i)); c != "" && c != "N/A" {
				v, err := strconv.ParseFloat(c, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					return nil, &SyntaxError{file, rr.line, fmt.Sprintf("Median Response Time %q: want milliseconds or N/A", c)}
				}
				row.MedianMS = &v
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// Failure is one row of PREFIX_failures.csv: an error and how often a
// request name hit it over the whole run.
type Failure struct {
	Method, Name, Error string
	Occurrences         int64
	Line                int
}

// ReadFailures reads PREFIX_failures.csv.
func ReadFailures(r io.Reader, file string) ([]Failure, error) {
	recs, col, err := readSmall(r, file, []string{"Name", "Error", "Occurrences"})
	if err != nil {
		return nil, err
	}
	var out []Failure
	for _, rr := range recs {
		f := Failure{Name: rr.cell(col["Name"]), Error: rr.cell(col["Error"]), Line: rr.line}
		if i, ok := col["Method"]; ok {
			f.Method = rr.cell(i)
		}
		v, err := strconv.ParseInt(rr.cell(col["Occurrences"]), 10, 64)
		if err != nil || v < 0 {
			return nil, &SyntaxError{file, rr.line, fmt.Sprintf("Occurrences %q: want a whole number", rr.cell(col["Occurrences"]))}
		}
		f.Occurrences = v
		out = append(out, f)
	}
	return out, nil
}

// ReadExceptions returns the total Count of PREFIX_exceptions.csv.
func ReadExceptions(r io.Reader, file string) (int64, error) {
	recs, col, err := readSmall(r, file, []string{"Count"})
	if err != nil {
		return 0, err
	}
	var n int64
	for _, rr := range recs {
		v, err := strconv.ParseInt(rr.cell(col["Count"]), 10, 64)
		if err != nil || v < 0 {
			return 0, &SyntaxError{file, rr.line, fmt.Sprintf("Count %q: want a whole number", rr.cell(col["Count"]))}
		}
		n += v
	}
	return n, nil
}

type smallRow struct {
	cells []string
	line  int
}

func (s smallRow) cell(i int) string {
	if i < len(s.cells) {
		return strings.TrimSpace(s.cells[i])
	}
	return ""
}

func readSmall(r io.Reader, file string, required []string) ([]smallRow, map[string]int, error) {
	c := csv.NewReader(r)
	c.FieldsPerRecord = -1
	head, err := c.Read()
	if err == io.EOF {
		return nil, nil, &SyntaxError{file, 1, "empty file: Locust writes a header row first"}
	}
	if err != nil {
		return nil, nil, &SyntaxError{file, 1, "header: " + err.Error()}
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, name := range required {
		if _, ok := col[name]; !ok {
			return nil, nil, &SyntaxError{file, 1, fmt.Sprintf("header has no %q column: is this the right Locust --csv file?", name)}
		}
	}
	var out []smallRow
	for {
		rec, err := c.Read()
		if err == io.EOF {
			return out, col, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, &SyntaxError{file, pe.Line, "CSV: " + pe.Err.Error()}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: read: %w", file, err)
		}
		line, _ := c.FieldPos(0)
		out = append(out, smallRow{append([]string(nil), rec...), line})
	}
}
