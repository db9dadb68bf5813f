package cloudwatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/fxamacker/cbor/v2"

	"brink"
	"brink/collect/parquet"
	"brink/replay"
	"brink/sim"
)

// throttlingModel is the sim's default model with limits low enough that a
// short ramp of 8 users is surely throttled by Lambda (2 at once: about 2.5
// requests are in flight on average) and by DynamoDB. The table
// throttled is written before the model is called, so a turn that fails on
// it never reaches Bedrock and the sim's token counters (of answered turns)
// equal Bedrock's token metrics (of every call).
func throttlingModel() sim.Config {
	cfg := sim.DefaultConfig()
	cfg.Seed = 11
	cfg.Lambda.ConcurrencyLimit = 2
	cfg.DynamoDB.BurstSeconds = 0
	for i := range cfg.DynamoDB.Tables {
		if cfg.DynamoDB.Tables[i].Name == "chat-conversations" {
			cfg.DynamoDB.Tables[i].WriteCapacity = 0.5
		}
	}
	return cfg
}

// simRun is a sim that served one short ramp, and the run's window.
type simRun struct {
	s     *sim.Sim
	url   string
	runID string
	start time.Time
	end   time.Time
}

type discard struct{}

func (discard) Write(brink.Trace) error { return nil }

// runAgainstSim serves cfg at time scale 0.01 behind wrap (nil: none) and
// replays a ramp of 4 then 8 users against it.
func runAgainstSim(t *testing.T, cfg sim.Config, wrap func(http.Handler) http.Handler) *simRun {
	t.Helper()
	s, err := sim.New(cfg, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	r := &simRun{s: s, runID: "cw-test"}
	var h http.Handler = s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	clock, found, err := brink.DiscoverClock(context.Background(), http.DefaultClient, srv.URL)
	if err != nil || !found {
		t.Fatalf("DiscoverClock: found=%v err=%v", found, err)
	}
	plan := brink.Plan{Model: "closed", StartUsers: 4, StepUsers: 4, MaxUsers: 8,
		Ramp: brink.Duration(5 * time.Second), Hold: brink.Duration(40 * time.Second)}
	run, err := replay.New(replay.Options{Target: srv.URL, RunID: r.runID, Plan: plan, Clock: clock, Seed: 5,
		StopRules: []brink.StopRule{}, Sink: discard{}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.start, r.end = res.Started, res.Ended
	// Let the sim's clock pass the window's end (margin included, widened
	// to whole 5-minute periods for DynamoDB's provisioned capacity), so
	// every collection sees the same datapoints however long apart they
	// run: a gauge still being published inside the window added rows
	// between two collections on a busy machine.
	time.Sleep(clock.WallDuration(6*time.Minute + 5*time.Second))
	return r
}

// clients are the real SDK clients pointed at the sim, with the SDK's own
// retries off so that Collect's are the ones tested.
func (r *simRun) clients() (*cloudwatch.Client, *cloudwatchlogs.Client) {
	creds := credentials.NewStaticCredentialsProvider("AKIDBRINK", "secret", "")
	return cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.url), Credentials: creds, RetryMaxAttempts: 1}),
		cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.url), Credentials: creds, RetryMaxAttempts: 1})
}

func (r *simRun) options() Options {
	return Options{RunID: r.runID, Start: r.start, End: r.end, Now: r.s.Clock().Now(), Endpoint: r.url,
		Backoff: time.Millisecond, InsightsPoll: time.Millisecond, InsightsWait: 10 * time.Second}
}

// sums adds up the values of each namespace/metric/stat over all rows.
func sums(rows []brink.Metric) map[string]float64 {
	out := map[string]float64{}
	for _, m := range rows {
		out[m.Namespace+" "+m.Metric+" "+m.Stat] += m.Value
	}
	return out
}

// roundTrip writes rows as metrics Parquet and reads them back.
func roundTrip(t *testing.T, rows []brink.Metric) []brink.Metric {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.parquet")
	if err := parquet.WriteMetrics(path, "cw-test", rows); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.ReadMetrics(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows back, wrote %d", len(got), len(rows))
	}
	return got
}

