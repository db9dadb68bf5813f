package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"brink"
	"brink/collect/cloudwatch"
	"brink/collect/parquet"
	"brink/replay"
)

func init() {
	register("collect", "pull a run's CloudWatch metrics and Lambda cold starts into metrics/", runCollect)
}

// publishingDelay is how long CloudWatch may take to publish a minute's
// datapoints; collecting sooner after a run against AWS misses its end.
const publishingDelay = 3 * time.Minute

// collectOptions are brink collect's flags (and what demo and run --collect pass).
type collectOptions struct {
	SpecFile string
	Region   string
	Profile  string
	Endpoint string
	HighRes  *bool // nil: the spec's
	Margin   time.Duration
	Quiet    bool
	// TryTarget collects from the run's target when it is a brink sim
	// (brink run --collect); otherwise only a compressed run does.
	TryTarget bool
}

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("collect", "--run DIR [flags]",
		"Pulls the platform's own metrics for a run's window (run.json's started_at..ended_at,\n"+
			"scenario time, widened by --margin) with the AWS SDK: API Gateway, Lambda, DynamoDB and\n"+
			"Bedrock from CloudWatch GetMetricData, and Lambda cold starts from Logs Insights. Writes\n"+
			"metrics/cloudwatch.parquet, metrics/logs.parquet and metrics/collect.json (what was\n"+
			"asked, what came back empty, warnings). Credentials come from the SDK's default chain\n"+
			"(environment, --profile, SSO, roles) and are never written anywhere.\n"+
			"A run against brink sim is collected from that sim (its target, or --endpoint-url) with\n"+
			"dummy credentials and the sim's spec. Within 3 minutes of a run's end against AWS it\n"+
			"waits for CloudWatch's publishing delay. --print-spec shows the default spec to edit\n"+
			"(docs/collect.md).",
		"  brink collect --run runs/20260301T120000Z-a1b2c3 --region eu-west-1 --profile staging --spec chat-stack.yaml\n"+
			"  brink collect --run runs/20260301T120000Z-a1b2c3 --endpoint-url http://127.0.0.1:8080\n"+
			"  brink collect --print-spec > chat-stack.yaml", stdout)
	var o collectOptions
	run := fs.String("run", "", "run directory (holds run.json) (required)")
	fs.StringVar(&o.SpecFile, "spec", "", "metric spec YAML naming the API, functions, tables and models (default: built-in)")
	fs.StringVar(&o.Region, "region", "", "AWS region (default: AWS_REGION or the profile's)")
	fs.StringVar(&o.Profile, "profile", "", "shared config profile (default: AWS_PROFILE or default)")
	fs.StringVar(&o.Endpoint, "endpoint-url", "", "CloudWatch and Logs endpoint instead of AWS's (brink sim, a proxy)")
	highRes := fs.Bool("high-resolution", false, "ask for 1-second periods (data under 3 hours old; default: the spec's)")
	fs.DurationVar(&o.Margin, "margin", time.Minute, "widen the run's window by this on both sides (scenario time)")
	printSpec := fs.Bool("print-spec", false, "print the default metric spec for an AWS chat stack and exit")
	asJSON := fs.Bool("json", false, "print collect.json to stdout instead of a summary")
	fs.BoolVar(&o.Quiet, "quiet", false, "no progress lines")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *printSpec {
		_, err := stdout.Write(cloudwatch.DefaultSpecYAML())
		return err
	}
	if *run == "" {
		return usagef("--run is required (a run directory, e.g. runs/20260301T120000Z-a1b2c3)")
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "high-resolution" {
			o.HighRes = highRes
		}
	})
	res, err := collectRun(ctx, *run, o, stderr)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res.Report)
	}
	printCollect(stdout, *run, res)
	return nil
}

// printCollect says what collect wrote, in a few lines.
func printCollect(w io.Writer, runDir string, res *cloudwatch.Result) {
	r := res.Report
	fmt.Fprintf(w, "collected %d datapoints of %d series (%d empty) at %d s periods, %d Logs Insights rows, %v..%v\n",
		len(res.CloudWatch), len(r.Asked), len(r.Empty), r.PeriodS, len(res.Logs), r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339))
	dir := filepath.Join(runDir, brink.MetricsDir)
	for _, f := range []string{"cloudwatch.parquet", "logs.parquet", "collect.json"} {
		fmt.Fprintf(w, "  %s\n", filepath.Join(dir, f))
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "%d warning(s) in collect.json, the first: %s\n", len(r.Warnings), r.Warnings[0])
	}
}

