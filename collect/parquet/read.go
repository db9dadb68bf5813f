package parquet

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"brink"
)

// ErrTorn marks a file that is not a whole Parquet file (a crash mid-write, or
// not Parquet at all).
var ErrTorn = errors.New("not a whole parquet file")

// ReadTraces reads every row of a trace segment. It checks the file's schema
// version and column names, so a foreign or newer file is refused by name.
func ReadTraces(ctx context.Context, path string) ([]brink.Trace, error) {
	tbl, err := readFile(ctx, path, "traces", "", TraceSchema.Fields())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	out := make([]brink.Trace, 0, tbl.NumRows())
	tr := array.NewTableReader(tbl, 64<<10)
	defer tr.Release()
	for tr.Next() {
		out = appendRows(out, tr.RecordBatch())
	}
	return out, tr.Err()
}

func appendRows(out []brink.Trace, rec arrow.RecordBatch) []brink.Trace {
	col := func(i int) arrow.Array { return rec.Column(i) }
	runID := col(0).(*array.String)
	vu := col(1).(*array.Int32)
	session := col(2).(*array.Int64)
	step := col(3).(*array.Dictionary)
	stepDict := step.Dictionary().(*array.String)
	level := col(4).(*array.Int32)
	users := col(5).(*array.Int32)
	phase := col(6).(*array.String)
	start := col(7).(*array.Timestamp)
	lat := col(8).(*array.Float64)
	ttfb := col(9).(*array.Float64)
	status := col(10).(*array.Int32)
	errc := col(11).(*array.String)
	thr := col(12).(*array.Boolean)
	sent := col(13).(*array.Int64)
	recv := col(14).(*array.Int64)
	in := col(15).(*array.Int32)
	outT := col(16).(*array.Int32)
	model := col(17).(*array.String)
	sched := col(18).(*array.Timestamp)
	for i := 0; i < int(rec.NumRows()); i++ {
		t := brink.Trace{
			RunID: runID.Value(i), VU: vu.Value(i), Session: session.Value(i),
			Step: stepDict.Value(step.GetValueIndex(i)), Level: level.Value(i), Users: users.Value(i),
			Phase: phase.Value(i), Start: time.UnixMicro(int64(start.Value(i))).UTC(),
			LatencyMS: lat.Value(i), TTFBMS: ttfb.Value(i), Status: status.Value(i),
			Error: errc.Value(i), Throttled: thr.Value(i), BytesSent: sent.Value(i), BytesReceived: recv.Value(i),
		}
		if in.IsValid(i) {
			t.HasUsage, t.InputTokens, t.OutputTokens = true, in.Value(i), outT.Value(i)
		}
		if model.IsValid(i) {
			t.Model = model.Value(i)
		}
		if sched.IsValid(i) {
			t.Scheduled = time.UnixMicro(int64(sched.Value(i))).UTC()
		}
		out = append(out, t)
	}
	return out
}

// TraceFiles lists the closed segments of a traces directory, in name order.
func TraceFiles(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil {
		return nil, err
	}
	return m, nil
}