// TestCollectSumsEqualSimCounters runs a throttled ramp against the sim,
// collects through the real SDK clients, writes and reads the Parquet, and
// checks that the sums equal the sim's own counters.
func TestCollectSumsEqualSimCounters(t *testing.T) {
	r := runAgainstSim(t, throttlingModel(), nil)
	cw, logs := r.clients()
	res, err := Collect(context.Background(), cw, logs, SimSpec(), r.options())
	if err != nil {
		t.Fatal(err)
	}
	k := r.s.Counters()
	if k.LambdaThrottles.Load() == 0 || k.DynamoThrottles.Load() == 0 {
		t.Fatalf("the model was not throttled (Lambda %d, DynamoDB %d): the test checks nothing", k.LambdaThrottles.Load(), k.DynamoThrottles.Load())
	}
	got := sums(roundTrip(t, res.CloudWatch))
	want := map[string]float64{
		"AWS/Lambda Invocations Sum":           float64(k.Requests.Load() - k.LambdaThrottles.Load()),
		"AWS/Lambda Throttles Sum":             float64(k.LambdaThrottles.Load()),
		"AWS/Bedrock InputTokenCount Sum":      float64(k.InputTokens.Load()),
		"AWS/Bedrock OutputTokenCount Sum":     float64(k.OutputTokens.Load()),
		"AWS/DynamoDB WriteThrottleEvents Sum": float64(k.DynamoThrottles.Load()),
		"AWS/ApiGateway Count Sum":             float64(k.Requests.Load()),
	}
	for key, w := range want {
		if got[key] != w {
			t.Errorf("%s = %v, the sim counted %v", key, got[key], w)
		}
	}
	if got["AWS/Bedrock InputTokenCount Sum"] == 0 {
		t.Error("no input tokens collected")
	}
	rep := res.Report
	if rep.PeriodS != 60 || len(rep.Warnings) != 0 {
		t.Errorf("period %d s, warnings %q; want 60 (AWS/* metrics are 1-minute data, in the sim as in AWS) and none", rep.PeriodS, rep.Warnings)
	}
	if len(rep.Asked) != len(SimSpec().Series()) || rep.Calls != 1 {
		t.Errorf("%d series asked in %d calls, want %d in 1", len(rep.Asked), rep.Calls, len(SimSpec().Series()))
	}
	for _, m := range res.CloudWatch {
		if m.TS.Before(rep.Start) || !m.TS.Before(rep.End) || m.PeriodS != wantPeriod(m.Metric) || m.TS.Unix()%int64(m.PeriodS) != 0 || m.RunID != "cw-test" {
			t.Fatalf("row %+v outside the window %v..%v or mislabelled", m, rep.Start, rep.End)
		}
		if m.Namespace == NSLambda && m.Dimensions != "FunctionName=brink-chat-handler" {
			t.Fatalf("Lambda row dimensions %q", m.Dimensions)
		}
		if m.Metric == "ThrottledRequests" && m.Dimensions != "Operation=PutItem,TableName="+strings.TrimPrefix(m.Dimensions, "Operation=PutItem,TableName=") {
			t.Fatalf("dimensions not sorted: %q", m.Dimensions)
		}
	}
	// The sim's self-measurement: 1-second rows apart from the platform's,
	// one lateness sample per turn that reached the function.
	self := sums(roundTrip(t, res.Sim))
	if n := self["Brink/Sim Lateness SampleCount"]; n < float64(k.Turns.Load()) || n > float64(k.Requests.Load()) || k.Turns.Load() == 0 {
		t.Errorf("%v lateness samples for %d answered turns of %d requests", n, k.Turns.Load(), k.Requests.Load())
	}
	for _, m := range res.Sim {
		if m.Namespace != NSBrinkSim || m.PeriodS != 1 || m.Dimensions != "" || m.Value < 0 {
			t.Fatalf("sim row %+v", m)
		}
	}
	for _, m := range res.CloudWatch {
		if m.Namespace == NSBrinkSim {
			t.Fatalf("a Brink/Sim row among the platform's metrics: %+v", m)
		}
	}
	// Logs Insights: one query, cold starts and invocations by bin.
	if len(rep.LogsInsights) != 1 || rep.LogsInsights[0].Status != "Complete" {
		t.Fatalf("Logs Insights runs %+v", rep.LogsInsights)
	}
	lg := sums(roundTrip(t, res.Logs))
	group := r.s.LogGroup()
	if lg[group+" cold_starts Sum"] != float64(k.ColdStarts.Load()) || k.ColdStarts.Load() == 0 {
		t.Errorf("cold starts collected %v, the sim counted %d", lg[group+" cold_starts Sum"], k.ColdStarts.Load())
	}
	if lg[group+" invocations Sum"] != got["AWS/Lambda Invocations Sum"] {
		t.Errorf("REPORT lines %v, Lambda Invocations %v", lg[group+" invocations Sum"], got["AWS/Lambda Invocations Sum"])
	}
	for _, m := range res.Logs {
		if m.Source != brink.SourceLogsInsights || m.Namespace != group || m.PeriodS != 60 || m.Stat != "Sum" {
			t.Fatalf("logs row %+v", m)
		}
	}
}

