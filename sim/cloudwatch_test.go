package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"brink/internal/awshttp"
)

// protocols are the three ways a CloudWatch client can talk to the sim,
// all through aws-sdk-go-v2's own client: its default Smithy RPC v2 CBOR,
// and its awsJson1_0 and awsQuery protocol implementations swapped in.
var protocols = []struct {
	name string
	set  func(*cloudwatch.Options)
}{
	{"rpcv2cbor", func(*cloudwatch.Options) {}},
	{"awsjson1_0", func(o *cloudwatch.Options) { o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801) }},
	{"awsquery", func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) }},
}

// cwSim is a sim that has served some traffic, a CloudWatch client per
// protocol pointed at it, and what the traffic's client saw.
type cwSim struct {
	s       *Sim
	srv     *httptest.Server
	latency []float64 // the service time of every request, ms: API Gateway's Latency samples
}

func newCWSim(t *testing.T, cfg Config) *cwSim {
	t.Helper()
	s, err := New(cfg, testScale)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &cwSim{s: s, srv: srv}
}

// traffic runs exercise and keeps each answer's service time.
func (c *cwSim) traffic(t *testing.T) {
	t.Helper()
	cl := &client{t: t, base: c.srv.URL, http: c.srv.Client()}
	rec := &recordingTransport{next: http.DefaultTransport}
	cl.http = &http.Client{Transport: rec, Timeout: 10 * time.Second}
	exercise(t, cl)
	c.latency = rec.serviceMS
}

type recordingTransport struct {
	next      http.RoundTripper
	serviceMS []float64
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		var ms float64
		fmt.Sscan(resp.Header.Get("X-Brink-Service-Time-Ms"), &ms)
		r.serviceMS = append(r.serviceMS, ms)
	}
	return resp, err
}

func (c *cwSim) client(set func(*cloudwatch.Options)) *cloudwatch.Client {
	return cloudwatch.New(cloudwatch.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(c.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDBRINK", "secret", ""),
		// As collect's clients: awshttp works around smithy-go's request
		// body race (TestThousandCallsPerProtocol).
		HTTPClient:       awshttp.Wrap(c.srv.Client()),
		RetryMaxAttempts: 1,
	}, set)
}

// window covers everything the sim recorded so far.
func (c *cwSim) window() (time.Time, time.Time) {
	return c.s.clock.Epoch.Add(-time.Minute), c.s.clock.Now().Add(time.Hour)
}

func apiDims(cfg Config) []types.Dimension {
	return []types.Dimension{{Name: aws.String("ApiName"), Value: aws.String(cfg.APIGateway.APIName)},
		{Name: aws.String("Stage"), Value: aws.String(cfg.APIGateway.Stage)}}
}

