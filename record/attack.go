package record

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/replay"
	"brink/rundir"
)

// AttackOptions configure a recorded max-rate attack: the request, its pace
// and where the run goes. Zero values take replay.MaxRateOptions' defaults.
type AttackOptions struct {
	RunsDir string
	RunID   string // default: made from the start; the shards of an attack share one
	replay.MaxRateOptions
	// Path, when set, is appended to URL (a base URL then).
	Path string
	// BodyFile, when set, is read into Body.
	BodyFile string
	// OnStart is called once the run directory exists, before the first request.
	OnStart func(Started)
}

// check completes the request (URL with Path, Body from BodyFile, the
// method) and refuses what cannot be attacked.
func (o *AttackOptions) check() error {
	if o.URL == "" {
		return &OptionError{errors.New("--target is required, e.g. --target http://127.0.0.1:8080/health")}
	}
	if o.Path != "" {
		o.URL = strings.TrimRight(o.URL, "/") + "/" + strings.TrimLeft(o.Path, "/")
	}
	u, err := url.Parse(o.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return &OptionError{fmt.Errorf("--target %q: want an http:// or https:// URL", brink.RedactURL(o.URL))}
	case o.Connections < 1:
		return &OptionError{fmt.Errorf("--connections %d: must be at least 1", o.Connections)}
	case o.Duration <= 0:
		return &OptionError{fmt.Errorf("--duration %v: must be positive", o.Duration)}
	case o.Rate < 0:
		return &OptionError{fmt.Errorf("--rate %v: must not be negative (0 = as fast as possible)", o.Rate)}
	}
	if o.BodyFile != "" {
		if o.Body, err = os.ReadFile(o.BodyFile); err != nil {
			return fmt.Errorf("read --body: %w", err)
		}
	}
	if o.Method == "" {
		o.Method = "GET"
		if o.Body != nil {
			o.Method = "POST"
		}
	}
	o.Method = strings.ToUpper(o.Method)
	return nil
}

// AttackResult is what a recorded attack measured and wrote.
type AttackResult struct {
	replay.MaxRateResult
	RunID, Dir string
	Traces     string // the folder of the trace segments
	Status     string
	Rows       int64 // trace rows written
}

