package parquet

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"brink"

	"github.com/apache/arrow-go/v18/parquet/file"
)

func sampleTraces(n int) []brink.Trace {
	base := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	out := make([]brink.Trace, n)
	steps := []string{brink.StepAuth, brink.StepNewChat, brink.StepAsk}
	for i := range out {
		t := brink.Trace{
			RunID: "run-1", VU: int32(i % 7), Session: int64(i / 3), Step: steps[i%3], Level: int32(i / 10), Users: int32(10 + i/10*10),
			Phase: brink.PhaseSteady, Start: base.Add(time.Duration(i) * 1500 * time.Microsecond),
			LatencyMS: float64(i) * 1.25, TTFBMS: float64(i) * 0.5, Status: 200, BytesSent: int64(40 + i), BytesReceived: int64(900 + i),
		}
		if i%3 == 2 {
			t.HasUsage, t.InputTokens, t.OutputTokens, t.Model = true, int32(300+i), int32(150+i), "anthropic.claude-3-haiku-20240307-v1:0"
		}
		if i%11 == 0 {
			t.Status, t.Error, t.Throttled = 429, brink.ErrHTTP429, true
		}
		if i%13 == 0 {
			t.Scheduled = t.Start.Add(-time.Millisecond)
		}
		out[i] = t
	}
	return out
}

func TestTraceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	w, err := NewTraceWriter(dir, TraceOptions{RunID: "run-1", FlushEvery: time.Hour, MaxRows: 40})
	if err != nil {
		t.Fatal(err)
	}
	in := sampleTraces(100)
	for _, tr := range in {
		if err := w.Write(tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := TraceFiles(dir)
	// 100 rows at 40 rows per segment: 3 segments, numbered from 0.
	want := []string{"part-00000.parquet", "part-00001.parquet", "part-00002.parquet"}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("segments = %v, want %v", names, want)
	}
	var got []brink.Trace
	for _, f := range files {
		rows, err := ReadTraces(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rows...)
	}
	if len(got) != len(in) {
		t.Fatalf("read %d rows, wrote %d", len(got), len(in))
	}
	for i := range in {
		if !reflect.DeepEqual(got[i], in[i]) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i, got[i], in[i])
		}
	}
	if w.Rows() != 100 {
		t.Errorf("Rows() = %d, want 100", w.Rows())
	}
}

