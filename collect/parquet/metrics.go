package parquet

import (
	"context"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"brink"
)

// MetricSchema is the Arrow schema of metrics/*.parquet: one row per
// datapoint of a platform metric (CloudWatch, Logs Insights).
var MetricSchema = arrow.NewSchema([]arrow.Field{
	{Name: "run_id", Type: arrow.BinaryTypes.String},
	{Name: "source", Type: arrow.BinaryTypes.String},
	{Name: "namespace", Type: arrow.BinaryTypes.String},
	{Name: "metric", Type: arrow.BinaryTypes.String},
	{Name: "dimensions", Type: arrow.BinaryTypes.String},
	{Name: "stat", Type: arrow.BinaryTypes.String},
	{Name: "period_s", Type: arrow.PrimitiveTypes.Int32},
	{Name: "ts", Type: tsUTC},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64},
	{Name: "unit", Type: arrow.BinaryTypes.String},
}, nil)

// WriteMetrics writes rows to path (metrics/<name>.parquet) through a
// temporary name, fsync and rename, sorted by series and time. An empty rows
// still writes a file with the schema, so readers find it.
func WriteMetrics(path, runID string, rows []brink.Metric) error {
	rows = append([]brink.Metric(nil), rows...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Metric != b.Metric {
			return a.Metric < b.Metric
		}
		if a.Dimensions != b.Dimensions {
			return a.Dimensions < b.Dimensions
		}
		if a.Stat != b.Stat {
			return a.Stat < b.Stat
		}
		return a.TS.Before(b.TS)
	})
	rec := buildMetricRecord(memory.DefaultAllocator, rows)
	defer rec.Release()

	return writeFile(path, "metrics", MetricSchema.Fields(), fileMetadata("metrics", runID), rec)
}

func buildMetricRecord(mem memory.Allocator, rows []brink.Metric) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, MetricSchema)
	defer b.Release()
	b.Reserve(len(rows))
	runID := b.Field(0).(*array.StringBuilder)
	source := b.Field(1).(*array.StringBuilder)
	ns := b.Field(2).(*array.StringBuilder)
	metric := b.Field(3).(*array.StringBuilder)
	dims := b.Field(4).(*array.StringBuilder)
	stat := b.Field(5).(*array.StringBuilder)
	period := b.Field(6).(*array.Int32Builder)
	ts := b.Field(7).(*array.TimestampBuilder)
	value := b.Field(8).(*array.Float64Builder)
	unit := b.Field(9).(*array.StringBuilder)
	for i := range rows {
		r := &rows[i]
		runID.Append(r.RunID)
		source.Append(r.Source)
		ns.Append(r.Namespace)
		metric.Append(r.Metric)
		dims.Append(r.Dimensions)
		stat.Append(r.Stat)
		period.Append(r.PeriodS)
		ts.Append(arrow.Timestamp(r.TS.UnixMicro()))
		value.Append(r.Value)
		unit.Append(r.Unit)
	}
	return b.NewRecordBatch()
}

// ReadMetrics reads every row of a metrics file, checking its schema
// version, kind and column names.
func ReadMetrics(ctx context.Context, path string) ([]brink.Metric, error) {
	tbl, err := readFile(ctx, path, "metrics", "metrics", MetricSchema.Fields())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	out := make([]brink.Metric, 0, tbl.NumRows())
	tr := array.NewTableReader(tbl, 64<<10)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		str := func(i int) *array.String { return rec.Column(i).(*array.String) }
		period := rec.Column(6).(*array.Int32)
		ts := rec.Column(7).(*array.Timestamp)
		value := rec.Column(8).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, brink.Metric{
				RunID: str(0).Value(i), Source: str(1).Value(i), Namespace: str(2).Value(i), Metric: str(3).Value(i),
				Dimensions: str(4).Value(i), Stat: str(5).Value(i), PeriodS: period.Value(i),
				TS: time.UnixMicro(int64(ts.Value(i))).UTC(), Value: value.Value(i), Unit: str(9).Value(i),
			})
		}
	}
	return out, tr.Err()
}
