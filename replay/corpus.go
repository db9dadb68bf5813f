package replay

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"brink"
	"brink/internal/suggest"
)

// Session is one recorded chat session: its questions in order and, where recorded, the gap before each.
type Session struct {
	ID        string
	Questions []string
	Gaps      []time.Duration // len == len(Questions); Gaps[i] is the think time before Questions[i]; a negative value means not recorded
}

// Corpus is a set of recorded sessions, read by LoadCorpus, DefaultCorpus or
// (for Parquet) collect/parquet.ReadCorpus. Every session has at least one
// question, no question is blank and Gaps is as long as Questions.
type Corpus struct {
	Source   string // file name, or "builtin"
	Sessions []Session
}

// Limits of a corpus file. A line longer than MaxCorpusLine is refused rather
// than read into memory whole: a corpus line is one session (JSONL) or one
// question (CSV), and neither is a megabyte in a real chat.
const (
	MaxCorpusLine = 1 << 20
	// MaxCorpusGap is the longest recorded gap accepted (brink.MaxCorpusGap).
	MaxCorpusGap = brink.MaxCorpusGap
)

const corpusNoGap time.Duration = -1

// ErrParquetCorpus is returned by LoadCorpus for a .parquet file: package
// replay does not link arrow-go; collect/parquet.ReadCorpusRows reads it.
var ErrParquetCorpus = errors.New("a Parquet corpus is read by collect/parquet.ReadCorpusRows and replay.CorpusFromRows, not replay.LoadCorpus")

// CorpusError is a problem at one place in a corpus file (brink.CorpusError).
type CorpusError = brink.CorpusError

