package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestGetMetricStatistics reads API Gateway's Latency and Count per minute
// with GetMetricStatistics over each protocol and checks every statistic
// against GetMetricData's answer for the same periods.
func TestGetMetricStatistics(t *testing.T) {
	c := newCWSim(t, fastModel())
	c.traffic(t)
	from, to := c.window()
	dims := apiDims(c.s.cfg)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			cl := c.client(p.set)
			gmd, err := cl.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: types.ScanByTimestampAscending,
				MetricDataQueries: []types.MetricDataQuery{
					query("n", NSAPIGateway, "Latency", "SampleCount", 60, dims...),
					query("avg", NSAPIGateway, "Latency", "Average", 60, dims...),
					query("mx", NSAPIGateway, "Latency", "Maximum", 60, dims...),
					query("p", NSAPIGateway, "Latency", "p95", 60, dims...),
				}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]float64{}
			for _, r := range gmd.MetricDataResults {
				want[aws.ToString(r.Id)] = r.Values
			}
			out, err := cl.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String(NSAPIGateway), MetricName: aws.String("Latency"), Dimensions: dims,
				StartTime: aws.Time(from), EndTime: aws.Time(to), Period: aws.Int32(60),
				Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticAverage, types.StatisticMaximum}})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Label) != "Latency" || len(out.Datapoints) != len(want["n"]) || len(out.Datapoints) == 0 {
				t.Fatalf("label %q, %d datapoints; want Latency, %d", aws.ToString(out.Label), len(out.Datapoints), len(want["n"]))
			}
			for i, d := range out.Datapoints {
				if *d.SampleCount != want["n"][i] || *d.Average != want["avg"][i] || *d.Maximum != want["mx"][i] || d.Sum != nil || d.Unit != types.StandardUnitMilliseconds {
					t.Errorf("datapoint %d: %v %v %v (sum %v, unit %s); want %v %v %v", i, *d.SampleCount, *d.Average, *d.Maximum, d.Sum, d.Unit,
						want["n"][i], want["avg"][i], want["mx"][i])
				}
			}
			ext, err := cl.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String(NSAPIGateway), MetricName: aws.String("Latency"), Dimensions: dims,
				StartTime: aws.Time(from), EndTime: aws.Time(to), Period: aws.Int32(60), ExtendedStatistics: []string{"p95"}})
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range ext.Datapoints {
				if d.ExtendedStatistics["p95"] != want["p"][i] {
					t.Errorf("datapoint %d: p95 %v, want %v", i, d.ExtendedStatistics["p95"], want["p"][i])
				}
			}
			_, err = cl.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String(NSAPIGateway), MetricName: aws.String("Latency"), Dimensions: dims,
				StartTime: aws.Time(from), EndTime: aws.Time(from.Add(48 * 3600 * 1e9)), Period: aws.Int32(60),
				Statistics: []types.Statistic{types.StatisticSum}})
			var ic *types.InvalidParameterCombinationException
			if !errors.As(err, &ic) || !strings.Contains(ic.ErrorMessage(), "1440") {
				t.Errorf("2,880 datapoints: %v, want InvalidParameterCombination naming the 1,440 limit", err)
			}
		})
	}
}

// TestDynamicLabels: labels as CloudWatch forms them, over each protocol.
func TestDynamicLabels(t *testing.T) {
	c := newCWSim(t, fastModel())
	c.traffic(t)
	from, to := c.window()
	fn := types.Dimension{Name: aws.String("FunctionName"), Value: aws.String(c.s.cfg.Lambda.FunctionName)}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			q := query("inv", NSLambda, "Invocations", "Sum", 60, fn)
			q.Label = aws.String("${PROP('Dim.FunctionName')} ${PROP('MetricName')} ${PROP('Stat')}/${PROP('Period')}s: total ${SUM}, peak ${MAX}, ${DATAPOINT_COUNT} points ${NOPE}")
			out, err := c.client(p.set).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(from), EndTime: aws.Time(to),
				MetricDataQueries: []types.MetricDataQuery{q, query("plain", NSLambda, "Duration", "Average", 60, fn)}})
			if err != nil {
				t.Fatal(err)
			}
			vals := out.MetricDataResults[0].Values
			want := fmt.Sprintf("%s Invocations Sum/60s: total %v, peak %v, %d points ${NOPE}", c.s.cfg.Lambda.FunctionName, sum(vals), maxOf(vals), len(vals))
			if got := aws.ToString(out.MetricDataResults[0].Label); got != want {
				t.Errorf("label %q, want %q", got, want)
			}
			if got := aws.ToString(out.MetricDataResults[1].Label); got != "Duration" {
				t.Errorf("default label %q, want the metric name", got)
			}
		})
	}
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