// wantPeriod is a metric's period in a collect at 60 s: 300 for DynamoDB's
// provisioned capacity (5-minute data).
func wantPeriod(metric string) int32 {
	if strings.HasPrefix(metric, "Provisioned") {
		return 300
	}
	return 60
}

// TestCollectPaginates caps the datapoints of an answer so the window takes
// many pages, and checks the rows equal those of one page.
func TestCollectPaginates(t *testing.T) {
	r := runAgainstSim(t, throttlingModel(), nil)
	cw, _ := r.clients()
	spec := SimSpec()
	one, err := Collect(context.Background(), cw, nil, spec, r.options())
	if err != nil {
		t.Fatal(err)
	}
	opts := r.options()
	opts.MaxDatapoints = 20
	paged, err := Collect(context.Background(), cw, nil, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	minPages := len(one.CloudWatch) / 20
	if paged.Report.Calls < 2 || paged.Report.Calls < minPages {
		t.Fatalf("%d calls for %d datapoints at 20 a page", paged.Report.Calls, len(one.CloudWatch))
	}
	if len(paged.CloudWatch) != len(one.CloudWatch) {
		t.Fatalf("paged: %d rows, one page: %d", len(paged.CloudWatch), len(one.CloudWatch))
	}
	a, b := sums(one.CloudWatch), sums(paged.CloudWatch)
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: paged %v, one page %v", k, b[k], v)
		}
	}
	for _, w := range paged.Report.Warnings {
		t.Errorf("warning: %s", w)
	}
	// More than 500 series take more than one request.
	opts = r.options()
	opts.MaxQueriesPerCall = 7
	split, err := Collect(context.Background(), cw, nil, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(spec.Series()); split.Report.Calls != (n+6)/7 || len(split.CloudWatch) != len(one.CloudWatch) {
		t.Errorf("%d series at 7 a call: %d calls, %d rows; want %d calls, %d rows", n, split.Report.Calls, len(split.CloudWatch), (n+6)/7, len(one.CloudWatch))
	}
}

// awsFault answers AWS-shaped errors in place of the sim for the requests
// of one operation, for the first n of them (n < 0: all).
type awsFault struct {
	op      string // GetMetricData, StartQuery, ...
	n       int64
	status  int
	code    string // the error shape (__type)
	query   string // the awsQuery code (X-Amzn-Query-Error)
	seen    atomic.Int64
	faulted atomic.Int64
}

func (f *awsFault) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isCBOR := strings.HasSuffix(r.URL.Path, "/operation/"+f.op)
		isJSON := strings.HasSuffix(r.Header.Get("X-Amz-Target"), "."+f.op)
		if !isCBOR && !isJSON {
			next.ServeHTTP(w, r)
			return
		}
		if n := f.seen.Add(1); f.n >= 0 && n > f.n {
			next.ServeHTTP(w, r)
			return
		}
		f.faulted.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Amzn-Query-Error", f.query+";Sender")
		if isCBOR {
			b, _ := cbor.Marshal(map[string]string{"__type": "com.amazonaws.cloudwatch#" + f.code, "message": "injected by the test"})
			w.Header().Set("Content-Type", "application/cbor")
			w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
			w.WriteHeader(f.status)
			w.Write(b)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(f.status)
		io.Copy(w, bytes.NewReader([]byte(`{"__type":"`+f.code+`","message":"injected by the test"}`)))
	})
}

