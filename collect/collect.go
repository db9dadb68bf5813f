// Package collect is the collect stage: it brings a run's platform metrics
// into its run directory. It decides where they live (the brink sim that
// served the run, or AWS), waits for CloudWatch's publishing delay, asks
// with collect/cloudwatch and writes metrics/cloudwatch.parquet,
// metrics/logs.parquet (collect/parquet) and metrics/collect.json.
//
// The importers of other tools' results live in collect/importers.
package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"time"

	"brink"
	"brink/collect/cloudwatch"
	"brink/collect/parquet"
	"brink/rundir"
)

// PublishingDelay is how long CloudWatch may take to publish a minute's
// datapoints; collecting sooner after a run against AWS misses its end.
const PublishingDelay = 3 * time.Minute

// Options are brink collect's flags (and what brink run --collect and brink
// demo pass). Zero values take the defaults.
type Options struct {
	SpecFile string // metric spec YAML; default: the built-in spec (AWS) or the sim's
	Region   string
	Profile  string
	Endpoint string // CloudWatch and Logs endpoint instead of AWS's (a brink sim, a proxy)
	HighRes  *bool  // nil: the spec's
	Margin   time.Duration
	// TryTarget collects from the run's target when it is a brink sim
	// (brink run --collect); otherwise only a compressed run does.
	TryTarget bool
	// Wait waits out CloudWatch's publishing delay against AWS (what says
	// why); nil sleeps. A command shows a countdown.
	Wait func(ctx context.Context, d time.Duration, what string) error
	// Note receives what the collector would tell a user on the way (a run
	// without ended_at, the series it asks for); nil drops them.
	Note func(string)
	// MFAToken asks for the MFA code of an AssumeRole profile with
	// mfa_serial (cloudwatch.PromptMFA on a terminal); nil: such a profile
	// fails with a message.
	MFAToken func() (string, error)
}

// Result is what Run fetched and wrote.
type Result struct {
	*cloudwatch.Result
	Source string   // the sim's URL or "AWS <region>"
	Files  []string // the files written, local paths
}

// Run collects the metrics of the run in runDir into its metrics folder:
// from the brink sim that served it (its target, or o.Endpoint when that is
// a sim) with dummy credentials, or from AWS with the default credential
// chain. It is the one code path of brink collect, brink run --collect and
// brink demo.
func Run(ctx context.Context, runDir string, o Options) (*Result, error) {
	run, err := rundir.Open(ctx, runDir)
	if err != nil {
		return nil, err
	}
	if o.Note == nil {
		o.Note = func(string) {}
	}
	if o.Margin <= 0 {
		o.Margin = time.Minute
	}
	m := run.Manifest()
	start, end, err := window(m, runDir, o.Note)
	if err != nil {
		return nil, err
	}
	src, err := findSource(ctx, m, o)
	if err != nil {
		return nil, err
	}
	spec, err := specFor(src.isSim, o)
	if err != nil {
		return nil, err
	}
	cl, now, err := src.connect(ctx, end.Add(o.Margin), o)
	if err != nil {
		return nil, err
	}
	name := "AWS " + cl.Region
	if src.endpoint != "" {
		name = brink.RedactURL(src.endpoint)
	}
	o.Note(fmt.Sprintf("%d series and cold starts for %s..%s from %s",
		len(spec.Series()), start.Format(time.RFC3339), end.Format(time.RFC3339), name))
	res, err := cloudwatch.Collect(ctx, cl.Metrics, cl.Logs, spec, cloudwatch.Options{
		RunID: m.RunID, Start: start, End: end, Margin: o.Margin, Now: now, Endpoint: name, Sim: src.isSim})
	if err != nil {
		return nil, fmt.Errorf("collect from %s: %w", name, err)
	}
	res.Report.Region = cl.Region
	out := &Result{Result: res, Source: name}
	if out.Files, err = write(ctx, run, res); err != nil {
		return nil, err
	}
	return out, nil
}

// window is the run's span in scenario time: run.json's started_at to its
// ended_at, or to its last level's end when the run never finished.
func window(m *brink.Manifest, runDir string, note func(string)) (start, end time.Time, err error) {
	switch {
	case m.EndedAt != nil:
		return m.StartedAt, *m.EndedAt, nil
	case len(m.Levels) > 0:
		end = m.Levels[len(m.Levels)-1].End
		note(fmt.Sprintf("run.json has no ended_at (status %s): collecting until the last level's end, %s",
			m.EffectiveStatus(), end.Format(time.RFC3339)))
		return m.StartedAt, end, nil
	}
	return start, end, fmt.Errorf("collect %s: run.json has no ended_at and no level finished: nothing to collect", runDir)
}

// source is where a run's metrics live.
type source struct {
	endpoint string // "" : AWS's own endpoints
	isSim    bool
	clock    brink.Clock // the sim's
}

