package brink

import (
	"fmt"
	"strings"
	"time"
)

// CorpusRow is one question of a recorded session, as a tabular corpus file
// (CSV, Parquet) holds it. replay.CorpusFromRows assembles rows into
// sessions; collect/parquet reads them from Parquet.
type CorpusRow struct {
	SessionID string
	Turn      int64
	Question  string
	Gap       time.Duration // think time before the question; negative: not recorded
	Line      int           // 1-based line in a CSV file, or 0
	Row       int           // 1-based row in a Parquet file, or 0
}

// MaxCorpusGap is the longest recorded gap accepted: a pause of more than a
// day is a new visit, not think time, and should be a new session.
const MaxCorpusGap = 24 * time.Hour

// CorpusError is a problem at one place in a corpus file. Its message names
// the file, the line (or Parquet row) and, where one is to blame, the column or
// key, and says what to fix.
type CorpusError struct {
	File   string
	Line   int    // 1-based line of a JSONL or CSV file; 0 if not about one line
	Row    int    // 1-based row of a Parquet file; 0 if not about one row
	Column string // CSV or Parquet column, or JSON key; "" if none
	Msg    string
}

func (e *CorpusError) Error() string {
	var b strings.Builder
	b.WriteString("corpus ")
	b.WriteString(e.File)
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d", e.Line)
	case e.Row > 0:
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Msg)
	return b.String()
}
