package parquet

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"brink"
)

// Parquet key-value metadata written into every file.
const (
	MetaSchemaVersion = "brink.schema_version"
	MetaKind          = "brink.kind" // "traces" or "metrics"
	MetaRunID         = "brink.run_id"
)

var tsUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// TraceSchema is the Arrow schema of traces/part-NNNNN.parquet.
var TraceSchema = arrow.NewSchema([]arrow.Field{
	{Name: "run_id", Type: arrow.BinaryTypes.String},
	{Name: "vu", Type: arrow.PrimitiveTypes.Int32},
	{Name: "session", Type: arrow.PrimitiveTypes.Int64},
	{Name: "step", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}},
	{Name: "level", Type: arrow.PrimitiveTypes.Int32},
	{Name: "users", Type: arrow.PrimitiveTypes.Int32},
	{Name: "phase", Type: arrow.BinaryTypes.String},
	{Name: "start", Type: tsUTC},
	{Name: "latency_ms", Type: arrow.PrimitiveTypes.Float64},
	{Name: "ttfb_ms", Type: arrow.PrimitiveTypes.Float64},
	{Name: "status", Type: arrow.PrimitiveTypes.Int32},
	{Name: "error", Type: arrow.BinaryTypes.String},
	{Name: "throttled", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "bytes_sent", Type: arrow.PrimitiveTypes.Int64},
	{Name: "bytes_received", Type: arrow.PrimitiveTypes.Int64},
	{Name: "input_tokens", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "output_tokens", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "model", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "scheduled", Type: tsUTC, Nullable: true},
}, nil)

func fileMetadata(kind, runID string) map[string]string {
	return map[string]string{
		MetaSchemaVersion: strconv.Itoa(brink.SchemaVersion),
		MetaKind:          kind,
		MetaRunID:         runID,
	}
}