// findSource decides between the sim that served the run and AWS. A
// compressed run (time scale < 1) can only have been served by a sim, and
// only that very sim (same epoch) holds its metrics.
func findSource(ctx context.Context, m *brink.Manifest, o Options) (source, error) {
	s := source{endpoint: o.Endpoint}
	if s.endpoint == "" && (m.TimeScale < 1 || o.TryTarget) {
		s.endpoint = m.Target // a brink sim serves its metrics on the chat API's listener
	}
	if s.endpoint != "" {
		clock, found, err := brink.DiscoverClock(ctx, &http.Client{Timeout: 10 * time.Second}, s.endpoint)
		switch {
		case err != nil && m.TimeScale < 1:
			return s, fmt.Errorf("collect: the run's metrics live in the brink sim that served it (%s), and it does not answer: %w; "+
				"collect while that sim runs (brink run --collect, or pass its --endpoint-url)", brink.RedactURL(s.endpoint), err)
		case err != nil && o.Endpoint != "":
			return s, fmt.Errorf("collect: %w (check --endpoint-url)", err)
		}
		s.isSim, s.clock = found, clock
		if !s.isSim && o.Endpoint == "" {
			s.endpoint = "" // the target is a real API: its metrics are in AWS
		}
	}
	if m.TimeScale < 1 && !s.isSim {
		return s, fmt.Errorf("collect: run %s used a compressed clock (time scale %g): its metrics exist only in the brink sim that served it; pass that sim's --endpoint-url",
			m.RunID, m.TimeScale)
	}
	if s.isSim && !s.clock.Epoch.Equal(m.Epoch) {
		return s, fmt.Errorf("collect: the brink sim at %s started at %s, but run %s ran on a clock from %s: it is another sim and holds none of this run's metrics",
			brink.RedactURL(s.endpoint), s.clock.Epoch.Format(time.RFC3339Nano), m.RunID, m.Epoch.Format(time.RFC3339Nano))
	}
	return s, nil
}

func specFor(isSim bool, o Options) (cloudwatch.Spec, error) {
	spec := cloudwatch.DefaultSpec()
	if isSim {
		spec = cloudwatch.SimSpec()
	}
	if o.SpecFile != "" {
		var err error
		if spec, err = cloudwatch.LoadSpec(o.SpecFile); err != nil {
			return spec, err
		}
	}
	if o.HighRes != nil {
		spec.HighResolution = *o.HighRes
	}
	return spec, nil
}

// connect builds the clients and waits until the data is there: the sim
// publishes at once (wait only for its clock to pass until), AWS within its
// publishing delay. now is the present on the data's clock.
func (s source) connect(ctx context.Context, until time.Time, o Options) (cl cloudwatch.Clients, now time.Time, err error) {
	if s.isSim {
		cl, err = cloudwatch.Connect(ctx, cloudwatch.ConnectOptions{Endpoint: s.endpoint, Region: o.Region, Static: true})
		if wait := time.Until(s.clock.Wall(until)); err == nil && wait > 0 {
			err = sleep(ctx, min(wait, time.Minute))
		}
		return cl, s.clock.Now(), err
	}
	cl, err = cloudwatch.Connect(ctx, cloudwatch.ConnectOptions{Endpoint: s.endpoint, Region: o.Region, Profile: o.Profile, MFAToken: o.MFAToken})
	if err != nil {
		return cl, now, err
	}
	if d := time.Until(until.Add(PublishingDelay - o.Margin)); d > 0 {
		wait := o.Wait
		if wait == nil {
			wait = func(ctx context.Context, d time.Duration, _ string) error { return sleep(ctx, d) }
		}
		if err := wait(ctx, d, "waiting for CloudWatch to publish the run's last minutes"); err != nil {
			return cl, now, err
		}
	}
	return cl, time.Now(), nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// write stores the datapoints and collect.json in the run.
func write(ctx context.Context, run *rundir.Run, res *cloudwatch.Result) ([]string, error) {
	res.Report.Files = map[string]int{}
	var files []string
	for _, f := range []struct {
		name string
		rows []brink.Metric
	}{{rundir.CloudWatchFile, res.CloudWatch}, {rundir.LogsFile, res.Logs}, {rundir.SimSelfFile, res.Sim}} {
		if f.name == rundir.SimSelfFile && len(f.rows) == 0 {
			continue // not a sim, or a sim from before it measured itself
		}
		p, err := run.Prepare(f.name)
		if err != nil {
			return files, err
		}
		if err := parquet.WriteMetrics(p, run.ID(), f.rows); err != nil {
			return files, err
		}
		if err := run.Publish(ctx, f.name); err != nil {
			return files, err
		}
		res.Report.Files[path.Base(f.name)] = len(f.rows)
		files = append(files, run.Location(f.name))
	}
	if err := WriteReport(ctx, run, &res.Report); err != nil {
		return files, err
	}
	return append(files, run.Location(rundir.CollectFile)), nil
}

// WriteReport writes collect.json: what was asked, what came back empty,
// the warnings.
func WriteReport(ctx context.Context, run *rundir.Run, r *cloudwatch.Report) error {
	return run.WriteJSON(ctx, rundir.CollectFile, r)
}

// ReadReport reads the run's collect.json; nil, nil when the run has not
// been collected.
func ReadReport(ctx context.Context, run *rundir.Run) (*cloudwatch.Report, error) {
	var r cloudwatch.Report
	err := run.ReadJSON(ctx, rundir.CollectFile, &r)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// WriteText says what collect fetched and wrote, in a few lines.
func (res *Result) WriteText(w io.Writer) {
	r := res.Report
	fmt.Fprintf(w, "collected %d datapoints of %d series (%d empty) at %d s periods, %d Logs Insights rows, %v..%v\n",
		len(res.CloudWatch), len(r.Asked), len(r.Empty), r.PeriodS, len(res.Logs), r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339))
	for _, f := range res.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "%d warning(s) in collect.json, the first: %s\n", len(r.Warnings), r.Warnings[0])
	}
}
