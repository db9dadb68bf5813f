package parquet

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"brink/replay"
)

// corpusCol is one column of a test file: its field and a function that
// appends row i to the builder.
type corpusCol struct {
	field arrow.Field
	add   func(b array.Builder, i int)
}

func strCol(name string, vals ...string) corpusCol {
	return corpusCol{arrow.Field{Name: name, Type: arrow.BinaryTypes.String}, func(b array.Builder, i int) { b.(*array.StringBuilder).Append(vals[i]) }}
}

func int64Col(name string, vals ...int64) corpusCol {
	return corpusCol{arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64}, func(b array.Builder, i int) { b.(*array.Int64Builder).Append(vals[i]) }}
}

func int32Col(name string, vals ...int32) corpusCol {
	return corpusCol{arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int32}, func(b array.Builder, i int) { b.(*array.Int32Builder).Append(vals[i]) }}
}

// gapCol takes NaN for null.
func gapCol(vals ...float64) corpusCol {
	return corpusCol{arrow.Field{Name: "gap_s", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, func(b array.Builder, i int) {
		if math.IsNaN(vals[i]) {
			b.AppendNull()
		} else {
			b.(*array.Float64Builder).Append(vals[i])
		}
	}}
}

func writeCorpusParquet(t *testing.T, rows int, cols ...corpusCol) string {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.field
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range rows {
		for j, c := range cols {
			c.add(b.Field(j), i)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "chats.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Zstd))
	fw, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.WriteBuffered(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadCorpus(t *testing.T) {
	null := math.NaN()
	path := writeCorpusParquet(t, 5,
		strCol("session_id", "b", "a", "b", "a", "c"),
		int64Col("turn", 2, 1, 1, 2, 1),
		strCol("question", "And the second?", "Where is my order?", "What is my plan?", "It was due Tuesday, it's Thursday now.", "hi"),
		gapCol(3.5, 4.2, null, 12, 0),
		strCol("user_id", "u1", "u2", "u1", "u2", "u3"), // extra columns are ignored
	)
	c, err := readCorpus(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []replay.Session{
		{ID: "b", Questions: []string{"What is my plan?", "And the second?"}, Gaps: []time.Duration{-1, 3500 * time.Millisecond}},
		{ID: "a", Questions: []string{"Where is my order?", "It was due Tuesday, it's Thursday now."}, Gaps: []time.Duration{4200 * time.Millisecond, 12 * time.Second}},
		{ID: "c", Questions: []string{"hi"}, Gaps: []time.Duration{0}},
	}
	if c.Source != path || !reflect.DeepEqual(c.Sessions, want) {
		t.Errorf("got %s %+v\nwant %+v", c.Source, c.Sessions, want)
	}
	if c.Questions() != 5 {
		t.Errorf("Questions() = %d", c.Questions())
	}
}

func TestReadCorpusDefaultRoundTrip(t *testing.T) {
	d := replay.DefaultCorpus()
	var ids, qs []string
	var turns []int32
	var gaps []float64
	for _, s := range d.Sessions {
		for i, q := range s.Questions {
			ids, qs, turns, gaps = append(ids, s.ID), append(qs, q), append(turns, int32(i+1)), append(gaps, s.Gaps[i].Seconds())
		}
	}
	path := writeCorpusParquet(t, len(qs), strCol("session_id", ids...), int32Col("turn", turns...), strCol("question", qs...), gapCol(gaps...))
	c, err := readCorpus(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Sessions, d.Sessions) {
		t.Error("default corpus changed in a Parquet round trip")
	}
}

func TestReadCorpusErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		rows int
		cols []corpusCol
		err  string // after "corpus <path>"
	}{
		{"missing question", 1, []corpusCol{strCol("session_id", "a"), int64Col("turn", 1), strCol("text", "q")},
			`: no column "question"; a corpus has the columns session_id, turn, question, gap_s (gap_s optional), the file has session_id, turn, text`},
		{"renamed column", 1, []corpusCol{strCol("Session_ID", "a"), int64Col("turn", 1), strCol("question", "q")},
			`: no column "session_id" (is "Session_ID" meant to be it? rename it)`},
		{"turn as string", 1, []corpusCol{strCol("session_id", "a"), strCol("turn", "1"), strCol("question", "q")},
			`: column "turn": type utf8, want int32 or int64`},
		{"gap as int", 1, []corpusCol{strCol("session_id", "a"), int64Col("turn", 1), strCol("question", "q"), int64Col("gap_s", 3)},
			`: column "gap_s": type int64, want double`},
		{"empty question", 2, []corpusCol{strCol("session_id", "a", "a"), int64Col("turn", 1, 2), strCol("question", "q", " ")},
			`: row 2: column "question": empty question`},
		{"negative gap", 2, []corpusCol{strCol("session_id", "a", "a"), int64Col("turn", 1, 2), strCol("question", "q", "r"), gapCol(1, -3)},
			`: row 2: column "gap_s": -3 is not a gap`},
		{"duplicate turn", 3, []corpusCol{strCol("session_id", "a", "b", "a"), int64Col("turn", 1, 1, 1), strCol("question", "q", "r", "s")},
			`: row 3: column "turn": session "a" has turn 1 twice (also on row 1)`},
		{"no rows", 0, []corpusCol{strCol("session_id"), int64Col("turn"), strCol("question")},
			`: no sessions`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCorpusParquet(t, tt.rows, tt.cols...)
			_, err := readCorpus(path)
			if err == nil || !strings.HasPrefix(err.Error(), "corpus "+path+tt.err) {
				t.Fatalf("error %v\nwant it to start with %q", err, "corpus "+path+tt.err)
			}
		})
	}

	notParquet := filepath.Join(t.TempDir(), "chats.parquet")
	os.WriteFile(notParquet, []byte("session_id,turn,question\n"), 0o644)
	_, err := readCorpus(notParquet)
	if !errors.Is(err, ErrTorn) || !strings.Contains(err.Error(), notParquet) {
		t.Errorf("not parquet: %v", err)
	}
}

// readCorpus reads rows and assembles them as brink run does.
func readCorpus(path string) (*replay.Corpus, error) {
	rows, err := ReadCorpusRows(context.Background(), path)
	if err != nil {
		return nil, err
	}
	return replay.CorpusFromRows(path, rows)
}