// TestReusedBuffersKeepEveryRow: the writer writes a segment from one buffer
// while rows go into the other, and reuses the first once it is written.
// Rows written while segments close, from several goroutines, are each in
// exactly one segment, intact.
func TestReusedBuffersKeepEveryRow(t *testing.T) {
	dir := t.TempDir()
	w, err := NewTraceWriter(dir, TraceOptions{RunID: "run-1", FlushEvery: time.Hour, MaxRows: 64})
	if err != nil {
		t.Fatal(err)
	}
	in := sampleTraces(2000)
	for i := range in {
		in[i].Session = int64(i) // a key to find each row by
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(in); i += 4 {
				w.Write(in[i])
				if i%97 == 0 {
					w.Flush()
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for k, rows := range segmentsOf(t, dir, in) {
		if len(rows) > 64 {
			t.Errorf("segment %d: %d rows, more than MaxRows 64", k, len(rows))
		}
	}
	if w.Rows() != int64(len(in)) {
		t.Errorf("Rows() = %d, want %d", w.Rows(), len(in))
	}
}

func TestSegmentsCloseOnTime(t *testing.T) {
	dir := t.TempDir()
	w, err := NewTraceWriter(dir, TraceOptions{RunID: "r", FlushEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, tr := range sampleTraces(5) {
		w.Write(tr)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if files, _ := TraceFiles(dir); len(files) == 1 {
			rows, err := ReadTraces(context.Background(), files[0])
			if err != nil || len(rows) != 5 {
				t.Fatalf("closed segment: %d rows, %v; want 5", len(rows), err)
			}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no segment was closed by the timer")
}

func TestNumberingContinues(t *testing.T) {
	dir := t.TempDir()
	for round := range 2 {
		w, err := NewTraceWriter(dir, TraceOptions{RunID: "r", FlushEvery: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(sampleTraces(1)[0])
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("part-%05d.parquet", round))); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

func TestReadTracesRejectsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	torn := filepath.Join(dir, "part-00000.parquet")
	os.WriteFile(torn, []byte("PAR1 not really"), 0o644)
	_, err := ReadTraces(context.Background(), torn)
	if err == nil || !strings.Contains(err.Error(), torn) {
		t.Fatalf("torn file: err = %v, want one naming %s", err, torn)
	}
}

func TestUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path under a file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o644)
		if _, err := NewTraceWriter(filepath.Join(f, "traces"), TraceOptions{}); err == nil {
			t.Fatal("traces dir under a file: want an error")
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	if _, err := NewTraceWriter(filepath.Join(dir, "traces"), TraceOptions{}); err == nil {
		t.Fatal("read-only parent: want an error")
	}
}

// BenchmarkTraceWriter measures rows/s written to Parquet (zstd) including
// the encode, fsync and rename of each 1M-row segment.
func BenchmarkTraceWriter(b *testing.B) {
	rows := sampleTraces(100_000)
	dir := b.TempDir()
	w, err := NewTraceWriter(dir, TraceOptions{RunID: "bench", FlushEvery: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	n := 0
	for range b.N {
		for k := 0; k < 10; k++ {
			for i := range rows {
				w.Write(rows[i])
			}
			n += len(rows)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}

// nearlySorted is rows in completion order: each start within ~200 rows of
// its place, with ties (every 7th row shares its neighbour's start).
func nearlySorted(n int) []brink.Trace {
	rows := sampleTraces(n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range rows {
		if i%7 == 0 && i > 0 {
			rows[i].Start = rows[i-1].Start
		}
	}
	for i := range rows {
		j := min(len(rows)-1, i+r.IntN(200))
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

// TestStartOrderIsStable: a segment's rows are ordered by start, ties in the
// order written, as a stable sort of the rows themselves orders them.
func TestStartOrderIsStable(t *testing.T) {
	rows := nearlySorted(20_000)
	for i := range rows {
		rows[i].Session = int64(i) // the written position, to check ties
	}
	want := slices.Clone(rows)
	sort.SliceStable(want, func(i, j int) bool { return want[i].Start.Before(want[j].Start) })
	for k, i := range startOrder(oneBlock(rows)) {
		if rows[i].Session != want[k].Session {
			t.Fatalf("position %d: row %d, want row %d", k, rows[i].Session, want[k].Session)
		}
	}
}

// BenchmarkStartOrder orders a 1M-row segment in completion order by start
// (sorting the rows themselves took ~0.8 s here; indices ~0.27 s).
func BenchmarkStartOrder(b *testing.B) {
	rows := nearlySorted(1_000_000)
	b.ResetTimer()
	for range b.N {
		startOrder(oneBlock(rows))
	}
}

// TestNearlyUniqueColumnsArePlain: a segment's time and latency columns have
// no dictionary page (plainTraceColumns); its repetitive ones keep theirs.
func TestNearlyUniqueColumnsArePlain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "part-00000.parquet")
	rows := sampleTraces(500)
	if err := writeTraceFile(path, "r", oneBlock(rows)); err != nil {
		t.Fatal(err)
	}
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	rg := rdr.MetaData().RowGroup(0)
	dict := map[string]bool{}
	for i := range rg.NumColumns() {
		cc, err := rg.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		dict[cc.PathInSchema().String()] = cc.HasDictionaryPage()
	}
	for _, c := range plainTraceColumns {
		if dict[c] {
			t.Errorf("column %s has a dictionary page, want plain", c)
		}
	}
	for _, c := range []string{"step", "run_id", "error", "level", "status"} {
		if !dict[c] {
			t.Errorf("column %s has no dictionary page, want one", c)
		}
	}
}

// TestSegmentsOfWholeBlocks: with MaxRows above the 4,096-row block, a
// segment takes whole blocks (10,000 → 8,192 rows), each ordered by start
// across its blocks, and every row is written once, intact.
func TestSegmentsOfWholeBlocks(t *testing.T) {
	dir := t.TempDir()
	w, err := NewTraceWriter(dir, TraceOptions{RunID: "run-1", FlushEvery: time.Hour, MaxRows: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	in := nearlySorted(20_000)
	for i := range in {
		in[i].Session = int64(i)
		in[i].RunID = "run-1"
	}
	if err := w.WriteBatch(in[:12_345]); err != nil {
		t.Fatal(err)
	}
	for _, tr := range in[12_345:] {
		w.Write(tr)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for i, rows := range segmentsOf(t, dir, in) {
		sizes = append(sizes, len(rows))
		for k, r := range rows {
			if k > 0 && (r.Start.Before(rows[k-1].Start) || r.Start.Equal(rows[k-1].Start) && r.Session < rows[k-1].Session) {
				t.Fatalf("segment %d: row %d (%v) after row %d (%v): not in start order, ties as written", i, r.Session, r.Start, rows[k-1].Session, rows[k-1].Start)
			}
		}
	}
	if want := []int{8192, 8192, 3616}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("segments of %v rows, want %v", sizes, want)
	}
}

// segmentsOf reads dir's segments, in order, written from in (each row's
// Session its index there), and checks that every row of in is in exactly
// one of them, intact.
func segmentsOf(t *testing.T, dir string, in []brink.Trace) [][]brink.Trace {
	t.Helper()
	files, err := TraceFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var segs [][]brink.Trace
	seen := make([]int, len(in))
	for _, f := range files {
		rows, err := ReadTraces(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			seen[r.Session]++
			if !reflect.DeepEqual(r, in[r.Session]) {
				t.Fatalf("%s: row %d:\n got %+v\nwant %+v", filepath.Base(f), r.Session, r, in[r.Session])
			}
		}
		segs = append(segs, rows)
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("row %d is in %d segments, want 1", i, n)
		}
	}
	return segs
}

// TestCloseTwiceAtOnce: two Closes racing neither panic nor lose the rows.
func TestCloseTwiceAtOnce(t *testing.T) {
	dir := t.TempDir()
	w, err := NewTraceWriter(dir, TraceOptions{RunID: "r", FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteBatch(sampleTraces(10))
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := w.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if w.Rows() != 10 {
		t.Errorf("Rows() = %d after two Closes, want 10", w.Rows())
	}
}