func query(id, ns, name, stat string, period int32, dims ...types.Dimension) types.MetricDataQuery {
	return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{
		Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims},
		Period: aws.Int32(period), Stat: aws.String(stat)}}
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// TestGetMetricDataCountsWhatTheModelCounted asks, over each protocol, for
// the sums of the counters and checks them against the sim's tallies.
func TestGetMetricDataCountsWhatTheModelCounted(t *testing.T) {
	c := newCWSim(t, fastModel())
	c.traffic(t)
	k := c.s.Counters()
	cfg := c.s.cfg
	fn := types.Dimension{Name: aws.String("FunctionName"), Value: aws.String(cfg.Lambda.FunctionName)}
	model := types.Dimension{Name: aws.String("ModelId"), Value: aws.String(cfg.Bedrock.ModelID)}
	msgs := types.Dimension{Name: aws.String("TableName"), Value: aws.String("chat-messages")}
	want := map[string]float64{
		"count": float64(k.Requests.Load()), "e4xx": 1, "e5xx": 0,
		"inv": float64(k.Requests.Load()), "thr": 0,
		"brinv": float64(k.Turns.Load()), "intok": float64(k.InputTokens.Load()), "outtok": float64(k.OutputTokens.Load()),
		"wcu": 9 * 3,
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			from, to := c.window()
			out, err := c.client(p.set).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: types.ScanByTimestampAscending,
				MetricDataQueries: []types.MetricDataQuery{
					query("count", NSAPIGateway, "Count", "Sum", 60, apiDims(cfg)...),
					query("e4xx", NSAPIGateway, "4XXError", "Sum", 60, apiDims(cfg)...),
					query("e5xx", NSAPIGateway, "5XXError", "Sum", 60, apiDims(cfg)...),
					query("inv", NSLambda, "Invocations", "Sum", 60, fn),
					query("thr", NSLambda, "Throttles", "Sum", 60, fn),
					query("brinv", NSBedrock, "Invocations", "Sum", 60, model),
					query("intok", NSBedrock, "InputTokenCount", "Sum", 60, model),
					query("outtok", NSBedrock, "OutputTokenCount", "Sum", 60, model),
					query("wcu", NSDynamoDB, "ConsumedWriteCapacityUnits", "Sum", 1, msgs),
				}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.MetricDataResults) != len(want) {
				t.Fatalf("%d results, want %d", len(out.MetricDataResults), len(want))
			}
			for _, r := range out.MetricDataResults {
				id := aws.ToString(r.Id)
				if got := sum(r.Values); got != want[id] {
					t.Errorf("%s: sum of %d datapoints = %v, want %v", id, len(r.Values), got, want[id])
				}
				if r.StatusCode != types.StatusCodeComplete || len(r.Timestamps) != len(r.Values) || len(r.Values) == 0 {
					t.Errorf("%s: status %s, %d timestamps, %d values", id, r.StatusCode, len(r.Timestamps), len(r.Values))
				}
				if !slices.IsSortedFunc(r.Timestamps, func(a, b time.Time) int { return a.Compare(b) }) {
					t.Errorf("%s: timestamps not ascending", id)
				}
			}
		})
	}
}

// TestGetMetricDataEveryStatistic checks each statistic of API Gateway's
// Latency against the service times the traffic's client was told.
func TestGetMetricDataEveryStatistic(t *testing.T) {
	c := newCWSim(t, fastModel())
	c.traffic(t)
	lat := slices.Clone(c.latency)
	slices.Sort(lat)
	n := float64(len(lat))
	rank := func(p float64) float64 { return lat[int(math.Ceil(p/100*n))-1] }
	want := map[string]float64{
		"Sum": sum(lat), "SampleCount": n, "Average": sum(lat) / n, "Minimum": lat[0], "Maximum": lat[len(lat)-1],
		"p50": rank(50), "p90": rank(90), "p99": rank(99), "p99.9": rank(99.9), "p100": lat[len(lat)-1],
	}
	// One datapoint over the whole run: a period of a year, aligned to it.
	const year = 365 * 24 * 3600
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			var qs []types.MetricDataQuery
			var ids []string
			for stat := range want {
				id := "q" + strings.NewReplacer(".", "_").Replace(strings.ToLower(stat))
				ids = append(ids, stat)
				qs = append(qs, query(id, NSAPIGateway, "Latency", stat, year, apiDims(c.s.cfg)...))
				qs[len(qs)-1].Label = aws.String(stat)
			}
			from, to := c.window()
			out, err := c.client(p.set).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(from), EndTime: aws.Time(to), MetricDataQueries: qs})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.MetricDataResults {
				stat := aws.ToString(r.Label)
				if len(r.Values) != 1 {
					t.Errorf("%s: %d datapoints, want 1", stat, len(r.Values))
					continue
				}
				// The header rounds to a microsecond; percentiles come from
				// the store's sketch, within its relative accuracy.
				tol := 1e-3 * max(1, n)
				if strings.HasPrefix(stat, "p") && stat != "p100" {
					tol = sketchAlpha*want[stat] + 1e-3
				}
				if got := r.Values[0]; math.Abs(got-want[stat]) > tol {
					t.Errorf("%s = %v, want %v", stat, got, want[stat])
				}
			}
		})
	}
}