// TestCollectRetriesThrottling answers the first GetMetricData and the first
// StartQuery with a throttling error and checks that Collect waited, asked
// again and got everything.
func TestCollectRetriesThrottling(t *testing.T) {
	cwThrottle := &awsFault{op: "GetMetricData", n: 2, status: 400, code: "LimitExceededFault", query: "Throttling"}
	logsThrottle := &awsFault{op: "StartQuery", n: 1, status: 400, code: "ThrottlingException", query: "ThrottlingException"}
	r := runAgainstSim(t, throttlingModel(), func(h http.Handler) http.Handler { return cwThrottle.wrap(logsThrottle.wrap(h)) })
	cw, logs := r.clients()
	res, err := Collect(context.Background(), cw, logs, SimSpec(), r.options())
	if err != nil {
		t.Fatal(err)
	}
	if cwThrottle.faulted.Load() != 2 || cwThrottle.seen.Load() != 3 || logsThrottle.seen.Load() != 2 {
		t.Errorf("GetMetricData: %d throttled of %d calls; StartQuery %d calls", cwThrottle.faulted.Load(), cwThrottle.seen.Load(), logsThrottle.seen.Load())
	}
	if res.Report.Throttled != 3 {
		t.Errorf("report counts %d throttled retries, want 3", res.Report.Throttled)
	}
	k := r.s.Counters()
	if got := sums(res.CloudWatch)["AWS/Lambda Throttles Sum"]; got != float64(k.LambdaThrottles.Load()) {
		t.Errorf("after the retry: Throttles %v, the sim counted %d", got, k.LambdaThrottles.Load())
	}
	if len(res.Logs) == 0 {
		t.Error("no Logs Insights rows after the retried StartQuery")
	}
	// Throttled for good: a clear error after MaxAttempts.
	always := &awsFault{op: "GetMetricData", n: -1, status: 400, code: "LimitExceededFault", query: "Throttling"}
	srv := httptest.NewServer(always.wrap(http.NotFoundHandler()))
	defer srv.Close()
	r2 := *r
	r2.url = srv.URL
	cw2, _ := r2.clients()
	opts := r.options()
	opts.MaxAttempts = 3
	_, err = Collect(context.Background(), cw2, nil, SimSpec(), opts)
	if err == nil || !strings.Contains(err.Error(), "still throttled after 3 attempts (Throttling)") || always.seen.Load() != 3 {
		t.Errorf("always throttled: %d calls, err %v", always.seen.Load(), err)
	}
}

