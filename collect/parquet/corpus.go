package parquet

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"brink"
)

// Corpus columns. gap_s may be missing, or null (or NaN, as pandas writes a
// missing float) where no gap was recorded; other columns are ignored.
var corpusColumns = []string{"session_id", "turn", "question", "gap_s"}

// ReadCorpusRows reads a recorded-session corpus from a Parquet file with one
// row per question: session_id (string), turn (int32 or int64), question
// (string) and, optionally, gap_s (double, nullable: seconds of think time
// before the question). Rows may come in any order; replay.CorpusFromRows
// groups and checks them as it does for CSV. Errors name the file, the row
// and the column.
func ReadCorpusRows(ctx context.Context, path string) ([]brink.CorpusRow, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w: %v", path, ErrTorn, err)
	}
	defer rdr.Close()
	psch := rdr.MetaData().Schema
	var (
		leaves []int
		names  []string
	)
	for _, name := range corpusColumns {
		idx := psch.ColumnIndexByName(name)
		if idx < 0 {
			if name == "gap_s" {
				continue
			}
			have := make([]string, psch.NumColumns())
			for j := range have {
				have[j] = psch.Column(j).Path()
			}
			return nil, fmt.Errorf("corpus %s: no column %q%s; a corpus has the columns %s (gap_s optional), the file has %s",
				path, name, corpusSuggest(name, have), strings.Join(corpusColumns, ", "), strings.Join(have, ", "))
		}
		leaves = append(leaves, idx)
		names = append(names, name)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(ctx, leaves, nil)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", path, err)
	}
	defer rr.Release()
	sch := rr.Schema()
	col := map[string]int{}
	for i, name := range names {
		if sch.Field(i).Name != name {
			return nil, fmt.Errorf("corpus %s: column %q: read as %q; is it nested? a corpus has flat columns", path, name, sch.Field(i).Name)
		}
		col[name] = i
		if err := corpusCheckType(name, sch.Field(i).Type); err != nil {
			return nil, fmt.Errorf("corpus %s: column %q: %w", path, name, err)
		}
	}
	gapCol, hasGap := col["gap_s"]

	var rows []brink.CorpusRow
	for rr.Next() {
		rec := rr.RecordBatch()
		ids := corpusStrings(rec.Column(col["session_id"]))
		qs := corpusStrings(rec.Column(col["question"]))
		turns := rec.Column(col["turn"])
		for i := 0; i < int(rec.NumRows()); i++ {
			row := brink.CorpusRow{Gap: -1, Row: len(rows) + 1}
			bad := func(c, format string, a ...any) error {
				return &brink.CorpusError{File: path, Row: row.Row, Column: c, Msg: fmt.Sprintf(format, a...)}
			}
			for _, c := range []string{"session_id", "turn", "question"} {
				if rec.Column(col[c]).IsNull(i) {
					return nil, bad(c, "null: every row needs a %s", c)
				}
			}
			row.SessionID, row.Question = strings.TrimSpace(ids(i)), qs(i)
			switch t := turns.(type) {
			case *array.Int32:
				row.Turn = int64(t.Value(i))
			case *array.Int64:
				row.Turn = t.Value(i)
			}
			if row.Turn < 0 {
				return nil, bad("turn", "%d is negative: number turns from 0 or 1", row.Turn)
			}
			if hasGap && rec.Column(gapCol).IsValid(i) {
				g := rec.Column(gapCol).(*array.Float64).Value(i)
				switch {
				case math.IsNaN(g): // pandas' missing value
				case g < 0 || math.IsInf(g, 0):
					return nil, bad("gap_s", "%v is not a gap: give the seconds before the question, or null if not recorded", g)
				case g > brink.MaxCorpusGap.Seconds():
					return nil, bad("gap_s", "%vs is more than a day: start a new session instead", g)
				default:
					row.Gap = time.Duration(math.Round(g * 1e9))
				}
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		return nil, fmt.Errorf("corpus %s: read: %w", path, err)
	}
	return rows, nil
}

func corpusCheckType(name string, t arrow.DataType) error {
	ok := false
	switch name {
	case "session_id", "question":
		switch t := t.(type) {
		case *arrow.StringType, *arrow.LargeStringType:
			ok = true
		case *arrow.DictionaryType:
			ok = t.ValueType.ID() == arrow.STRING || t.ValueType.ID() == arrow.LARGE_STRING
		}
	case "turn":
		ok = t.ID() == arrow.INT32 || t.ID() == arrow.INT64
	case "gap_s":
		ok = t.ID() == arrow.FLOAT64
	}
	if ok {
		return nil
	}
	want := map[string]string{"session_id": "string", "question": "string", "turn": "int32 or int64", "gap_s": "double (seconds, nullable)"}[name]
	return fmt.Errorf("type %s, want %s", t, want)
}

// corpusStrings returns an accessor for a string, large string or
// dictionary-encoded string column.
func corpusStrings(a arrow.Array) func(int) string {
	switch a := a.(type) {
	case *array.String:
		return a.Value
	case *array.LargeString:
		return a.Value
	case *array.Dictionary:
		d := a.Dictionary()
		return func(i int) string {
			switch d := d.(type) {
			case *array.String:
				return d.Value(a.GetValueIndex(i))
			case *array.LargeString:
				return d.Value(a.GetValueIndex(i))
			}
			return ""
		}
	}
	return func(int) string { return "" }
}

// corpusSuggest points at a column that looks like the missing one
// ("Session_ID", "gap_seconds"), if any.
func corpusSuggest(name string, have []string) string {
	for _, h := range have {
		l := strings.ToLower(h)
		if l == name || (len(l) >= 3 && (strings.HasPrefix(l, name) || strings.HasPrefix(name, l))) {
			return fmt.Sprintf(" (is %q meant to be it? rename it)", h)
		}
	}
	return ""
}
