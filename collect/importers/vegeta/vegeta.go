// Package vegeta reads vegeta's JSON results (`vegeta encode --to json`): one
// JSON object per line, one line per request. It is a streaming reader in the
// manner of golang.org/x/perf/benchfmt: Scan yields one Record at a time, a
// bad line becomes a *SyntaxError naming the file and line, and only I/O
// failures end the scan.
//
// It reads the format only; it does not decide levels or error classes (the
// collect/importers package does). Vegeta's gob and CSV encodings are not
// read: convert them with `vegeta encode --to json` first.
package vegeta

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Result is one request, as vegeta's lib.Result encodes it to JSON.
type Result struct {
	Attack    string        // the attack's -name, often empty
	Seq       uint64        // sequence number within its attack: restarts at 0 for each attack
	Code      int           // HTTP status, 0 when no response
	Timestamp time.Time     // when the request was sent, UTC
	Latency   time.Duration // until the full response was read
	BytesOut  uint64
	BytesIn   uint64
	Error     string // vegeta's error text; "" when ok
	Method    string // newer vegeta only
	URL       string // newer vegeta only
	Line      int    // 1-based line in the file
}

// Record is what Scan yields: a *Result or a *SyntaxError.
type Record interface {
	Pos() (file string, line int)
}

// Pos returns where the result was read.
func (r *Result) Pos() (string, int) { return "", r.Line }

// SyntaxError is a line that is not a vegeta JSON result.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Pos returns where the error is.
func (e *SyntaxError) Pos() (string, int) { return e.File, e.Line }

// MaxLineBytes bounds one line (a result carrying a large response body).
const MaxLineBytes = 64 << 20

// Reader reads results line by line.
type Reader struct {
	s    *bufio.Scanner
	file string
	line int
	rec  Record
	err  error
}

// NewReader reads r; file names the input in errors.
func NewReader(r io.Reader, file string) *Reader {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	return &Reader{s: s, file: file}
}

// jsonResult is the wire form. Fields are pointers where absence must be
// told apart from a zero value.
type jsonResult struct {
	Attack    string          `json:"attack"`
	Seq       *uint64         `json:"seq"`
	Code      *int            `json:"code"`
	Timestamp *string         `json:"timestamp"`
	Latency   *int64          `json:"latency"`
	BytesOut  uint64          `json:"bytes_out"`
	BytesIn   uint64          `json:"bytes_in"`
	Error     string          `json:"error"`
	Body      json.RawMessage `json:"body"`
	Method    string          `json:"method"`
	URL       string          `json:"url"`
}

// Scan advances to the next record; it returns false at the end of the
// input or on an I/O error (see Err). Blank lines are skipped.
func (r *Reader) Scan() bool {
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
		if err == bufio.ErrTooLong {
			r.err = &SyntaxError{r.file, r.line + 1, fmt.Sprintf("line longer than %d MiB: is this vegeta's JSON encoding?", MaxLineBytes>>20)}
		} else {
			r.err = fmt.Errorf("%s:%d: read: %w", r.file, r.line, err)
		}
	}
	return false
}

// Result returns the record Scan found. It stays valid after the next Scan.
func (r *Reader) Result() Record { return r.rec }

// Err returns the I/O error that ended the scan, if any.
func (r *Reader) Err() error { return r.err }

func (r *Reader) bad(format string, a ...any) *SyntaxError {
	return &SyntaxError{r.file, r.line, fmt.Sprintf(format, a...)}
}

func (r *Reader) parse(b []byte) Record {
	if b[0] != '{' {
		if b[0] == '[' {
			return r.bad("a JSON array: vegeta's JSON results are one object per line (vegeta encode --to json), not `vegeta report --type json`")
		}
		if !isText(b) {
			return r.bad("binary data: this looks like vegeta's gob output; convert it with `vegeta encode --to json < results.bin > results.json`")
		}
		return r.bad("not a JSON object: want one vegeta result per line (vegeta encode --to json)")
	}
	var j jsonResult
	if err := json.Unmarshal(b, &j); err != nil {
		return r.bad("%s (a torn last line? a line is one result of `vegeta encode --to json`)", jsonMsg(err))
	}
	switch {
	case j.Timestamp == nil:
		return r.bad(`no "timestamp": not a vegeta result (is this a vegeta report, not the results?)`)
	case j.Latency == nil:
		return r.bad(`no "latency": not a vegeta result`)
	case j.Code == nil:
		return r.bad(`no "code": not a vegeta result`)
	}
	ts, err := time.Parse(time.RFC3339Nano, *j.Timestamp)
	if err != nil {
		return r.bad("timestamp %q: want RFC 3339 like 2026-01-02T15:04:05.123Z", *j.Timestamp)
	}
	if y := ts.UTC().Year(); y < 1970 || y > 2200 {
		// Such a time is a broken clock or a hand-made file; taken as is,
		// it would lay out levels over centuries.
		return r.bad("timestamp %q: outside the years 1970..2200", *j.Timestamp)
	}
	if *j.Latency < 0 {
		return r.bad("latency %d: negative (nanoseconds expected)", *j.Latency)
	}
	if *j.Code < 0 || *j.Code > 999 {
		return r.bad("code %d: not an HTTP status", *j.Code)
	}
	res := &Result{Attack: j.Attack, Code: *j.Code, Timestamp: ts.UTC(), Latency: time.Duration(*j.Latency),
		BytesOut: j.BytesOut, BytesIn: j.BytesIn, Error: j.Error, Method: j.Method, URL: j.URL, Line: r.line}
	if j.Seq != nil {
		res.Seq = *j.Seq
	}
	return res
}

func jsonMsg(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("field %q: a JSON %s where vegeta writes a %s", te.Field, te.Value, te.Type)
	}
	return "bad JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

func isText(b []byte) bool {
	n := min(len(b), 64)
	for _, c := range b[:n] {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			return false
		}
	}
	return true
}