// TestCollectExplainsErrors checks that AccessDenied, expired credentials
// and an endpoint that does not answer each end Collect with one line that
// says what to fix.
func TestCollectExplainsErrors(t *testing.T) {
	s, err := sim.New(sim.DefaultConfig(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	now := s.Clock().Now()
	for _, c := range []struct {
		name  string
		fault *awsFault
		kind  error
		want  string
	}{
		{"access denied", &awsFault{op: "GetMetricData", n: -1, status: 403, code: "AccessDenied", query: "AccessDenied"},
			ErrAccessDenied, "GetMetricData: access denied (AccessDenied: injected by the test): allow cloudwatch:GetMetricData"},
		{"expired", &awsFault{op: "GetMetricData", n: -1, status: 403, code: "ExpiredToken", query: "ExpiredToken"},
			ErrCredentials, "GetMetricData: credentials refused (ExpiredToken: injected by the test): refresh them"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.fault.wrap(s.Handler()))
			defer srv.Close()
			r := &simRun{s: s, url: srv.URL, runID: "e", start: now.Add(-time.Minute), end: now}
			cw, logs := r.clients()
			_, err := Collect(context.Background(), cw, logs, SimSpec(), r.options())
			if !errors.Is(err, c.kind) {
				t.Fatalf("err %v, want %v", err, c.kind)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, c.want) || strings.Contains(msg, "\n") {
				t.Errorf("message %q, want one line starting %q", msg, c.want)
			}
			if c.fault.seen.Load() != 1 {
				t.Errorf("%d calls: an access error is not retried", c.fault.seen.Load())
			}
		})
	}
	t.Run("nothing listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ln.Close()
		cl, err := Connect(context.Background(), ConnectOptions{Endpoint: url, Static: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Collect(context.Background(), cl.Metrics, cl.Logs, SimSpec(), Options{Start: now.Add(-time.Minute), End: now, Endpoint: url})
		if !errors.Is(err, ErrEndpoint) || !strings.Contains(err.Error(), "nothing answers at "+url+": check --endpoint-url") {
			t.Errorf("err %v, want nothing answers at %s", err, url)
		}
	})
}

// TestInsightsFailuresAreWarnings injects Logs Insights failures in the sim
// (logs.start_query_error, logs.query_duration) and checks that each ends
// as a warning with every metric kept, and that a query given up on is
// stopped.
func TestInsightsFailuresAreWarnings(t *testing.T) {
	for _, c := range []struct {
		name     string
		logs     sim.LogsConf
		status   string
		warning  string
		attempts int // StartQuery calls expected
		stopped  int
	}{
		{"access denied", sim.LogsConf{StartQueryError: "AccessDeniedException"}, "failed",
			"Logs Insights: StartQuery: access denied (AccessDeniedException: injected by brink sim (logs.start_query_error)): allow logs:StartQuery", 1, 0},
		{"concurrent query limit", sim.LogsConf{StartQueryError: "LimitExceededException"}, "failed",
			"Logs Insights: StartQuery: still throttled after 3 attempts (LimitExceededException)", 3, 0},
		{"never ends", sim.LogsConf{QueryDuration: time.Hour}, "Running",
			"Logs Insights: the query on /aws/lambda/brink-chat-handler was still Running after 30ms: stopped it", 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := sim.DefaultConfig()
			cfg.Logs = c.logs
			s, err := sim.New(cfg, 0.01)
			if err != nil {
				t.Fatal(err)
			}
			calls := &awsFault{op: "StartQuery", n: 0} // counts, injects nothing
			srv := httptest.NewServer(calls.wrap(s.Handler()))
			defer srv.Close()
			now := s.Clock().Now()
			r := &simRun{s: s, url: srv.URL, runID: "w", start: now.Add(-2 * time.Minute), end: now.Add(-time.Minute)}
			cw, logs := r.clients()
			opts := r.options()
			opts.MaxAttempts, opts.InsightsWait = 3, 30*time.Millisecond
			// The window is widened to whole 5-minute periods, which reach
			// past the sim's start into its now: its clock runs at 100x
			// wall time, so the second collect sees more seconds than the
			// first. Only the seconds before the first collect are compared,
			// once the sim has a few (50 ms here is 5 s of its time).
			time.Sleep(50 * time.Millisecond)
			asked := s.Clock().Now()
			res, err := Collect(context.Background(), cw, logs, SimSpec(), opts)
			if err != nil {
				t.Fatalf("a Logs Insights failure failed the collect: %v", err)
			}
			bare, err := Collect(context.Background(), cw, nil, SimSpec(), opts)
			if err != nil {
				t.Fatal(err)
			}
			before := func(rows []brink.Metric) (n int) {
				for _, m := range rows {
					if m.TS.Before(asked) {
						n++
					}
				}
				return n
			}
			if n, b := before(res.CloudWatch), before(bare.CloudWatch); n == 0 || n != b {
				t.Errorf("%d metric rows before %v kept, %d without Logs Insights", n, asked, b)
			}
			if len(res.Logs) != 0 || len(res.Report.LogsInsights) != 1 || res.Report.LogsInsights[0].Status != c.status {
				t.Errorf("logs rows %d, runs %+v; want none and status %s", len(res.Logs), res.Report.LogsInsights, c.status)
			}
			found := false
			for _, w := range res.Report.Warnings {
				found = found || strings.HasPrefix(w, c.warning)
			}
			if !found {
				t.Errorf("warnings %q, want one starting %q", res.Report.Warnings, c.warning)
			}
			if got := calls.seen.Load(); got != int64(c.attempts) {
				t.Errorf("%d StartQuery calls, want %d", got, c.attempts)
			}
			if got := s.StoppedQueries(); got != c.stopped {
				t.Errorf("%d queries stopped, want %d", got, c.stopped)
			}
		})
	}
}

