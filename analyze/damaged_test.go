package analyze

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"

	"brink"
	"brink/collect/parquet"
)

// TestDamagedSegmentsSkipped damages two segments of a real run — a byte
// flipped inside a data page, the other cut short — and checks the analysis
// skips exactly those two, naming each, and counts the rows of the rest
// (read back independently with the Go Parquet reader).
func TestDamagedSegmentsSkipped(t *testing.T) {
	dir, _ := fixtureRun(t)
	ctx := context.Background()
	files, err := openRun(t, dir).TraceFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("%d segments; the test needs 3", len(files))
	}
	flipped, cut, intact := files[0], files[1], files[2:]

	// The last byte of the latency column's chunk: inside its last page's
	// data, past every header (found with arrow-go's own footer reader).
	r, err := file.OpenParquetFile(flipped, false)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := r.MetaData().RowGroup(0).ColumnChunk(r.MetaData().Schema.ColumnIndexByName("latency_ms"))
	if err != nil {
		t.Fatal(err)
	}
	at := cc.DataPageOffset() + cc.TotalCompressedSize() - 1
	r.Close()
	data, _ := os.ReadFile(flipped)
	data[at] ^= 0x24
	os.WriteFile(flipped, data, 0o644)
	data, _ = os.ReadFile(cut)
	os.WriteFile(cut, data[:len(data)*2/3], 0o644)

	var want []brink.Trace
	for _, f := range intact {
		rows, err := parquet.ReadTraces(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, rows...)
	}
	res, err := Run(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if s.TotalRequests != int64(len(want)) {
		t.Errorf("analysed %d requests, want the intact segments' %d", s.TotalRequests, len(want))
	}
	// Each level's requests over its hold (all steps), counted here.
	holds := map[int]int64{}
	for _, tr := range want {
		for _, lw := range manifestOf(t, dir).Levels {
			if int(tr.Level) == lw.Index && !tr.Start.Before(lw.SteadyStart) && tr.Start.Before(lw.End) {
				holds[lw.Index]++
			}
		}
	}
	for _, l := range s.Levels {
		if l.AllRequests != holds[l.Level] {
			t.Errorf("level %d: %d requests in the hold, want %d", l.Level, l.AllRequests, holds[l.Level])
		}
	}
	var named []string
	for _, w := range s.Warnings {
		if strings.HasPrefix(w, "skipped ") {
			named = append(named, w)
		}
	}
	if len(named) != 2 || !strings.Contains(named[0], flipped) || !strings.Contains(named[0], "checksum") ||
		!strings.Contains(named[1], cut) {
		t.Errorf("warnings = %q, want the flipped segment (checksum) and the cut one named", named)
	}
}
