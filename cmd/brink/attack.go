package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/replay"
)

func init() {
	register("attack", "max-rate mode: N connections, no think time, every request traced", runAttack)
}

// headerFlags collects repeated --header 'Name: value' flags.
type headerFlags map[string]string

func (h headerFlags) String() string { return "" }

func (h headerFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("header %q: want 'Name: value'", v)
	}
	h[strings.TrimSpace(k)] = strings.TrimSpace(val)
	return nil
}

func runAttack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("attack", "--target URL [flags]",
		"Max-rate mode: --connections connections each send the same request back to back (or\n"+
			"paced to --rate requests/s in all) for --duration, with no think time. Every request is\n"+
			"one trace row under --runs-dir/<run_id>/traces (one level, phase steady, step --step), so\n"+
			"brink analyze reads the run like a one-level ramp. Prints the run directory, then a last\n"+
			"line 'rps=N p50_ms=N p99_ms=N errors=N' (percentiles approximate, HDR 3 digits; brink\n"+
			"analyze gives exact ones). Requests go only to the target's host; redirects are answers.",
		"  brink attack --target http://127.0.0.1:8080/health --connections 50 --duration 10s\n"+
			"  brink attack --target http://127.0.0.1:8080 --method POST --path /chat/sessions/bench/messages --body body.json --rate 2000", stdout)
	target := fs.String("target", "", "URL to attack, or the base URL when --path is given (required)")
	method := fs.String("method", "", "HTTP method (default GET, or POST with --body)")
	path := fs.String("path", "", "path appended to --target")
	bodyFile := fs.String("body", "", "file whose content is the request body")
	headers := headerFlags{}
	fs.Var(headers, "header", "extra request header 'Name: value' (repeatable); Content-Type defaults to application/json with --body")
	conns := fs.Int("connections", 50, "concurrent connections (one request in flight on each)")
	dur := fs.Duration("duration", 10*time.Second, "how long to start requests (wall time)")
	rate := fs.Float64("rate", 0, "total requests per second, spread over the connections; 0 = as fast as possible")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	runsDir := fs.String("runs-dir", "runs", "directory that holds run directories")
	step := fs.String("step", brink.StepAsk, "step name recorded in the traces (brink analyze reports step ask)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the attack to this file (for work on brink's speed)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *target == "" {
		return usagef("--target is required, e.g. --target http://127.0.0.1:8080/health")
	}
	full := *target
	if *path != "" {
		full = strings.TrimRight(*target, "/") + "/" + strings.TrimLeft(*path, "/")
	}
	u, err := url.Parse(full)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--target %q: want an http:// or https:// URL", full)
	}
	if *conns < 1 {
		return usagef("--connections %d: must be at least 1", *conns)
	}
	if *dur <= 0 {
		return usagef("--duration %v: must be positive", *dur)
	}
	if *rate < 0 {
		return usagef("--rate %v: must not be negative (0 = as fast as possible)", *rate)
	}
	var body []byte
	if *bodyFile != "" {
		if body, err = os.ReadFile(*bodyFile); err != nil {
			return fmt.Errorf("read --body: %w", err)
		}
	}
	if *method == "" {
		*method = "GET"
		if body != nil {
			*method = "POST"
		}
	}
	*method = strings.ToUpper(*method)
	replay.RaiseOpenFileLimit(*conns + 256)

	base := u.Scheme + "://" + u.Host
	client, err := replay.NewClient(1, replay.ClientOptions{})
	if err != nil {
		return err
	}
	clock, _, err := replay.DiscoverClock(ctx, client, base)
	if err != nil {
		return err
	}
	client.CloseIdleConnections()

	now := time.Now()
	runID := brink.NewRunID(clock.Scenario(now), randomSuffix())
	runDir := filepath.Join(*runsDir, runID)
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return fmt.Errorf("create run directory: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", *method, redact(full))
	for _, k := range sortedKeys(headers) {
		fmt.Fprintf(h, "%s: %s\n", k, headers[k])
	}
	h.Write(body)
	m := &brink.Manifest{
		SchemaVersion: brink.SchemaVersion, Tool: "brink", Version: brink.Version, RunID: runID,
		StartedAt: clock.Scenario(now), Status: brink.StatusRunning, Target: redact(full),
		Flow:      brink.FlowRef{Name: "attack", Source: "attack:" + *method + " " + redact(full), SHA256: hex.EncodeToString(h.Sum(nil))},
		Plan:      brink.Plan{Model: "closed", StartUsers: *conns, MaxUsers: *conns, Hold: brink.Duration(clock.ScenarioDuration(*dur))},
		StopRules: []brink.StopRule{}, TimeScale: clock.Scale, Epoch: clock.Epoch, PID: os.Getpid(),
		Levels: []brink.LevelWindow{},
	}
	if err := brink.WriteManifest(runDir, m); err != nil {
		return err
	}
	tw, err := parquet.NewTraceWriter(filepath.Join(runDir, brink.TracesDir), parquet.TraceOptions{RunID: runID})
	if err != nil {
		return err
	}
	mode := "as fast as possible"
	if *rate > 0 {
		mode = fmt.Sprintf("%g req/s", *rate)
	}
	fmt.Fprintf(stderr, "brink attack %s: %s %s, %d connections, %v, %s\n", runID, *method, redact(full), *conns, *dur, mode)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	res, runErr := replay.MaxRate(ctx, replay.MaxRateOptions{
		URL: full, Method: *method, Body: body, Headers: headers, Connections: *conns, Duration: *dur,
		Rate: *rate, Timeout: *timeout, RunID: runID, Step: *step, Clock: clock, Sink: tw,
	})
	closeErr := tw.Close()
	end := res.Window.End
	if end.IsZero() {
		end = clock.Now()
	}
	m.EndedAt, m.Status = &end, brink.StatusCompleted
	if !res.Window.SteadyStart.IsZero() {
		m.Levels = []brink.LevelWindow{res.Window}
	}
	switch {
	case runErr != nil:
		m.Status, m.StopReason = brink.StatusFailed, runErr.Error()
	case closeErr != nil:
		m.Status, m.StopReason = brink.StatusFailed, closeErr.Error()
	case ctx.Err() != nil:
		m.Status, m.StopReason = brink.StatusInterrupted, "interrupted: "+context.Cause(ctx).Error()
	}
	if err := brink.WriteManifest(runDir, m); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if closeErr != nil {
		return fmt.Errorf("close traces: %w (segments closed before are kept)", closeErr)
	}
	fmt.Fprintf(stdout, "run %s %s: %d requests in %v, %d rows in %s\n", runID, m.Status, res.Requests,
		res.Wall.Round(time.Millisecond), tw.Rows(), filepath.Join(runDir, brink.TracesDir))
	if len(res.ByError) > 0 {
		var parts []string
		for k, v := range res.ByError {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(parts)
		fmt.Fprintf(stdout, "errors by class: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(stdout, "latency (approx.): p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", res.P50MS, res.P90MS, res.P99MS, res.MaxMS)
	fmt.Fprintf(stdout, "next: brink analyze --run %s\n", runDir)
	fmt.Fprintf(stdout, "rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n", res.RPS, res.P50MS, res.P99MS, res.Errors)
	if m.Status == brink.StatusInterrupted {
		return errors.New("interrupted; the traces recorded so far are kept and can be analysed")
	}
	return nil
}