// TestGetMetricDataZerosAndGauges: a counter that never moved reads 0 in
// every second; a gauge keeps its value.
func TestGetMetricDataZerosAndGauges(t *testing.T) {
	c := newCWSim(t, fastModel())
	c.traffic(t)
	model := types.Dimension{Name: aws.String("ModelId"), Value: aws.String(c.s.cfg.Bedrock.ModelID)}
	tbl := types.Dimension{Name: aws.String("TableName"), Value: aws.String("chat-messages")}
	from := c.s.clock.Epoch.Truncate(time.Second)
	to := from.Add(20 * time.Second)
	for c.s.clock.Now().Before(to) {
		time.Sleep(5 * time.Millisecond)
	}
	out, err := c.client(protocols[0].set).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(from), EndTime: aws.Time(to),
		MetricDataQueries: []types.MetricDataQuery{
			query("errs", NSBedrock, "InvocationServerErrors", "Sum", 1, model),
			query("prov", NSDynamoDB, "ProvisionedWriteCapacityUnits", "Average", 1, tbl),
		}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.MetricDataResults {
		wantV := 0.0
		if aws.ToString(r.Id) == "prov" {
			wantV = 30
		}
		if len(r.Values) != 20 {
			t.Errorf("%s: %d datapoints in 20 seconds, want 20", aws.ToString(r.Id), len(r.Values))
		}
		for i, v := range r.Values {
			if v != wantV {
				t.Errorf("%s: datapoint %d (%s) = %v, want %v", aws.ToString(r.Id), i, r.Timestamps[i], v, wantV)
				break
			}
		}
	}
}

// TestGetMetricDataPagination pages 1-second datapoints past MaxDatapoints
// and checks the pages join up to the single-call answer.
func TestGetMetricDataPagination(t *testing.T) {
	c := newCWSim(t, fastModel())
	c.traffic(t)
	fn := types.Dimension{Name: aws.String("FunctionName"), Value: aws.String(c.s.cfg.Lambda.FunctionName)}
	from := c.s.clock.Epoch.Truncate(time.Second)
	to := c.s.clock.Now()
	qs := []types.MetricDataQuery{
		query("inv", NSLambda, "Invocations", "Sum", 1, fn),
		query("conc", NSLambda, "ConcurrentExecutions", "Maximum", 1, fn),
	}
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			cl := c.client(p.set)
			whole, err := cl.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(from), EndTime: aws.Time(to), MetricDataQueries: qs})
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, r := range whole.MetricDataResults {
				total += len(r.Values)
			}
			if total < 50 || whole.NextToken != nil {
				t.Fatalf("single call: %d datapoints, next token %v", total, whole.NextToken)
			}
			pg := cloudwatch.NewGetMetricDataPaginator(cl, &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(from), EndTime: aws.Time(to), MetricDataQueries: qs, MaxDatapoints: aws.Int32(17)})
			got := map[string][]float64{}
			pages, partial := 0, 0
			for pg.HasMorePages() && pages < 1000 {
				out, err := pg.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				n := 0
				for _, r := range out.MetricDataResults {
					got[aws.ToString(r.Id)] = append(got[aws.ToString(r.Id)], r.Values...)
					n += len(r.Values)
					if r.StatusCode == types.StatusCodePartialData {
						partial++
					}
				}
				if n > 17 {
					t.Fatalf("page %d has %d datapoints, MaxDatapoints 17", pages, n)
				}
			}
			if want := (total + 16) / 17; pages != want {
				t.Errorf("%d pages, want %d", pages, want)
			}
			if partial == 0 {
				t.Errorf("no PartialData status on a cut page")
			}
			for _, r := range whole.MetricDataResults {
				if !slices.Equal(got[aws.ToString(r.Id)], r.Values) {
					t.Errorf("%s: paged values differ from the single call", aws.ToString(r.Id))
				}
			}
		})
	}
}