// TestColdStartsEitherLogFormat collects cold starts from a function
// logging text REPORT lines, one logging JSON platform.report events, and a
// SnapStart function whose cold starts are restores, each against the
// sim's own count.
func TestColdStartsEitherLogFormat(t *testing.T) {
	for _, c := range []struct {
		format  string
		snap    bool
		counted string // the Logs Insights column that must equal the sim's cold starts
		zero    string
	}{{sim.LogText, false, "cold_starts", "restores"}, {sim.LogJSON, false, "cold_starts", "restores"}, {sim.LogJSON, true, "restores", "cold_starts"}, {sim.LogText, true, "restores", "cold_starts"}} {
		t.Run(fmt.Sprintf("%s snapstart=%v", c.format, c.snap), func(t *testing.T) {
			cfg := sim.DefaultConfig()
			cfg.Lambda.LogFormat, cfg.Lambda.SnapStart = c.format, c.snap
			r := runAgainstSim(t, cfg, nil)
			cw, logs := r.clients()
			res, err := Collect(context.Background(), cw, logs, Spec{Lambda: LambdaSpec{Functions: []string{"brink-chat-handler"}}}, r.options())
			if err != nil {
				t.Fatal(err)
			}
			k := r.s.Counters()
			lg := sums(res.Logs)
			group := r.s.LogGroup()
			if k.ColdStarts.Load() == 0 || lg[group+" "+c.counted+" Sum"] != float64(k.ColdStarts.Load()) || lg[group+" "+c.zero+" Sum"] != 0 {
				t.Errorf("%s %v, %s %v; the sim counted %d cold starts", c.counted, lg[group+" "+c.counted+" Sum"], c.zero, lg[group+" "+c.zero+" Sum"], k.ColdStarts.Load())
			}
			if want := float64(k.Requests.Load() - k.LambdaThrottles.Load()); lg[group+" invocations Sum"] != want {
				t.Errorf("invocations %v, the sim ran %v", lg[group+" invocations Sum"], want)
			}
			for _, w := range res.Report.Warnings {
				t.Errorf("warning: %s", w)
			}
		})
	}
	// The query brink ran before reads nothing of JSON logs: warned, not zero.
	cfg := sim.DefaultConfig()
	cfg.Lambda.LogFormat = sim.LogJSON
	s, err := sim.New(cfg, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	now := s.Clock().Now()
	r := &simRun{s: s, url: srv.URL, runID: "n", start: now.Add(-2 * time.Minute), end: now.Add(-time.Minute)}
	cw, logs := r.clients()
	res, err := Collect(context.Background(), cw, logs, Spec{Lambda: LambdaSpec{Functions: []string{"brink-chat-handler"}}}, r.options())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Warnings) != 1 || !strings.Contains(res.Report.Warnings[0], "cold starts are unknown, not zero") {
		t.Errorf("warnings %q, want one saying nothing matched", res.Report.Warnings)
	}
}

// TestHighResolutionOnlyInTheSim asks for high resolution: against AWS it is
// refused with a warning (AWS/* metrics are 1-minute data), against a sim
// that keeps 1-second data (cloudwatch.high_resolution) it is used.
func TestHighResolutionOnlyInTheSim(t *testing.T) {
	cfg := throttlingModel()
	cfg.CloudWatch.HighResolution = true
	r := runAgainstSim(t, cfg, nil)
	cw, _ := r.clients()
	spec := SimSpec()
	spec.HighResolution = true
	for _, sim := range []bool{false, true} {
		opts := r.options()
		opts.Sim = sim
		res, err := Collect(context.Background(), cw, nil, spec, opts)
		if err != nil {
			t.Fatal(err)
		}
		want, warned := int32(60), true
		if sim {
			want, warned = 1, false
		}
		if res.Report.PeriodS != want || (len(res.Report.Warnings) == 1) != warned ||
			warned && !strings.HasPrefix(res.Report.Warnings[0], "high_resolution is not used: AWS publishes AWS/* service metrics at 1-minute resolution") {
			t.Errorf("sim=%v: period %d, warnings %q; want %d", sim, res.Report.PeriodS, res.Report.Warnings, want)
		}
		k := r.s.Counters()
		if got := sums(res.CloudWatch)["AWS/Lambda Throttles Sum"]; got != float64(k.LambdaThrottles.Load()) || got == 0 {
			t.Errorf("sim=%v: Throttles %v, the sim counted %d", sim, got, k.LambdaThrottles.Load())
		}
	}
}

// TestBedrockInferenceProfile: a sim whose model is invoked through a
// geographic inference profile publishes ModelId = the profile id; a spec
// naming the model finds the profile (ListMetrics) and collects its tokens.
func TestBedrockInferenceProfile(t *testing.T) {
	const base = "anthropic.claude-haiku-4-5-20251001-v1:0"
	cfg := sim.DefaultConfig()
	cfg.Bedrock.ModelID = "us." + base
	r := runAgainstSim(t, cfg, nil)
	cw, _ := r.clients()
	res, err := Collect(context.Background(), cw, nil, Spec{Bedrock: BedrockSpec{Models: []string{base}}}, r.options())
	if err != nil {
		t.Fatal(err)
	}
	k := r.s.Counters()
	got := sums(res.CloudWatch)
	if got["AWS/Bedrock InputTokenCount Sum"] != float64(k.InputTokens.Load()) || k.InputTokens.Load() == 0 ||
		got["AWS/Bedrock OutputTokenCount Sum"] != float64(k.OutputTokens.Load()) {
		t.Errorf("tokens in %v out %v, the sim counted %d and %d", got["AWS/Bedrock InputTokenCount Sum"], got["AWS/Bedrock OutputTokenCount Sum"],
			k.InputTokens.Load(), k.OutputTokens.Load())
	}
	if p := res.Report.Profiles; len(p) != 1 || p[0] != "us."+base || len(res.Report.Warnings) != 0 {
		t.Errorf("profiles %q, warnings %q", p, res.Report.Warnings)
	}
	for _, m := range res.CloudWatch {
		if m.Value != 0 && m.Dimensions != "ModelId=us."+base {
			t.Fatalf("row %+v: want the profile's ModelId", m)
		}
	}
}

