package record

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"

	"brink"
	"brink/collect/parquet"
	"brink/replay"
	"brink/rundir"
)

// AttackOptions configure a recorded max-rate attack: the request, its pace
// and where the run goes. Zero values take replay.MaxRateOptions' defaults.
type AttackOptions struct {
	RunsDir string
	replay.MaxRateOptions
	// OnStart is called once the run directory exists, before the first request.
	OnStart func(Started)
}

// AttackResult is what a recorded attack measured and wrote.
type AttackResult struct {
	replay.MaxRateResult
	RunID, Dir string
	Traces     string // the folder of the trace segments
	Status     string
	Rows       int64 // trace rows written
}

// Attack records max-rate mode as a one-level run: every request one trace
// row, the level's hold the attack's duration. Run.json names the request
// (method, URL without credentials) and hashes it with its headers and body.
func Attack(ctx context.Context, o AttackOptions) (*AttackResult, error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" {
		return nil, &OptionError{fmt.Errorf("target %q: want an http:// or https:// URL", brink.RedactURL(o.URL))}
	}
	replay.RaiseOpenFileLimit(o.Connections + 256)
	clock, err := runClock(ctx, u.Scheme+"://"+u.Host, 0)
	if err != nil {
		return nil, err
	}
	o.Clock = clock
	started := clock.Now()
	target := brink.RedactURL(o.URL)
	w, err := rundir.Create(ctx, rundir.CreateOptions{
		RunsDir: o.RunsDir, Started: started, Target: o.URL,
		Flow:  brink.FlowRef{Name: "attack", Source: "attack:" + o.Method + " " + target, SHA256: requestHash(o.MaxRateOptions)},
		Plan:  brink.Plan{Model: "closed", StartUsers: o.Connections, MaxUsers: o.Connections, Hold: brink.Duration(clock.ScenarioDuration(o.Duration))},
		Clock: clock,
	})
	if err != nil {
		return nil, err
	}
	res := &AttackResult{RunID: w.ID(), Dir: w.Dir(), Traces: w.Path(rundir.TracesDir)}
	tw, err := parquet.NewTraceWriter(w.Path(rundir.TracesDir), parquet.TraceOptions{RunID: w.ID(), Prefix: rundir.TraceSegmentPrefix})
	if err != nil {
		return res, err
	}
	if o.OnStart != nil {
		o.OnStart(Started{RunID: w.ID(), Dir: w.Dir(), Target: target, Clock: clock})
	}
	o.RunID, o.Sink = w.ID(), tw
	mr, runErr := replay.MaxRate(ctx, o.MaxRateOptions)
	res.MaxRateResult = mr
	closeErr := tw.Close()
	res.Rows = tw.Rows()
	e := rundir.Ending{Ended: mr.Window.End, Status: brink.StatusCompleted}
	if e.Ended.IsZero() {
		e.Ended = clock.Now()
	}
	if !mr.Window.SteadyStart.IsZero() {
		e.Levels = []brink.LevelWindow{mr.Window}
	}
	switch {
	case runErr != nil:
		e.Status, e.Reason = brink.StatusFailed, runErr.Error()
	case closeErr != nil:
		e.Status, e.Reason = brink.StatusFailed, closeErr.Error()
	case ctx.Err() != nil:
		e.Status, e.Reason = brink.StatusInterrupted, "interrupted: "+context.Cause(ctx).Error()
	}
	res.Status = e.Status
	if err := w.Finish(ctx, e); err != nil {
		return res, err
	}
	if runErr != nil {
		return res, runErr
	}
	if closeErr != nil {
		return res, fmt.Errorf("close traces: %w (segments closed before are kept)", closeErr)
	}
	return res, nil
}

// requestHash identifies the attack's request: method, URL without
// credentials, headers in name order, body.
func requestHash(o replay.MaxRateOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", o.Method, brink.RedactURL(o.URL))
	keys := make([]string, 0, len(o.Headers))
	for k := range o.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s: %s\n", k, o.Headers[k])
	}
	h.Write(o.Body)
	return hex.EncodeToString(h.Sum(nil))
}