// LoadCorpus reads a corpus file, choosing the format by extension: .jsonl or
// .ndjson (one session per line) or .csv (one question per row). The formats
// are described in docs/corpus.md. A .parquet file gives ErrParquetCorpus.
func LoadCorpus(path string) (*Corpus, error) {
	ext := strings.ToLower(filepath.Ext(path))
	var parse func(string, io.Reader) (*Corpus, error)
	switch ext {
	case ".jsonl", ".ndjson":
		parse = parseCorpusJSONL
	case ".csv":
		parse = parseCorpusCSV
	case ".parquet":
		return nil, fmt.Errorf("corpus %s: %w", path, ErrParquetCorpus)
	default:
		return nil, fmt.Errorf("corpus %s: unknown extension %q: name the file .jsonl, .ndjson, .csv or .parquet after its format", path, ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	return parse(path, f)
}

var defaultCorpus = sync.OnceValue(func() *Corpus {
	c, err := parseCorpusJSONL("builtin", bytes.NewReader(defaultCorpusJSONL))
	if err != nil {
		panic("replay: embedded default corpus: " + err.Error())
	}
	return c
})

//go:embed corpus/default.jsonl
var defaultCorpusJSONL []byte

// DefaultCorpus returns the built-in corpus: about fifty customer-support and
// product-assistant conversations of three to six turns with recorded gaps,
// questions from a few words to several sentences long. Each call returns a
// fresh copy the caller may modify.
func DefaultCorpus() *Corpus {
	src := defaultCorpus()
	c := &Corpus{Source: src.Source, Sessions: make([]Session, len(src.Sessions))}
	for i, s := range src.Sessions {
		c.Sessions[i] = Session{ID: s.ID, Questions: slices.Clone(s.Questions), Gaps: slices.Clone(s.Gaps)}
	}
	return c
}

// Questions returns the number of questions in all sessions.
func (c *Corpus) Questions() int {
	n := 0
	for _, s := range c.Sessions {
		n += len(s.Questions)
	}
	return n
}

// RecordedGaps returns every recorded think time before a question (gaps
// that were not recorded are left out): what a person took between answers,
// from which the what-if states a human engagement.
func (c *Corpus) RecordedGaps() []time.Duration {
	var out []time.Duration
	for _, s := range c.Sessions {
		for _, g := range s.Gaps {
			if g >= 0 {
				out = append(out, g)
			}
		}
	}
	return out
}

// WriteJSONL writes the corpus in the JSONL format LoadCorpus reads, one
// session per line, leaving out gaps that were not recorded.
func (c *Corpus) WriteJSONL(w io.Writer) error {
	type turn struct {
		Question string   `json:"question"`
		GapS     *float64 `json:"gap_s,omitempty"`
	}
	type line struct {
		SessionID string `json:"session_id"`
		Turns     []turn `json:"turns"`
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, s := range c.Sessions {
		l := line{SessionID: s.ID, Turns: make([]turn, len(s.Questions))}
		for i, q := range s.Questions {
			l.Turns[i].Question = q
			if i < len(s.Gaps) && s.Gaps[i] >= 0 {
				g := s.Gaps[i].Seconds()
				l.Turns[i].GapS = &g
			}
		}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("write corpus: %w", err)
		}
	}
	return bw.Flush()
}

// WriteCSV writes the corpus in the CSV format LoadCorpus reads, with turns
// numbered from 1 and an empty gap_s where no gap was recorded.
func (c *Corpus) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(corpusColumns); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	for _, s := range c.Sessions {
		for i, q := range s.Questions {
			gap := ""
			if i < len(s.Gaps) && s.Gaps[i] >= 0 {
				gap = strconv.FormatFloat(s.Gaps[i].Seconds(), 'f', -1, 64)
			}
			if err := cw.Write([]string{s.ID, strconv.Itoa(i + 1), q, gap}); err != nil {
				return fmt.Errorf("write corpus: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	return nil
}

// ---- JSONL ----

var (
	corpusSessionKeys = []string{"session_id", "turns", "questions"}
	corpusTurnKeys    = []string{"question", "gap_s"}
)

func parseCorpusJSONL(file string, r io.Reader) (*Corpus, error) {
	c := &Corpus{Source: file}
	seen := map[string]int{} // session id → line
	lr := &corpusLineReader{file: file, r: bufio.NewReaderSize(r, 64<<10)}
	for {
		line, n, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		at := func(key, format string, a ...any) error {
			return &CorpusError{File: file, Line: n, Msg: corpusKeyPrefix(key) + fmt.Sprintf(format, a...)}
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(line, &obj); err != nil || obj == nil {
			return nil, at("", "not a JSON object (%s): write one session per line as {\"session_id\": \"...\", \"turns\": [{\"question\": \"...\", \"gap_s\": 4.2}]}", corpusJSONErr(err))
		}
		for _, k := range corpusSortedKeys(obj) {
			if !slices.Contains(corpusSessionKeys, k) {
				return nil, at("", "unknown key %q%s", k, corpusSuggest(k, corpusSessionKeys, corpusTurnKeys))
			}
		}
		s := Session{ID: "line-" + strconv.Itoa(n)}
		if raw, ok := obj["session_id"]; ok {
			if err := json.Unmarshal(raw, &s.ID); err != nil {
				return nil, at("session_id", "want a string, got %s", corpusAbbrev(raw))
			}
			s.ID = strings.TrimSpace(s.ID) // as in CSV, where it is a grouping key
			if s.ID == "" {
				return nil, at("session_id", "empty: give the session an id or leave the key out")
			}
		}
		if prev, dup := seen[s.ID]; dup {
			return nil, at("session_id", "%q is already the id of the session on line %d: session ids must be unique", s.ID, prev)
		}
		seen[s.ID] = n
		rawTurns, hasTurns := obj["turns"]
		rawQs, hasQs := obj["questions"]
		switch {
		case hasTurns && hasQs:
			return nil, at("", "both \"turns\" and \"questions\": keep one (\"questions\" is shorthand for turns without gaps)")
		case hasQs:
			var qs []string
			if err := json.Unmarshal(rawQs, &qs); err != nil {
				return nil, at("questions", "want an array of strings, got %s", corpusAbbrev(rawQs))
			}
			for i, q := range qs {
				if strings.TrimSpace(q) == "" {
					return nil, at("questions", "question %d is empty: remove it or write the question", i+1)
				}
				s.Questions = append(s.Questions, q)
				s.Gaps = append(s.Gaps, corpusNoGap)
			}
		case hasTurns:
			var turns []map[string]json.RawMessage
			if err := json.Unmarshal(rawTurns, &turns); err != nil {
				return nil, at("turns", "want an array of objects like {\"question\": \"...\", \"gap_s\": 4.2}, got %s", corpusAbbrev(rawTurns))
			}
			for i, t := range turns {
				tk := fmt.Sprintf("turns[%d]", i)
				if t == nil {
					return nil, at(tk, "want an object like {\"question\": \"...\", \"gap_s\": 4.2}, got null")
				}
				for _, k := range corpusSortedKeys(t) {
					if !slices.Contains(corpusTurnKeys, k) {
						return nil, at(tk, "unknown key %q%s", k, corpusSuggest(k, corpusTurnKeys, corpusSessionKeys))
					}
				}
				var q string
				rawQ, ok := t["question"]
				if !ok {
					return nil, at(tk, "no \"question\"")
				}
				if err := json.Unmarshal(rawQ, &q); err != nil {
					return nil, at(tk+".question", "want a string, got %s", corpusAbbrev(rawQ))
				}
				if strings.TrimSpace(q) == "" {
					return nil, at(tk+".question", "empty question: remove the turn or write the question")
				}
				gap := corpusNoGap
				if rawG, ok := t["gap_s"]; ok && string(rawG) != "null" {
					var g float64
					if err := json.Unmarshal(rawG, &g); err != nil {
						return nil, at(tk+".gap_s", "want a number of seconds, got %s", corpusAbbrev(rawG))
					}
					if gap, err = corpusGap(g); err != nil {
						return nil, at(tk+".gap_s", "%v", err)
					}
				}
				s.Questions = append(s.Questions, q)
				s.Gaps = append(s.Gaps, gap)
			}
		default:
			return nil, at("", "no questions: give \"turns\": [{\"question\": \"...\"}] or \"questions\": [\"...\"]")
		}
		if len(s.Questions) == 0 {
			return nil, at("", "session %q has no questions: drop the line or add questions", s.ID)
		}
		c.Sessions = append(c.Sessions, s)
	}
	if len(c.Sessions) == 0 {
		return nil, &CorpusError{File: file, Msg: "no sessions: the file is empty (JSONL: one session per line)"}
	}
	return c, nil
}

func corpusKeyPrefix(key string) string {
	if key == "" {
		return ""
	}
	return "key " + strconv.Quote(key) + ": "
}

func corpusJSONErr(err error) string {
	if err == nil {
		return "null"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "a JSON " + te.Value
	}
	return err.Error()
}

func corpusAbbrev(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return strconv.Quote(s)
}

func corpusSortedKeys(m map[string]json.RawMessage) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// corpusLineReader returns lines (without the newline) and their 1-based
// numbers, refusing any longer than MaxCorpusLine.
type corpusLineReader struct {
	file string
	r    *bufio.Reader
	n    int
	buf  []byte
}

func (lr *corpusLineReader) next() ([]byte, int, error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.buf = append(lr.buf, chunk...)
		if len(lr.buf) > MaxCorpusLine+2 { // room for "\r\n"
			return nil, 0, &CorpusError{File: lr.file, Line: lr.n + 1,
				Msg: fmt.Sprintf("line is longer than %d bytes (1 MiB): is this really one session per line?", MaxCorpusLine)}
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			lr.n++
			line := bytes.TrimSuffix(bytes.TrimSuffix(lr.buf, []byte("\n")), []byte("\r"))
			if len(line) > MaxCorpusLine {
				return nil, 0, &CorpusError{File: lr.file, Line: lr.n,
					Msg: fmt.Sprintf("line is longer than %d bytes (1 MiB): is this really one session per line?", MaxCorpusLine)}
			}
			return line, lr.n, nil
		case io.EOF:
			if len(lr.buf) == 0 {
				return nil, 0, io.EOF
			}
			lr.n++
			if len(lr.buf) > MaxCorpusLine {
				return nil, 0, &CorpusError{File: lr.file, Line: lr.n,
					Msg: fmt.Sprintf("line is longer than %d bytes (1 MiB): is this really one session per line?", MaxCorpusLine)}
			}
			return lr.buf, lr.n, nil
		default:
			return nil, 0, fmt.Errorf("corpus %s: read: %w", lr.file, err)
		}
	}
}

// ---- CSV ----

var corpusColumns = []string{"session_id", "turn", "question", "gap_s"}

// CorpusRow is one question of a tabular corpus (brink.CorpusRow).
type CorpusRow = brink.CorpusRow

// CorpusFromRows assembles sessions from rows that may come in any order:
// rows are grouped by session id (sessions in order of first appearance) and
// ordered by turn. It checks what every format must satisfy: a session id, a
// non-blank question, a gap that is not recorded or within 0..MaxCorpusGap,
// no turn number twice in one session. file names the source in errors.
func CorpusFromRows(file string, rows []CorpusRow) (*Corpus, error) {
	type turn struct {
		n   int64
		row int // index into rows
	}
	var order []string
	bySession := map[string][]turn{}
	for i, r := range rows {
		at := func(col, format string, a ...any) error {
			return &CorpusError{File: file, Line: r.Line, Row: r.Row, Column: col, Msg: fmt.Sprintf(format, a...)}
		}
		if strings.TrimSpace(r.SessionID) == "" {
			return nil, at("session_id", "empty: every row needs the id of its session")
		}
		if strings.TrimSpace(r.Question) == "" {
			return nil, at("question", "empty question: remove the row or write the question")
		}
		if !utf8.ValidString(r.SessionID) {
			return nil, at("session_id", "not valid UTF-8: save the file as UTF-8")
		}
		if !utf8.ValidString(r.Question) {
			return nil, at("question", "not valid UTF-8: save the file as UTF-8")
		}
		if r.Gap > MaxCorpusGap {
			return nil, at("gap_s", "%v is more than a day: start a new session instead", r.Gap)
		}
		if _, ok := bySession[r.SessionID]; !ok {
			order = append(order, r.SessionID)
		}
		bySession[r.SessionID] = append(bySession[r.SessionID], turn{r.Turn, i})
	}
	c := &Corpus{Source: file, Sessions: make([]Session, 0, len(order))}
	for _, id := range order {
		ts := bySession[id]
		sort.SliceStable(ts, func(a, b int) bool { return ts[a].n < ts[b].n })
		s := Session{ID: id, Questions: make([]string, len(ts)), Gaps: make([]time.Duration, len(ts))}
		for j, t := range ts {
			r := rows[t.row]
			if j > 0 && ts[j-1].n == t.n {
				p := rows[ts[j-1].row]
				where := "line " + strconv.Itoa(p.Line)
				if p.Line == 0 {
					where = "row " + strconv.Itoa(p.Row)
				}
				return nil, &CorpusError{File: file, Line: r.Line, Row: r.Row, Column: "turn",
					Msg: fmt.Sprintf("session %q has turn %d twice (also on %s): number each turn once", id, t.n, where)}
			}
			s.Questions[j] = r.Question
			s.Gaps[j] = r.Gap
			if r.Gap < 0 {
				s.Gaps[j] = corpusNoGap
			}
		}
		c.Sessions = append(c.Sessions, s)
	}
	if len(c.Sessions) == 0 {
		return nil, &CorpusError{File: file, Msg: "no sessions: the file has no rows"}
	}
	return c, nil
}

func parseCorpusCSV(file string, r io.Reader) (*Corpus, error) {
	lim := &corpusLineLimit{file: file, r: r}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1 // checked here, with a clearer message
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &CorpusError{File: file, Msg: "no sessions: the file is empty; the first line must be the header " + strings.Join(corpusColumns, ",")}
	}
	if err != nil {
		return nil, corpusCSVErr(file, err)
	}
	idx := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.TrimSpace(h)
		if !slices.Contains(corpusColumns, h) {
			return nil, &CorpusError{File: file, Line: 1, Column: h,
				Msg: fmt.Sprintf("unknown column%s; the header is %s (gap_s optional)", corpusSuggest(h, corpusColumns, nil), strings.Join(corpusColumns, ","))}
		}
		if _, dup := idx[h]; dup {
			return nil, &CorpusError{File: file, Line: 1, Column: h, Msg: "appears twice in the header"}
		}
		idx[h] = i
	}
	for _, want := range corpusColumns[:3] {
		if _, ok := idx[want]; !ok {
			return nil, &CorpusError{File: file, Line: 1, Column: want,
				Msg: fmt.Sprintf("missing from the header %q: the first line must name the columns %s (gap_s optional)", strings.Join(header, ","), strings.Join(corpusColumns, ","))}
		}
	}
	gapCol, hasGap := idx["gap_s"]
	var rows []CorpusRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, corpusCSVErr(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces; encoding/csv itself skips empty lines
		}
		if len(rec) != len(header) {
			return nil, &CorpusError{File: file, Line: line,
				Msg: fmt.Sprintf("%d fields, the header has %d: quote fields that contain commas", len(rec), len(header))}
		}
		at := func(col, format string, a ...any) error {
			l, _ := cr.FieldPos(idx[col])
			return &CorpusError{File: file, Line: l, Column: col, Msg: fmt.Sprintf(format, a...)}
		}
		row := CorpusRow{SessionID: strings.TrimSpace(rec[idx["session_id"]]), Question: rec[idx["question"]], Gap: corpusNoGap, Line: line}
		ts := strings.TrimSpace(rec[idx["turn"]])
		row.Turn, err = strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, at("turn", "%q is not a whole number", ts)
		}
		if row.Turn < 0 {
			return nil, at("turn", "%d is negative: number turns from 0 or 1", row.Turn)
		}
		if hasGap {
			if gs := strings.TrimSpace(rec[gapCol]); gs != "" {
				g, err := strconv.ParseFloat(gs, 64)
				if err != nil {
					return nil, at("gap_s", "%q is not a number of seconds (leave it empty if not recorded)", gs)
				}
				if row.Gap, err = corpusGap(g); err != nil {
					return nil, at("gap_s", "%v", err)
				}
			}
		}
		rows = append(rows, row)
	}
	return CorpusFromRows(file, rows)
}

func corpusCSVErr(file string, err error) error {
	var ce *CorpusError
	if errors.As(err, &ce) {
		return ce
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.As(pe.Err, &ce) {
			return ce
		}
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
			msg += ` (column ` + strconv.Itoa(pe.Column) + `): a field with quotes must be quoted whole, with inner quotes doubled: "say ""hi"""`
		}
		return &CorpusError{File: file, Line: pe.Line, Msg: msg}
	}
	return fmt.Errorf("corpus %s: read: %w", file, err)
}

