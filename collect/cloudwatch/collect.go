package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"brink"
)

// LogsInsightsAPI is the part of the cloudwatchlogs client the cold-start
// query needs; *cloudwatchlogs.Client implements it.
type LogsInsightsAPI interface {
	StartQuery(context.Context, *cloudwatchlogs.StartQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	GetQueryResults(context.Context, *cloudwatchlogs.GetQueryResultsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
	StopQuery(context.Context, *cloudwatchlogs.StopQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error)
}

var (
	_ cloudwatch.GetMetricDataAPIClient = (*cloudwatch.Client)(nil)
	_ LogsInsightsAPI                   = (*cloudwatchlogs.Client)(nil)
)

// Options configure Collect. Zero values take the documented defaults.
type Options struct {
	RunID string
	// Start and End are the run's window in scenario time (run.json's
	// started_at and ended_at); Margin widens it on both sides (default 1
	// minute) and the period's alignment widens it to whole periods.
	Start, End time.Time
	Margin     time.Duration
	// Now is the present on the data's clock (the sim's scenario clock, or
	// the wall clock against AWS): the data's age picks the period.
	// Default time.Now().
	Now time.Time
	// Period overrides the period picked from the data's age (seconds).
	Period int32
	// Endpoint names the service in messages (the --endpoint-url, or "AWS").
	Endpoint string
	// Sim says the endpoint is a brink sim, whose cloudwatch.high_resolution
	// keeps 1-second data; AWS publishes AWS/* metrics at 1 minute, so
	// against AWS the spec's high_resolution is not used (a warning says so).
	Sim bool

	MaxQueriesPerCall int           // default and at most 500 (CloudWatch's limit)
	MaxDatapoints     int32         // per GetMetricData answer; default 100,800 (CloudWatch's limit)
	MaxPages          int           // NextToken pages per call; default 10,000
	MaxAttempts       int           // per call when throttled; default 8
	Backoff           time.Duration // first retry wait (doubles, full jitter); default 500 ms
	MaxBackoff        time.Duration // default 20 s
	InsightsWait      time.Duration // longest wait for a Logs Insights query; default 5 minutes
	InsightsPoll      time.Duration // first wait between polls (doubles up to 5 s); default 250 ms
	InsightsLimit     int32         // rows a query may return; default 10,000 (Logs Insights' maximum)
}

func (o *Options) defaults() {
	if o.Margin == 0 {
		o.Margin = time.Minute
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.MaxQueriesPerCall <= 0 || o.MaxQueriesPerCall > 500 {
		o.MaxQueriesPerCall = 500
	}
	if o.MaxDatapoints <= 0 {
		o.MaxDatapoints = 100800
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 10000
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 20 * time.Second
	}
	if o.InsightsWait <= 0 {
		o.InsightsWait = 5 * time.Minute
	}
	if o.InsightsPoll <= 0 {
		o.InsightsPoll = 250 * time.Millisecond
	}
	if o.InsightsLimit <= 0 {
		o.InsightsLimit = 10000
	}
	if o.Endpoint == "" {
		o.Endpoint = "AWS"
	}
}

// Report is metrics/collect.json: what was asked, what came back and what
// went wrong short of failing.
type Report struct {
	RunID          string    `json:"run_id"`
	Endpoint       string    `json:"endpoint"`
	Region         string    `json:"region,omitempty"`
	Start          time.Time `json:"start"` // the window asked for, margin and alignment included
	End            time.Time `json:"end"`
	PeriodS        int32     `json:"period_s"`
	HighResolution bool      `json:"high_resolution"`
	Calls          int       `json:"get_metric_data_calls"`
	Throttled      int       `json:"throttled_retries"`
	Asked          []Asked   `json:"asked"`
	Empty          []string  `json:"empty"` // series keys with no datapoint
	// Profiles are the Bedrock inference profile ids found by ListMetrics
	// for the spec's models, and asked for beside them.
	Profiles     []string       `json:"bedrock_profiles,omitempty"`
	LogsInsights []InsightsRun  `json:"logs_insights"`
	Warnings     []string       `json:"warnings"`
	Files        map[string]int `json:"files,omitempty"` // file → rows, filled in by the writer
}

// Asked is one series asked for and how many datapoints came back.
type Asked struct {
	Series
	Dims       string `json:"dimensions"`
	Datapoints int    `json:"datapoints"`
	Status     string `json:"status"`
}

// InsightsRun is one Logs Insights query.
type InsightsRun struct {
	LogGroup       string  `json:"log_group"`
	Query          string  `json:"query"`
	BinS           int32   `json:"bin_s"`
	Status         string  `json:"status"`
	Rows           int     `json:"rows"`
	RecordsMatched float64 `json:"records_matched"`
}

// Result is what Collect gathered.
type Result struct {
	CloudWatch []brink.Metric // source cloudwatch
	Logs       []brink.Metric // source logs_insights
	Sim        []brink.Metric // the brink sim's self-measurement (Series.Self), source cloudwatch
	Report     Report
}

// Collect asks CloudWatch for every series of spec over the run's window,
// and Logs Insights for the cold starts of each function's log group
// (skipped when logs is nil or the spec disables it). A failure the user can
// fix is an *Error; partial answers become warnings in the Report. Logs
// Insights is an extra: any failure of it (access denied, the account's
// concurrent-query limit, a query that never ends) is a warning, so the
// metrics already fetched are kept.
func Collect(ctx context.Context, cw cloudwatch.GetMetricDataAPIClient, logs LogsInsightsAPI, spec Spec, opts Options) (*Result, error) {
	opts.defaults()
	if opts.End.Before(opts.Start) || opts.Start.IsZero() {
		return nil, fmt.Errorf("collect: window %v..%v is empty", opts.Start, opts.End)
	}
	start, end := opts.Start.Add(-opts.Margin).UTC(), opts.End.Add(opts.Margin).UTC()
	period := opts.Period
	if period <= 0 {
		period = PeriodFor(opts.Now, start, spec.HighResolution && opts.Sim)
	}
	p := time.Duration(period) * time.Second
	// The window is widened to whole periods of the coarsest series (5-minute
	// provisioned capacity), so every series' datapoints lie inside it.
	align := p
	for _, sr := range spec.Series() {
		align = max(align, time.Duration(sr.PeriodFor(period))*time.Second)
	}
	start = start.Truncate(align)
	if e := end.Truncate(align); !e.Equal(end) {
		end = e.Add(align)
	}
	res := &Result{Report: Report{RunID: opts.RunID, Endpoint: opts.Endpoint, Start: start, End: end, PeriodS: period,
		HighResolution: spec.HighResolution, Asked: []Asked{}, Empty: []string{}, LogsInsights: []InsightsRun{}, Warnings: []string{}}}
	if spec.HighResolution && !opts.Sim {
		res.Report.Warnings = append(res.Report.Warnings,
			"high_resolution is not used: AWS publishes AWS/* service metrics at 1-minute resolution (only custom metrics stored at 1 second have 1-second data); using 60 s or longer periods")
	} else if spec.HighResolution && period > 1 {
		res.Report.Warnings = append(res.Report.Warnings, fmt.Sprintf(
			"high resolution asked, but the window starts %v before now: CloudWatch keeps 1-second data for 3 hours; using %d s periods",
			opts.Now.Sub(start).Round(time.Minute), period))
	}
	c := &collector{opts: opts, res: res}
	if lm, ok := cw.(cloudwatch.ListMetricsAPIClient); ok && len(spec.Bedrock.Models) > 0 {
		spec.Bedrock.Models = c.profiles(ctx, lm, spec.Bedrock.Models)
	}
	if opts.Period <= 0 {
		// The sim's self-measurement is custom metrics stored at 1 second:
		// seconds while they are kept, in the same calls.
		c.selfPeriod = min(period, PeriodFor(opts.Now, start, true))
	}
	series := spec.Series()
	for i := 0; i < len(series); i += opts.MaxQueriesPerCall {
		if err := c.metrics(ctx, cw, series[i:min(i+opts.MaxQueriesPerCall, len(series))], start, end, period); err != nil {
			return nil, err
		}
	}
	if logs != nil && !spec.LogsInsights.Disabled {
		bin := p
		if spec.LogsInsights.Bin != "" {
			bin, _ = parseBin(spec.LogsInsights.Bin) // checked by Validate
		}
		q := spec.LogsInsights.Query
		if q == "" {
			q = ColdStartQuery
		}
		q = strings.ReplaceAll(q, "{bin}", formatBin(bin))
		for _, g := range spec.logGroups() {
			if err := c.insights(ctx, logs, g, q, bin, start, end); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

type collector struct {
	opts       Options
	res        *Result
	selfPeriod int32 // the period of Series.Self; 0: the window's
}

// periodOf is the period series s is asked at when the window's is p.
func (c *collector) periodOf(s Series, p int32) int32 {
	if s.Self && c.selfPeriod > 0 {
		return c.selfPeriod
	}
	return s.PeriodFor(p)
}

func (c *collector) warn(format string, a ...any) {
	c.res.Report.Warnings = append(c.res.Report.Warnings, fmt.Sprintf(format, a...))
}

// retry calls f until it is not throttled, waiting a full-jitter
// exponential backoff between attempts, at most MaxAttempts times.
func (c *collector) retry(ctx context.Context, op string, f func() error) error {
	for attempt := 0; ; attempt++ {
		err := f()
		if err == nil || !isThrottle(err) {
			return err
		}
		if attempt+1 >= c.opts.MaxAttempts {
			var ae smithy.APIError
			code := "throttled"
			if errors.As(err, &ae) {
				code = ae.ErrorCode()
			}
			return &Error{Op: op, Kind: ErrThrottled, Err: err, Msg: fmt.Sprintf(
				"still throttled after %d attempts (%s): try again in a few minutes, when other CloudWatch clients of the account are quieter", attempt+1, code)}
		}
		c.res.Report.Throttled++
		wait := min(c.opts.Backoff<<attempt, c.opts.MaxBackoff)
		wait = time.Duration(rand.Int64N(int64(wait)) + 1)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// profiles adds to the spec's Bedrock models the inference profiles of
// those models that CloudWatch has series for: invoked through a profile
// (us., eu., apac., global.), a model's ModelId dimension is the profile's
// id. Listing is an extra (cloudwatch:ListMetrics): a failure is a warning.
func (c *collector) profiles(ctx context.Context, lm cloudwatch.ListMetricsAPIClient, models []string) []string {
	bases := map[string]bool{}
	for _, m := range models {
		bases[brink.BaseModelID(m)] = true
	}
	out := slices.Clone(models)
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String(NSBedrock), MetricName: aws.String("InputTokenCount"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("ModelId")}}}
	for page := 0; page < 100; page++ {
		var res *cloudwatch.ListMetricsOutput
		err := c.retry(ctx, "ListMetrics", func() error {
			var err error
			res, err = lm.ListMetrics(ctx, in)
			return err
		})
		if err != nil {
			c.warn("ListMetrics: %v: Bedrock inference profiles of %s not looked for (list their ids under bedrock.models)",
				explain("ListMetrics", c.opts.Endpoint, err), strings.Join(models, ", "))
			return models
		}
		for _, m := range res.Metrics {
			for _, d := range m.Dimensions {
				v := aws.ToString(d.Value)
				if aws.ToString(d.Name) == "ModelId" && bases[brink.BaseModelID(v)] && !slices.Contains(out, v) {
					out = append(out, v)
					c.res.Report.Profiles = append(c.res.Report.Profiles, v)
				}
			}
		}
		if res.NextToken == nil || *res.NextToken == "" {
			break
		}
		in.NextToken = res.NextToken
	}
	return out
}

// metrics runs one GetMetricData request (at most 500 queries) through all
// its pages.
func (c *collector) metrics(ctx context.Context, cw cloudwatch.GetMetricDataAPIClient, series []Series, start, end time.Time, period int32) error {
	queries := make([]cwtypes.MetricDataQuery, len(series))
	asked := make([]Asked, len(series))
	byID := map[string]int{}
	for i, s := range series {
		id := "q" + strconv.Itoa(i)
		byID[id] = i
		dims := make([]cwtypes.Dimension, len(s.Dimensions))
		for j, d := range s.Dimensions {
			dims[j] = cwtypes.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
		}
		queries[i] = cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(true), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(s.Namespace), MetricName: aws.String(s.Metric), Dimensions: dims},
			Period: aws.Int32(c.periodOf(s, period)), Stat: aws.String(s.Stat)}}
		asked[i] = Asked{Series: s, Dims: DimString(s.Dimensions), Status: string(cwtypes.StatusCodeComplete)}
	}
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(start), EndTime: aws.Time(end), MetricDataQueries: queries,
		ScanBy: cwtypes.ScanByTimestampAscending, MaxDatapoints: aws.Int32(c.opts.MaxDatapoints)}
	for page := 0; ; page++ {
		if page >= c.opts.MaxPages {
			c.warn("GetMetricData: stopped after %d pages; the rest of the window is left out", page)
			break
		}
		var out *cloudwatch.GetMetricDataOutput
		err := c.retry(ctx, "GetMetricData", func() error {
			var err error
			out, err = cw.GetMetricData(ctx, in)
			return err
		})
		c.res.Report.Calls++
		if err != nil {
			return explain("GetMetricData", c.opts.Endpoint, err)
		}
		for _, m := range out.Messages {
			c.warn("GetMetricData: %s: %s", aws.ToString(m.Code), aws.ToString(m.Value))
		}
		for _, r := range out.MetricDataResults {
			i, ok := byID[aws.ToString(r.Id)]
			if !ok {
				c.warn("GetMetricData answered an id it was not asked for: %q", aws.ToString(r.Id))
				continue
			}
			s := series[i]
			if len(r.Timestamps) != len(r.Values) {
				c.warn("%s: %d timestamps for %d values; kept the pairs", s.Key(), len(r.Timestamps), len(r.Values))
			}
			rows := &c.res.CloudWatch
			if s.Self {
				rows = &c.res.Sim
			}
			for j := range min(len(r.Timestamps), len(r.Values)) {
				*rows = append(*rows, brink.Metric{RunID: c.opts.RunID, Source: brink.SourceCloudWatch,
					Namespace: s.Namespace, Metric: s.Metric, Dimensions: asked[i].Dims, Stat: s.Stat, PeriodS: c.periodOf(s, period),
					TS: r.Timestamps[j].UTC(), Value: r.Values[j], Unit: s.Unit})
			}
			asked[i].Datapoints += len(r.Values)
			switch r.StatusCode {
			case cwtypes.StatusCodePartialData:
				if out.NextToken == nil {
					asked[i].Status = string(r.StatusCode)
				}
			case cwtypes.StatusCodeComplete, "":
			default:
				asked[i].Status = string(r.StatusCode)
			}
			for _, m := range r.Messages {
				c.warn("%s: %s: %s", s.Key(), aws.ToString(m.Code), aws.ToString(m.Value))
			}
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for _, a := range asked {
		if a.Status != string(cwtypes.StatusCodeComplete) {
			c.warn("%s: status %s: some datapoints may be missing", a.Key(), a.Status)
		}
		if a.Datapoints == 0 {
			c.res.Report.Empty = append(c.res.Report.Empty, a.Key())
		}
	}
	c.res.Report.Asked = append(c.res.Report.Asked, asked...)
	return nil
}

// insightsTime is how Logs Insights prints bin() values (UTC).
const insightsTime = "2006-01-02 15:04:05.000"

// insights runs the cold-start query on one log group and polls it to
// completion, at most InsightsWait.
func (c *collector) insights(ctx context.Context, logs LogsInsightsAPI, group, query string, bin time.Duration, start, end time.Time) error {
	run := InsightsRun{LogGroup: group, Query: query, BinS: int32(bin / time.Second)}
	defer func() { c.res.Report.LogsInsights = append(c.res.Report.LogsInsights, run) }()
	var started *cloudwatchlogs.StartQueryOutput
	err := c.retry(ctx, "StartQuery", func() error {
		var err error
		started, err = logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
			LogGroupNames: []string{group}, QueryString: aws.String(query), Limit: aws.Int32(c.opts.InsightsLimit),
			// Logs Insights takes whole seconds, both ends inclusive.
			StartTime: aws.Int64(start.Unix()), EndTime: aws.Int64(end.Add(-time.Second).Unix()),
		})
		return err
	})
	var nf *logtypes.ResourceNotFoundException
	var mq *logtypes.MalformedQueryException
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &nf):
		run.Status = "log group not found"
		c.warn("Logs Insights: log group %s not found: no cold starts collected (set lambda.log_groups in the spec if it is named otherwise)", group)
		return nil
	case errors.As(err, &mq):
		run.Status = "malformed query"
		c.warn("Logs Insights: %s refused the query: %s", group, oneLine(aws.ToString(mq.Message)))
		return nil
	default:
		run.Status = "failed"
		c.warn("Logs Insights: %v: no cold starts collected for %s (the metrics are kept)", explain("StartQuery", c.opts.Endpoint, err), group)
		return nil
	}
	// A query left behind keeps counting against the account's concurrent
	// queries (30) until it ends by itself: stop it when giving up on it.
	stop := func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := logs.StopQuery(sctx, &cloudwatchlogs.StopQueryInput{QueryId: started.QueryId}); err != nil {
			c.warn("Logs Insights: could not stop the abandoned query on %s: %v", group, explain("StopQuery", c.opts.Endpoint, err))
		}
	}
	deadline := time.Now().Add(c.opts.InsightsWait)
	wait := c.opts.InsightsPoll
	var out *cloudwatchlogs.GetQueryResultsOutput
	for {
		err := c.retry(ctx, "GetQueryResults", func() error {
			var err error
			out, err = logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
			return err
		})
		if err != nil {
			stop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			run.Status = "failed"
			c.warn("Logs Insights: %v: no cold starts collected for %s (the metrics are kept)", explain("GetQueryResults", c.opts.Endpoint, err), group)
			return nil
		}
		run.Status = string(out.Status)
		if out.Status != logtypes.QueryStatusScheduled && out.Status != logtypes.QueryStatusRunning {
			break
		}
		if time.Now().Add(wait).After(deadline) {
			stop()
			c.warn("Logs Insights: the query on %s was still %s after %v: stopped it; cold starts left out (rerun brink collect later)",
				group, out.Status, c.opts.InsightsWait)
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			stop()
			return ctx.Err()
		}
		wait = min(wait*2, 5*time.Second)
	}
	if out.Status != logtypes.QueryStatusComplete {
		c.warn("Logs Insights: the query on %s ended %s: cold starts left out", group, out.Status)
		return nil
	}
	if out.Statistics != nil {
		run.RecordsMatched = out.Statistics.RecordsMatched
	}
	if run.RecordsMatched == 0 {
		c.warn("Logs Insights: no Lambda report in %s matched (neither a text REPORT line nor a JSON platform.report event): cold starts are unknown, not zero", group)
	}
	if len(out.Results) >= int(c.opts.InsightsLimit) {
		c.warn("Logs Insights: %s returned %d rows, the limit: later bins may be missing (use a wider logs_insights.bin)", group, len(out.Results))
	}
	for _, row := range out.Results {
		var ts time.Time
		for _, f := range row {
			if strings.HasPrefix(aws.ToString(f.Field), "bin(") {
				t, err := time.Parse(insightsTime, aws.ToString(f.Value))
				if err != nil {
					c.warn("Logs Insights: %s: bin %q: %v", group, aws.ToString(f.Value), err)
				}
				ts = t.UTC()
			}
		}
		if ts.IsZero() {
			continue
		}
		run.Rows++
		for _, f := range row {
			name := aws.ToString(f.Field)
			if strings.HasPrefix(name, "bin(") || strings.HasPrefix(name, "@") {
				continue
			}
			v, err := strconv.ParseFloat(aws.ToString(f.Value), 64)
			if err != nil {
				c.warn("Logs Insights: %s: field %s = %q is not a number", group, name, aws.ToString(f.Value))
				continue
			}
			c.res.Logs = append(c.res.Logs, brink.Metric{RunID: c.opts.RunID, Source: brink.SourceLogsInsights,
				Namespace: group, Metric: name, Stat: "Sum", PeriodS: run.BinS, TS: ts, Value: v, Unit: unitCount})
		}
	}
	return nil
}