// TestDynamoDBDetail: provisioned capacity is asked at 300 s (5-minute
// data), SuccessfulRequestLatency without percentiles, and an on-demand
// table's maximum throughput shows in its own throttle metric, equal to the
// sim's count; a GSI is asked with its own dimensions.
func TestDynamoDBDetail(t *testing.T) {
	spec := Spec{DynamoDB: DynamoSpec{Tables: []string{"chat-conversations"}, Operations: []string{"PutItem"},
		Indexes: []IndexSpec{{Table: "chat-conversations", Name: "by-user"}}}}
	keys := map[string]int32{}
	for _, sr := range spec.Series() {
		keys[sr.Key()] = sr.PeriodFor(60)
	}
	for k, want := range map[string]int32{
		"AWS/DynamoDB ProvisionedWriteCapacityUnits {TableName=chat-conversations} Maximum":                                         300,
		"AWS/DynamoDB WriteMaxOnDemandThroughputThrottleEvents {GlobalSecondaryIndexName=by-user,TableName=chat-conversations} Sum": 60,
		"AWS/DynamoDB SuccessfulRequestLatency {Operation=PutItem,TableName=chat-conversations} Maximum":                            60,
	} {
		if keys[k] != want {
			t.Errorf("%s: period %d, want %d (asked: %v)", k, keys[k], want, keys[k] != 0)
		}
	}
	for k := range keys {
		if strings.Contains(k, "SuccessfulRequestLatency") && strings.HasSuffix(k, "p95") {
			t.Errorf("%s asked: AWS lists no percentiles for it", k)
		}
	}
	if _, err := ParseSpec("s.yaml", []byte("dynamodb: {tables: [a], indexes: [{table: b, name: i}]}")); err == nil ||
		!strings.Contains(err.Error(), `dynamodb.indexes[0].table "b": not one of dynamodb.tables`) {
		t.Errorf("an index of an unlisted table: %v", err)
	}

	cfg := throttlingModel()
	cfg.DynamoDB.Mode = sim.OnDemand
	for i := range cfg.DynamoDB.Tables {
		cfg.DynamoDB.Tables[i].MaxWriteUnits = 0
		if cfg.DynamoDB.Tables[i].Name == "chat-conversations" {
			cfg.DynamoDB.Tables[i].MaxWriteUnits = 1 // an item (0.8 KB) a second
		}
	}
	r := runAgainstSim(t, cfg, nil)
	cw, _ := r.clients()
	res, err := Collect(context.Background(), cw, nil, spec, r.options())
	if err != nil {
		t.Fatal(err)
	}
	k := r.s.Counters()
	got := sums(res.CloudWatch)
	if n := float64(k.DynamoThrottles.Load()); n == 0 || got["AWS/DynamoDB WriteMaxOnDemandThroughputThrottleEvents Sum"] != n ||
		got["AWS/DynamoDB WriteThrottleEvents Sum"] != n || got["AWS/DynamoDB WriteKeyRangeThroughputThrottleEvents Sum"] != 0 {
		t.Errorf("throttles: on-demand max %v, all %v, key range %v; the sim counted %v",
			got["AWS/DynamoDB WriteMaxOnDemandThroughputThrottleEvents Sum"], got["AWS/DynamoDB WriteThrottleEvents Sum"],
			got["AWS/DynamoDB WriteKeyRangeThroughputThrottleEvents Sum"], n)
	}
	empty := strings.Join(res.Report.Empty, "\n")
	if !strings.Contains(empty, "GlobalSecondaryIndexName=by-user") {
		t.Errorf("the GSI's series were not asked (the sim has no index, so they come back empty): %s", empty)
	}
}