// collectRun collects a run's metrics into runDir/metrics: from the brink
// sim that served it (its target, or o.Endpoint when that is a sim) with
// dummy credentials, or from AWS with the default credential chain. It is
// the one code path of brink collect, brink run --collect and brink demo.
func collectRun(ctx context.Context, runDir string, o collectOptions, stderr io.Writer) (*cloudwatch.Result, error) {
	m, err := brink.ReadManifest(runDir)
	if err != nil {
		return nil, err
	}
	start := m.StartedAt
	var end time.Time
	switch {
	case m.EndedAt != nil:
		end = *m.EndedAt
	case len(m.Levels) > 0:
		end = m.Levels[len(m.Levels)-1].End
		fmt.Fprintf(stderr, "brink collect: run.json has no ended_at (status %s): collecting until the last level's end, %s\n",
			m.EffectiveStatus(), end.Format(time.RFC3339))
	default:
		return nil, fmt.Errorf("collect %s: run.json has no ended_at and no level finished: nothing to collect", runDir)
	}
	endpoint := o.Endpoint
	if endpoint == "" && (m.TimeScale < 1 || o.TryTarget) {
		endpoint = m.Target // a brink sim serves its metrics on the chat API's listener
	}
	isSim := false
	var simClock brink.Clock
	if endpoint != "" {
		clock, found, err := replay.DiscoverClock(ctx, &http.Client{Timeout: 10 * time.Second}, endpoint)
		switch {
		case err != nil && m.TimeScale < 1:
			return nil, fmt.Errorf("collect: the run's metrics live in the brink sim that served it (%s), and it does not answer: %w; "+
				"collect while that sim runs (brink run --collect, or pass its --endpoint-url)", redact(endpoint), err)
		case err != nil && o.Endpoint != "":
			return nil, fmt.Errorf("collect: %w (check --endpoint-url)", err)
		}
		isSim, simClock = found, clock
		if !isSim && o.Endpoint == "" {
			endpoint = "" // the target is a real API: its metrics are in AWS
		}
	}
	if m.TimeScale < 1 && !isSim {
		return nil, fmt.Errorf("collect: run %s used a compressed clock (time scale %g): its metrics exist only in the brink sim that served it; pass that sim's --endpoint-url",
			m.RunID, m.TimeScale)
	}
	if isSim && !simClock.Epoch.Equal(m.Epoch) {
		return nil, fmt.Errorf("collect: the brink sim at %s started at %s, but run %s ran on a clock from %s: it is another sim and holds none of this run's metrics",
			redact(endpoint), simClock.Epoch.Format(time.RFC3339Nano), m.RunID, m.Epoch.Format(time.RFC3339Nano))
	}

	spec := cloudwatch.DefaultSpec()
	if isSim {
		spec = cloudwatch.SimSpec()
	}
	if o.SpecFile != "" {
		if spec, err = cloudwatch.LoadSpec(o.SpecFile); err != nil {
			return nil, err
		}
	}
	if o.HighRes != nil {
		spec.HighResolution = *o.HighRes
	}
	margin := o.Margin
	if margin <= 0 {
		margin = time.Minute
	}

	var cl cloudwatch.Clients
	var now time.Time
	if isSim {
		cl, err = cloudwatch.Connect(ctx, cloudwatch.ConnectOptions{Endpoint: endpoint, Region: o.Region, Static: true})
		// The sim publishes at once; wait only for its clock to pass the margin.
		if wait := time.Until(simClock.Wall(end.Add(margin))); wait > 0 {
			if err := sleepCtx(ctx, min(wait, time.Minute)); err != nil {
				return nil, err
			}
		}
		now = simClock.Now()
	} else {
		cl, err = cloudwatch.Connect(ctx, cloudwatch.ConnectOptions{Endpoint: endpoint, Region: o.Region, Profile: o.Profile})
		if err == nil {
			err = countdown(ctx, time.Until(end.Add(publishingDelay)), "waiting for CloudWatch to publish the run's last minutes", stderr, o.Quiet)
		}
		now = time.Now()
	}
	if err != nil {
		return nil, err
	}
	name := "AWS " + cl.Region
	if endpoint != "" {
		name = redact(endpoint)
	}
	if !o.Quiet {
		fmt.Fprintf(stderr, "brink collect: %d series and cold starts for %s..%s from %s\n",
			len(spec.Series()), start.Format(time.RFC3339), end.Format(time.RFC3339), name)
	}
	res, err := cloudwatch.Collect(ctx, cl.Metrics, cl.Logs, spec, cloudwatch.Options{
		RunID: m.RunID, Start: start, End: end, Margin: margin, Now: now, Endpoint: name})
	if err != nil {
		return nil, fmt.Errorf("collect from %s: %w", name, err)
	}
	res.Report.Region = cl.Region
	if err := writeCollected(runDir, m.RunID, res); err != nil {
		return nil, err
	}
	return res, nil
}

// writeCollected writes metrics/cloudwatch.parquet, logs.parquet and collect.json.
func writeCollected(runDir, runID string, res *cloudwatch.Result) error {
	dir := filepath.Join(runDir, brink.MetricsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create metrics directory: %w", err)
	}
	res.Report.Files = map[string]int{}
	for name, rows := range map[string][]brink.Metric{"cloudwatch.parquet": res.CloudWatch, "logs.parquet": res.Logs} {
		if err := parquet.WriteMetrics(filepath.Join(dir, name), runID, rows); err != nil {
			return err
		}
		res.Report.Files[name] = len(rows)
	}
	b, err := json.MarshalIndent(res.Report, "", "  ")
	if err != nil {
		return fmt.Errorf("encode collect.json: %w", err)
	}
	return brink.WriteFileAtomic(filepath.Join(dir, "collect.json"), append(b, '\n'))
}

// countdown waits d, showing the time left on stderr: a live line on a
// terminal, a line every 30 s otherwise.
func countdown(ctx context.Context, d time.Duration, what string, stderr io.Writer, quiet bool) error {
	if d <= 0 {
		return nil
	}
	tty := false
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
	}
	deadline := time.Now().Add(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := time.Time{}
	for {
		left := time.Until(deadline).Round(time.Second)
		if left <= 0 {
			if tty && !quiet {
				fmt.Fprint(stderr, "\r\033[K")
			}
			return nil
		}
		if !quiet && (tty || time.Since(last) >= 30*time.Second) {
			if tty {
				fmt.Fprintf(stderr, "\r\033[Kbrink: %s: %v left (Ctrl-C to stop)", what, left)
			} else {
				fmt.Fprintf(stderr, "brink: %s: %v left\n", what, left)
			}
			last = time.Now()
		}
		select {
		case <-ctx.Done():
			if tty && !quiet {
				fmt.Fprintln(stderr)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