func TestGetMetricDataErrors(t *testing.T) {
	c := newCWSim(t, fastModel())
	from, to := c.window()
	good := query("m", NSLambda, "Invocations", "Sum", 60)
	in := func(qs ...types.MetricDataQuery) *cloudwatch.GetMetricDataInput {
		return &cloudwatch.GetMetricDataInput{StartTime: aws.Time(from), EndTime: aws.Time(to), MetricDataQueries: qs}
	}
	many := make([]types.MetricDataQuery, 501)
	for i := range many {
		many[i] = query(fmt.Sprintf("m%d", i), NSLambda, "Invocations", "Sum", 60)
	}
	tooMany := in(good)
	tooMany.MaxDatapoints = aws.Int32(100_801)
	badToken := in(good)
	badToken.NextToken = aws.String("not-a-token")
	reversed := in(good)
	reversed.StartTime, reversed.EndTime = reversed.EndTime, reversed.StartTime
	cases := []struct {
		name  string
		in    *cloudwatch.GetMetricDataInput
		typed func(error) bool
		code  string // the smithy APIError code, for errors without a type
		text  string
	}{
		{"metric math", in(types.MetricDataQuery{Id: aws.String("e"), Expression: aws.String("SUM(METRICS())")}), isType[*types.ValidationException], "", "not supported"},
		{"extended statistic", in(query("m", NSLambda, "Invocations", "tm99", 60)), isType[*types.InvalidParameterValueException], "", "tm99"},
		{"period", in(query("m", NSLambda, "Invocations", "Sum", 7)), isType[*types.InvalidParameterValueException], "", "multiple of 60"},
		{"bad id", in(query("M1", NSLambda, "Invocations", "Sum", 60)), isType[*types.InvalidParameterValueException], "", "lowercase"},
		{"501 queries", in(many...), isType[*types.InvalidParameterValueException], "", "500"},
		{"max datapoints", tooMany, isType[*types.InvalidParameterValueException], "", "100800"},
		{"next token", badToken, isType[*types.InvalidNextToken], "", "NextToken"},
		{"time range", reversed, isType[*types.InvalidParameterValueException], "", "StartTime"},
	}
	for _, p := range protocols {
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				_, err := c.client(p.set).GetMetricData(context.Background(), tc.in)
				var ae smithy.APIError
				if !errors.As(err, &ae) {
					t.Fatalf("error %v is not an API error", err)
				}
				if tc.typed != nil && !tc.typed(err) {
					t.Errorf("error %T (%v): not the typed error", err, err)
				}
				if tc.code != "" && ae.ErrorCode() != tc.code {
					t.Errorf("code %q, want %q", ae.ErrorCode(), tc.code)
				}
				if !strings.Contains(ae.ErrorMessage(), tc.text) {
					t.Errorf("message %q does not say %q", ae.ErrorMessage(), tc.text)
				}
			})
		}
	}
}

func isType[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func TestUnsignedRequestRefused(t *testing.T) {
	c := newCWSim(t, fastModel())
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			cl := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(c.srv.URL),
				Credentials: aws.AnonymousCredentials{}, HTTPClient: c.srv.Client(), RetryMaxAttempts: 1}, p.set)
			_, err := cl.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
			var ae smithy.APIError
			if !errors.As(err, &ae) || !strings.HasPrefix(ae.ErrorCode(), "MissingAuthenticationToken") {
				t.Fatalf("unsigned request: %v, want MissingAuthenticationToken", err)
			}
			var re interface{ HTTPStatusCode() int }
			if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusForbidden {
				t.Errorf("status %d, want 403", re.HTTPStatusCode())
			}
		})
	}
}

func TestListMetrics(t *testing.T) {
	cfg := fastModel()
	c := newCWSim(t, cfg)
	all := c.s.metrics.list()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			cl := c.client(p.set)
			out, err := cl.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Metrics) != len(all) || len(all) != 5+5+6+4*8+8+2 { // API Gateway, Lambda's function and account, 4 tables, Bedrock, Brink/Sim
				t.Fatalf("%d metrics listed, %d declared", len(out.Metrics), len(all))
			}
			out, err = cl.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{
				Namespace:  aws.String(NSDynamoDB),
				Dimensions: []types.DimensionFilter{{Name: aws.String("TableName"), Value: aws.String("chat-messages")}}})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range out.Metrics {
				names = append(names, aws.ToString(m.MetricName))
			}
			slices.Sort(names)
			want := []string{"ConsumedWriteCapacityUnits", "ProvisionedWriteCapacityUnits", "SuccessfulRequestLatency", "ThrottledRequests",
				"WriteAccountLimitThrottleEvents", "WriteKeyRangeThroughputThrottleEvents", "WriteMaxOnDemandThroughputThrottleEvents", "WriteThrottleEvents"}
			if !slices.Equal(names, want) {
				t.Errorf("chat-messages metrics %v, want %v", names, want)
			}
		})
	}
}

