package analyze

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
)

// Bedrock counted 1,000 input and 500 output tokens more in level 0's hold
// than the traces received (answers that never reached the user), and
// exactly what they received in level 1: the exposure is those tokens at
// Claude 3 Haiku's prices ($0.25 and $1.25 per million). The answered asks
// name their model, as the sim's do, while logins and new chats name none: the
// received side must still be one group per level and model (issue 18: the
// model-less rows formed a second group and the join added the billed tokens
// again, so level 0 read 1000+8000 input tokens instead of 1000).
func TestFailureExposure(t *testing.T) {
	dir, rows := fixtureRunWith(t, func(tr *brink.Trace) {
		if tr.HasUsage {
			tr.Model = "anthropic.claude-3-haiku-20240307-v1:0"
		}
	})
	received := map[int][2]float64{}
	m := manifestOf(t, dir)
	for _, r := range rows {
		for _, w := range m.Levels {
			if !r.Start.Before(w.SteadyStart) && r.Start.Before(w.End) && r.Error == "" && r.HasUsage {
				v := received[w.Index]
				received[w.Index] = [2]float64{v[0] + float64(r.InputTokens), v[1] + float64(r.OutputTokens)}
			}
		}
	}
	const model = "ModelId=anthropic.claude-3-haiku-20240307-v1:0"
	metric := func(name string, at time.Duration, v float64) brink.Metric {
		return brink.Metric{RunID: "fixture", Source: brink.SourceCloudWatch, Namespace: "AWS/Bedrock", Metric: name,
			Dimensions: model, Stat: "Sum", PeriodS: 1, TS: t0.Add(at), Value: v, Unit: "Count"}
	}
	ms := []brink.Metric{
		metric("InputTokenCount", 30*time.Second, received[0][0]+1000),
		metric("OutputTokenCount", 30*time.Second, received[0][1]+500),
		metric("InputTokenCount", 100*time.Second, received[1][0]),
		metric("OutputTokenCount", 100*time.Second, received[1][1]),
	}
	os.MkdirAll(filepath.Join(dir, "metrics"), 0o755)
	if err := parquet.WriteMetrics(filepath.Join(dir, "metrics", "cloudwatch.parquet"), "fixture", ms); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Summary.Cost
	if c == nil || len(c.FailureExposure) != 2 {
		t.Fatalf("cost %+v: want exposure for both levels", c)
	}
	e0, e1 := c.FailureExposure[0], c.FailureExposure[1]
	want := 1000*0.25/1e6 + 500*1.25/1e6
	if e0.Level != 0 || e0.InputTokens != 1000 || e0.OutputTokens != 500 || math.Abs(e0.USD-want) > 1e-12 {
		t.Errorf("level 0 exposure %+v, want 1000 in, 500 out, $%v", e0, want)
	}
	if e1.InputTokens != 0 || e1.OutputTokens != 0 || e1.USD != 0 {
		t.Errorf("level 1 exposure %+v, want none", e1)
	}
	if !res.Summary.MetricsCollected {
		t.Error("metrics_collected is false")
	}
}
