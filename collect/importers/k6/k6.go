// Package k6 reads k6's JSON output (`k6 run --out json=results.json`, or
// .gz): one JSON object per line, either a "Metric" line declaring a metric
// or a "Point" line holding one sample with its time, value and tags. It is a
// streaming reader in the manner of golang.org/x/perf/benchfmt: Scan yields
// one Record at a time, a bad line becomes a *SyntaxError naming the file and
// line, and only I/O failures end the scan.
//
// It reads the format only: joining the samples of one HTTP request
// (http_req_duration, http_req_waiting, http_req_failed, ...) into a request
// and finding levels in the vus gauge is the collect/importers package's job.
// k6 stamps every sample of a request with the time the request ended.
package k6

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Record is what Scan yields: a *Metric, a *Point or a *SyntaxError.
type Record interface {
	Pos() (file string, line int)
}

// Metric declares a metric: {"type":"Metric","data":{"type":"trend",...},"metric":"http_req_duration"}.
type Metric struct {
	Name     string
	Type     string // gauge, rate, counter, trend
	Contains string // "time" for timings in milliseconds, "data", "default"
	File     string
	Line     int
}

// Pos returns where the metric was declared.
func (m *Metric) Pos() (string, int) { return m.File, m.Line }

// Point is one sample: {"type":"Point","data":{"time":...,"value":...,"tags":{...}},"metric":"vus"}.
type Point struct {
	Metric string
	Time   time.Time // UTC; for HTTP request metrics, when the request ended
	Value  float64   // milliseconds for time metrics; 0/1 for rates
	Tags   map[string]string
	// Metadata is data.metadata: high-cardinality values k6 ≥ 0.41 keeps
	// out of the tags, notably "vu" and "iter" (nil when absent).
	Metadata map[string]string
	File     string
	Line     int
}

// Pos returns where the point was read.
func (p *Point) Pos() (string, int) { return p.File, p.Line }

// SyntaxError is a line that is not k6 JSON output.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Pos returns where the error is.
func (e *SyntaxError) Pos() (string, int) { return e.File, e.Line }

// MaxLineBytes bounds one line.
const MaxLineBytes = 16 << 20

// Reader reads k6 JSON lines.
type Reader struct {
	s    *bufio.Scanner
	file string
	line int
	rec  Record
	err  error
}

// NewReader reads r; file names the input in errors. Gzip input (k6 writes
// it when the file name ends in .gz) is recognised by its magic bytes.
func NewReader(r io.Reader, file string) *Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	var in io.Reader = br
	rd := &Reader{file: file}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			rd.err = fmt.Errorf("%s: gzip: %w", file, err)
			in = strings.NewReader("")
		} else {
			in = zr
		}
	}
	rd.s = bufio.NewScanner(in)
	rd.s.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	return rd
}

type wireLine struct {
	Type   *string         `json:"type"`
	Metric *string         `json:"metric"`
	Data   json.RawMessage `json:"data"`
}

type wireMetric struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Contains string `json:"contains"`
}

type wirePoint struct {
	Time     *string         `json:"time"`
	Value    *float64        `json:"value"`
	Tags     json.RawMessage `json:"tags"`
	Metadata json.RawMessage `json:"metadata"`
}

// Scan advances to the next record; it returns false at the end of the
// input or on an I/O error (see Err). Blank lines are skipped.
func (r *Reader) Scan() bool {
	if r.err != nil {
		return false
	}
	for r.s.Scan() {
		r.line++
		b := bytes.TrimSpace(r.s.Bytes())
		if len(b) == 0 {
			continue
		}
		r.rec = r.parse(b)
		return true
	}
	if err := r.s.Err(); err != nil {
		switch {
		case err == bufio.ErrTooLong:
			r.err = &SyntaxError{r.file, r.line + 1, fmt.Sprintf("line longer than %d MiB: is this k6's --out json output?", MaxLineBytes>>20)}
		case err == io.ErrUnexpectedEOF:
			r.err = &SyntaxError{r.file, r.line + 1, "gzip stream ends early: the file is truncated (did k6 finish writing it?)"}
		default:
			r.err = fmt.Errorf("%s:%d: read: %w", r.file, r.line, err)
		}
	}
	return false
}

// Result returns the record Scan found. It stays valid after the next Scan.
func (r *Reader) Result() Record { return r.rec }

// Err returns the error that ended the scan early, if any.
func (r *Reader) Err() error { return r.err }

func (r *Reader) bad(format string, a ...any) *SyntaxError {
	return &SyntaxError{r.file, r.line, fmt.Sprintf(format, a...)}
}

func (r *Reader) parse(b []byte) Record {
	if b[0] != '{' {
		if b[0] == '[' {
			return r.bad("a JSON array: want k6's --out json lines, one object per line (not the --summary-export file)")
		}
		return r.bad("not a JSON object: want k6's --out json lines, one object per line")
	}
	var w wireLine
	if err := json.Unmarshal(b, &w); err != nil {
		return r.bad("%s (a torn last line? each line is one k6 --out json record)", jsonMsg(err))
	}
	if w.Type == nil || w.Metric == nil {
		return r.bad(`no "type" or "metric" key: not k6 --out json output (a k6 summary? use --out json=FILE)`)
	}
	switch *w.Type {
	case "Metric":
		var m wireMetric
		if len(w.Data) > 0 {
			if err := json.Unmarshal(w.Data, &m); err != nil {
				return r.bad("Metric %q: data: %s", *w.Metric, jsonMsg(err))
			}
		}
		return &Metric{Name: *w.Metric, Type: m.Type, Contains: m.Contains, File: r.file, Line: r.line}
	case "Point":
		var p wirePoint
		if len(w.Data) == 0 {
			return r.bad("Point %q has no data", *w.Metric)
		}
		if err := json.Unmarshal(w.Data, &p); err != nil {
			return r.bad("Point %q: data: %s", *w.Metric, jsonMsg(err))
		}
		if p.Time == nil {
			return r.bad("Point %q has no data.time", *w.Metric)
		}
		if p.Value == nil {
			return r.bad("Point %q has no data.value", *w.Metric)
		}
		t, err := time.Parse(time.RFC3339Nano, *p.Time)
		if err != nil {
			return r.bad("Point %q: time %q: want RFC 3339 like 2026-01-02T15:04:05.123+01:00", *w.Metric, *p.Time)
		}
		tags, err := parseTags(p.Tags)
		if err != nil {
			return r.bad("Point %q: tags: %v", *w.Metric, err)
		}
		meta, err := parseTags(p.Metadata)
		if err != nil {
			return r.bad("Point %q: metadata: %v", *w.Metric, err)
		}
		return &Point{Metric: *w.Metric, Time: t.UTC(), Value: *p.Value, Tags: tags, Metadata: meta, File: r.file, Line: r.line}
	default:
		return r.bad("type %q: k6 writes \"Metric\" or \"Point\"", *w.Type)
	}
}

// parseTags reads a tag object; null means no tags. Values are strings in
// k6, but a number or bool is kept as its JSON text.
func parseTags(b json.RawMessage) (map[string]string, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("want an object of strings")
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = s
			continue
		}
		if len(v) > 0 && (v[0] == '{' || v[0] == '[') {
			return nil, fmt.Errorf("tag %q: an object or array, want a string", k)
		}
		if string(v) != "null" {
			out[k] = string(v)
		}
	}
	return out, nil
}

func jsonMsg(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("field %q: a JSON %s where k6 writes a %s", te.Field, te.Value, te.Type)
	}
	return "bad JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}