func TestListMetricsPagination(t *testing.T) {
	cfg := fastModel()
	cfg.DynamoDB.Tables = nil
	for i := range 110 { // 8 series a table: past one page of 500
		cfg.DynamoDB.Tables = append(cfg.DynamoDB.Tables, TableConf{Name: fmt.Sprintf("t%03d", i), ItemKB: 1, WriteCapacity: 10})
	}
	cfg.DynamoDB.BeforeModel = 0
	c := newCWSim(t, cfg)
	want := len(c.s.metrics.list())
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			pg := cloudwatch.NewListMetricsPaginator(c.client(p.set), &cloudwatch.ListMetricsInput{})
			seen := map[string]bool{}
			pages := 0
			for pg.HasMorePages() && pages < 10 {
				out, err := pg.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, m := range out.Metrics {
					var dims []string
					for _, d := range m.Dimensions {
						dims = append(dims, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
					}
					seen[aws.ToString(m.Namespace)+"/"+aws.ToString(m.MetricName)+"/"+strings.Join(dims, ",")] = true
				}
			}
			if pages != 2 || len(seen) != want || want != 906 { // 110 tables, the rest, Brink/Sim
				t.Errorf("%d pages, %d distinct metrics; want 2 pages of %d", pages, len(seen), want)
			}
		})
	}
}

// TestStandardResolution checks the default: AWS/* series are kept as AWS
// publishes them, so a 1-second period is answered with one datapoint per
// minute (5 minutes for provisioned capacity), and the minutes still sum to
// what happened.
func TestStandardResolution(t *testing.T) {
	cfg := fastModel()
	cfg.CloudWatch.HighResolution = false
	c := newCWSim(t, cfg)
	c.traffic(t)
	fn := types.Dimension{Name: aws.String("FunctionName"), Value: aws.String(cfg.Lambda.FunctionName)}
	tbl := types.Dimension{Name: aws.String("TableName"), Value: aws.String("chat-messages")}
	from := c.s.clock.Epoch.Truncate(time.Hour)
	to := c.s.clock.Epoch.Add(11 * time.Minute).Truncate(time.Minute)
	for c.s.clock.Now().Before(to) {
		time.Sleep(5 * time.Millisecond)
	}
	out, err := c.client(protocols[0].set).GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: types.ScanByTimestampAscending,
		MetricDataQueries: []types.MetricDataQuery{
			query("inv", NSLambda, "Invocations", "Sum", 1, fn),
			query("prov", NSDynamoDB, "ProvisionedWriteCapacityUnits", "Average", 60, tbl),
		}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"inv": 60, "prov": 300}
	for _, r := range out.MetricDataResults {
		id := aws.ToString(r.Id)
		if len(r.Timestamps) < 2 {
			t.Fatalf("%s: %d datapoints", id, len(r.Timestamps))
		}
		for i, ts := range r.Timestamps {
			if ts.Unix()%want[id] != 0 || i > 0 && ts.Sub(r.Timestamps[i-1]) != time.Duration(want[id])*time.Second {
				t.Fatalf("%s: datapoint at %s, want one per %d s", id, ts, want[id])
			}
		}
	}
	var sum float64
	for _, v := range out.MetricDataResults[0].Values {
		sum += v
	}
	k := c.s.Counters()
	if want := float64(k.Requests.Load() - k.LambdaThrottles.Load() - k.APIThrottles.Load()); sum != want || sum == 0 {
		t.Errorf("Invocations by the minute sum to %v, the sim ran %v", sum, want)
	}
}