// corpusLineLimit passes bytes through and fails once a physical line grows
// past MaxCorpusLine, so a file without newlines is not read whole.
type corpusLineLimit struct {
	file string
	r    io.Reader
	line int // 0-based line being read
	cur  int // bytes of it so far
	err  error
}

func (l *corpusLineLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.line++
			l.cur = 0
			continue
		}
		l.cur++
		if l.cur > MaxCorpusLine+1 { // allow a "\r"
			l.err = &CorpusError{File: l.file, Line: l.line + 1,
				Msg: fmt.Sprintf("line is longer than %d bytes (1 MiB): is the file really CSV with one question per row?", MaxCorpusLine)}
			return i, l.err
		}
	}
	return n, err
}

// corpusGap converts recorded seconds to a gap, refusing what cannot be one.
func corpusGap(s float64) (time.Duration, error) {
	switch {
	case math.IsNaN(s) || math.IsInf(s, 0):
		return 0, fmt.Errorf("%v is not a number of seconds", s)
	case s < 0:
		return 0, fmt.Errorf("%v is negative: give the seconds before the question, or leave gap_s out if not recorded", s)
	case s > MaxCorpusGap.Seconds():
		return 0, fmt.Errorf("%vs is more than a day: start a new session instead", s)
	}
	return time.Duration(math.Round(s * 1e9)), nil
}