// AttackOutcome is brink attack --json's answer, in one object.
type AttackOutcome struct {
	RunDir   string           `json:"run_dir"`
	RunID    string           `json:"run_id"`
	Status   string           `json:"status"`
	Requests int64            `json:"requests"`
	Rows     int64            `json:"rows"` // trace rows written
	Errors   int64            `json:"errors"`
	ByError  map[string]int64 `json:"errors_by_class"`
	WallS    float64          `json:"wall_s"`
	RPS      float64          `json:"rps"`
	// Approximate (HDR histogram, 3 significant digits); brink analyze
	// gives exact ones.
	P50MS float64 `json:"p50_ms"`
	P90MS float64 `json:"p90_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
}

// Outcome is the attack as brink attack --json prints it.
func (r *AttackResult) Outcome() AttackOutcome {
	by := r.ByError
	if by == nil {
		by = map[string]int64{}
	}
	return AttackOutcome{RunDir: r.Dir, RunID: r.RunID, Status: r.Status, Requests: r.Requests, Rows: r.Rows, Errors: r.Errors,
		ByError: by, WallS: r.Wall.Seconds(), RPS: r.RPS, P50MS: r.P50MS, P90MS: r.P90MS, P99MS: r.P99MS, MaxMS: r.MaxMS}
}

// Attack records max-rate mode as a one-level run: every request one trace
// row, the level's hold the attack's duration. Run.json names the request
// (method, URL without credentials) and hashes it with its headers and body.
func Attack(ctx context.Context, o AttackOptions) (*AttackResult, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if err := checkStart(Options{RunID: o.RunID, StartAt: o.StartAt, Shard: o.Shard}); err != nil {
		return nil, err
	}
	secrets := &brink.Secrets{}
	secrets.AddURL(o.URL)
	for k, v := range o.Headers {
		secrets.AddHeader(k, v)
	}
	u, _ := url.Parse(o.URL)
	replay.RaiseOpenFileLimit(o.Connections + 256)
	clock, err := runClock(ctx, u.Scheme+"://"+u.Host, 0, o.StartAt)
	if err != nil {
		return nil, secrets.Err(err)
	}
	o.Clock = clock
	started := clock.Now()
	target := brink.RedactURL(o.URL)
	if !o.StartAt.IsZero() {
		started = clock.Scenario(o.StartAt)
	}
	w, err := rundir.Create(ctx, rundir.CreateOptions{
		RunsDir: o.RunsDir, RunID: o.RunID, Started: started, Target: o.URL,
		Shard: o.Shard.Index, Shards: o.Shard.Count, StartAt: o.StartAt, Hashes: brink.InputHashes{Plan: requestHash(o.MaxRateOptions)},
		Flow:  brink.FlowRef{Name: "attack", Source: "attack:" + o.Method + " " + target, SHA256: requestHash(o.MaxRateOptions)},
		Plan:  brink.Plan{Model: "closed", StartUsers: o.Connections, MaxUsers: o.Connections, Hold: brink.Duration(clock.ScenarioDuration(o.Duration))},
		Clock: clock,
	})
	if err != nil {
		return nil, err
	}
	res := &AttackResult{RunID: w.ID(), Dir: w.Dir(), Traces: w.Location(rundir.TracesDir)}
	// An attack that fails before its first request leaves nothing behind.
	discard := func(err error) (*AttackResult, error) {
		if w.Discard(context.WithoutCancel(ctx)) != nil {
			return res, secrets.Err(err)
		}
		return &AttackResult{RunID: w.ID()}, secrets.Err(err)
	}
	tw, err := parquet.NewTraceWriter(w.Path(w.TracesDir()), parquet.TraceOptions{RunID: w.ID(),
		Stored: func(path string, rows int64) error { return w.Segment(context.WithoutCancel(ctx), path, rows) }})
	if err != nil {
		return discard(err)
	}
	if o.OnStart != nil {
		o.OnStart(Started{RunID: w.ID(), Dir: w.Dir(), Target: target, Method: o.Method, Clock: clock})
	}
	o.RunID, o.Sink = w.ID(), tw
	// Max-rate mode keeps no live counters: the self-measurement has the
	// process's and the host's figures only.
	_, stopMeter, err := measureSelf(w, clock, func() (int64, int64, float64) { return 0, 0, 0 }, nil)
	if err != nil {
		tw.Close()
		return discard(err)
	}
	mr, runErr := replay.MaxRate(ctx, o.MaxRateOptions)
	stopMeter(context.WithoutCancel(ctx)) // the attack's numbers stand without it (as before: no warning channel here)
	res.MaxRateResult = mr
	closeErr := tw.Close()
	res.Rows = tw.Rows()
	if runErr != nil && res.Rows == 0 {
		return discard(runErr)
	}
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
	return res, finish(context.WithoutCancel(ctx), w, e, secrets, runErr, closeErr)
}

// requestHash identifies the attack's request: method, URL without
// credentials, headers in name order, body.
func requestHash(o replay.MaxRateOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", o.Method, brink.RedactURL(o.URL))
	for _, k := range slices.Sorted(maps.Keys(o.Headers)) {
		fmt.Fprintf(h, "%s: %s\n", k, o.Headers[k])
	}
	h.Write(o.Body)
	return hex.EncodeToString(h.Sum(nil))
}

// WriteText says what the attack measured, ending with one line for
// scripts: rps=N p50_ms=N p99_ms=N errors=N.
func (res *AttackResult) WriteText(w io.Writer) {
	fmt.Fprintf(w, "run %s %s: %d requests in %v, %d rows in %s\n", res.RunID, res.Status, res.Requests,
		res.Wall.Round(time.Millisecond), res.Rows, res.Traces)
	if len(res.ByError) > 0 {
		var parts []string
		for k, v := range res.ByError {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "errors by class: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "latency (approx.): p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", res.P50MS, res.P90MS, res.P99MS, res.MaxMS)
	fmt.Fprintf(w, "next: brink analyze --run %s\n", res.Dir)
	fmt.Fprintf(w, "rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n", res.RPS, res.P50MS, res.P99MS, res.Errors)
}
