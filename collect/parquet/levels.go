package parquet

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"brink"
)

// Metadata keys of levels_imported.parquet besides the common ones.
const (
	MetaTotalRequests = "brink.total_requests" // requests of the whole run, every step
	MetaWarnings      = "brink.warnings"       // JSON array of what the source cannot give
)

// ImportedLevel is one row of levels_imported.parquet: the columns of
// analysis/levels.parquet, where the source's numbers fill them, plus notes
// on how each was derived.
type ImportedLevel struct {
	Stats brink.LevelStats
	// RatesUnknown writes throttle_rate, timeout_rate and all_throttle_rate
	// as null: the source does not say which failures were throttling or
	// timeouts within a level.
	RatesUnknown bool
	Notes        string
}

var tsNaive = &arrow.TimestampType{Unit: arrow.Microsecond} // as DuckDB writes analysis/levels.parquet

// ImportedLevelsSchema is levels.parquet's schema plus notes; the rates a
// source may not know are nullable.
var ImportedLevelsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "level", Type: arrow.PrimitiveTypes.Int32},
	{Name: "users", Type: arrow.PrimitiveTypes.Int32},
	{Name: "window_start", Type: tsNaive},
	{Name: "window_end", Type: tsNaive},
	{Name: "window_s", Type: arrow.PrimitiveTypes.Float64},
	{Name: "requests", Type: arrow.PrimitiveTypes.Int64},
	{Name: "answered", Type: arrow.PrimitiveTypes.Int64},
	{Name: "rps", Type: arrow.PrimitiveTypes.Float64},
	{Name: "answered_rps", Type: arrow.PrimitiveTypes.Float64},
	{Name: "p50_ms", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p95_ms", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "p99_ms", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "error_rate", Type: arrow.PrimitiveTypes.Float64},
	{Name: "throttle_rate", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "timeout_rate", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "input_tokens_per_min", Type: arrow.PrimitiveTypes.Float64},
	{Name: "output_tokens_per_min", Type: arrow.PrimitiveTypes.Float64},
	{Name: "all_requests", Type: arrow.PrimitiveTypes.Int64},
	{Name: "all_error_rate", Type: arrow.PrimitiveTypes.Float64},
	{Name: "all_throttle_rate", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "notes", Type: arrow.BinaryTypes.String},
}, nil)

// WriteImportedLevels writes rows to path, the run's
// analysis/levels_imported.parquet (zstd, via a temporary name and a
// rename), with the run's total request count and the source's warnings in
// the file metadata.
func WriteImportedLevels(path, runID string, rows []ImportedLevel, totalRequests int64, warnings []string) (err error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, ImportedLevelsSchema)
	defer b.Release()
	f64 := func(i int) *array.Float64Builder { return b.Field(i).(*array.Float64Builder) }
	opt := func(i int, v *float64, null bool) {
		if v == nil || null {
			f64(i).AppendNull()
		} else {
			f64(i).Append(*v)
		}
	}
	for _, r := range rows {
		s := r.Stats
		b.Field(0).(*array.Int32Builder).Append(int32(s.Level))
		b.Field(1).(*array.Int32Builder).Append(int32(s.Users))
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(s.WindowStart.UnixMicro()))
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(s.WindowEnd.UnixMicro()))
		f64(4).Append(s.WindowS)
		b.Field(5).(*array.Int64Builder).Append(s.Requests)
		b.Field(6).(*array.Int64Builder).Append(s.Answered)
		f64(7).Append(s.RPS)
		f64(8).Append(s.AnsweredRPS)
		opt(9, s.P50MS, false)
		opt(10, s.P95MS, false)
		opt(11, s.P99MS, false)
		f64(12).Append(s.ErrorRate)
		opt(13, &s.ThrottleRate, r.RatesUnknown)
		opt(14, &s.TimeoutRate, r.RatesUnknown)
		f64(15).Append(s.InputTPM)
		f64(16).Append(s.OutputTPM)
		b.Field(17).(*array.Int64Builder).Append(s.AllRequests)
		f64(18).Append(s.AllErrorRate)
		opt(19, &s.AllThrottle, r.RatesUnknown)
		b.Field(20).(*array.StringBuilder).Append(r.Notes)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()

	w, err := json.Marshal(warnings)
	if err != nil {
		return fmt.Errorf("write imported levels: %w", err)
	}
	md := fileMetadata("levels_imported", runID)
	md[MetaTotalRequests] = strconv.FormatInt(totalRequests, 10)
	md[MetaWarnings] = string(w)
	return writeFile(path, "imported levels", ImportedLevelsSchema.Fields(), md, rec)
}