// corpusSuggest returns ` (did you mean "x"?)` for the known key closest to k,
// looking first in known and then in other (a turn key written at session
// level, say), or "" if none is close.
func corpusSuggest(k string, known, other []string) string {
	lk := strings.ToLower(k)
	best, bestD := "", 3 // suggest only within two edits
	for _, set := range [][]string{known, other} {
		for _, c := range set {
			d := suggest.Distance(lk, c)
			if len(lk) >= 3 && (strings.Contains(lk, c) || strings.Contains(c, lk)) {
				d = min(d, 2) // "session" for "session_id", "gap_seconds" for "gap_s"
			}
			if d < bestD {
				best, bestD = c, d
			}
		}
		if best != "" {
			break
		}
	}
	switch {
	case best == "":
		return " (known keys: " + strings.Join(known, ", ") + ")"
	case !slices.Contains(known, best):
		return fmt.Sprintf(" (did you mean %q? it belongs at the other level)", best)
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// ---- Picker ----

// Picker hands out the sessions of a corpus to virtual users.
//
// In "order" mode sessions go out round-robin across all callers, so a run
// covers the whole corpus before repeating. In "sample" mode each draw is a
// pure function of (seed, vu, how many sessions this vu has drawn), so a
// virtual user gets the same sequence in every run with that seed, however
// goroutines are scheduled.
type Picker struct {
	sessions []Session
	sample   bool
	seed     uint64

	next atomic.Uint64 // order mode

	mu    sync.Mutex // sample mode
	drawn map[int32]uint64
}

// NewPicker returns a Picker over c's sessions. mode is "order" (also "") or
// "sample"; seed matters only for "sample".
func NewPicker(c *Corpus, mode string, seed int64) (*Picker, error) {
	if c == nil || len(c.Sessions) == 0 {
		return nil, errors.New("picker: the corpus has no sessions")
	}
	for i, s := range c.Sessions {
		if len(s.Questions) == 0 || len(s.Gaps) != len(s.Questions) {
			return nil, fmt.Errorf("picker: corpus %s: session %d (%q) has %d questions and %d gaps: want at least one question and one gap per question (negative when not recorded)",
				c.Source, i, s.ID, len(s.Questions), len(s.Gaps))
		}
	}
	p := &Picker{sessions: c.Sessions, seed: uint64(seed)}
	switch mode {
	case "", "order":
	case "sample":
		p.sample = true
		p.drawn = map[int32]uint64{}
	default:
		return nil, fmt.Errorf("picker: unknown mode %q: want \"order\" or \"sample\"", mode)
	}
	return p, nil
}

// Next returns the next session for virtual user vu. It is safe for
// concurrent use. The session shares its slices with the corpus: do not
// modify them.
func (p *Picker) Next(vu int32) Session {
	n := uint64(len(p.sessions))
	if !p.sample {
		return p.sessions[(p.next.Add(1)-1)%n]
	}
	p.mu.Lock()
	k := p.drawn[vu]
	p.drawn[vu] = k + 1
	p.mu.Unlock()
	h := corpusMix(p.seed ^ corpusMix(uint64(uint32(vu))^corpusMix(k+0x9e3779b97f4a7c15)))
	i, _ := bits.Mul64(h, n) // Lemire: h·n/2^64, uniform in [0, n)
	return p.sessions[i]
}

// corpusMix is SplitMix64's finaliser: a fixed, well-mixed hash, so sampled
// sequences do not change with the Go version.
func corpusMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
