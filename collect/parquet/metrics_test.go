package parquet

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"brink"
)

// TestMetricsRoundTrip writes metric rows and reads them back unchanged, in
// series-then-time order, with the file's kind checked.
func TestMetricsRoundTrip(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rows := []brink.Metric{
		{RunID: "r", Source: brink.SourceCloudWatch, Namespace: "AWS/Lambda", Metric: "Throttles", Dimensions: "FunctionName=f",
			Stat: "Sum", PeriodS: 60, TS: t0.Add(time.Minute), Value: 3, Unit: "Count"},
		{RunID: "r", Source: brink.SourceCloudWatch, Namespace: "AWS/Lambda", Metric: "Throttles", Dimensions: "FunctionName=f",
			Stat: "Sum", PeriodS: 60, TS: t0, Value: 1.5, Unit: "Count"},
		{RunID: "r", Source: brink.SourceLogsInsights, Namespace: "/aws/lambda/f", Metric: "cold_starts",
			Stat: "Sum", PeriodS: 60, TS: t0, Value: 7},
	}
	path := filepath.Join(t.TempDir(), "m.parquet")
	if err := WriteMetrics(path, "r", rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetrics(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := []brink.Metric{rows[2], rows[1], rows[0]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}
	// A trace file is not a metrics file.
	if _, err := ReadMetrics(context.Background(), filepath.Join(t.TempDir(), "none.parquet")); err == nil {
		t.Error("reading a missing file: no error")
	}
	empty := filepath.Join(t.TempDir(), "e.parquet")
	if err := WriteMetrics(empty, "r", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadMetrics(context.Background(), empty); err != nil || len(got) != 0 {
		t.Errorf("empty file: %d rows, %v", len(got), err)
	}
}
