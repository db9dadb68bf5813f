package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"brink"
	"brink/internal/cli"
	"brink/internal/gcfloor"
	"brink/record"
	"brink/rundir"
)

func runAttack(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("attack", "--target URL [flags]",
		"Max-rate mode: --connections connections each send the same request back to back (or\n"+
			"paced to --rate requests/s in all) for --duration, with no think time. Every request is\n"+
			"one trace row under --runs-dir/<run_id>/traces (one level, phase steady, step --step), so\n"+
			"brink analyze reads the run like a one-level ramp. Prints the run directory, then a last\n"+
			"line 'rps=N p50_ms=N p99_ms=N errors=N' (percentiles approximate, HDR 3 digits; brink\n"+
			"analyze gives exact ones). Requests go only to the target's host; redirects are answers.",
		"  brink attack --target http://127.0.0.1:8080/health --connections 50 --duration 10s\n"+
			"  brink attack --target http://127.0.0.1:8080 --method POST --path /chat/sessions/bench/messages --body body.json --rate 2000", e.stdout)
	var o record.AttackOptions
	o.Headers = map[string]string{}
	fs.StringVar(&o.URL, "target", "", "URL to attack, or the base URL when --path is given (required)")
	fs.StringVar(&o.Method, "method", "", "HTTP method (default GET, or POST with --body)")
	fs.StringVar(&o.Path, "path", "", "path appended to --target")
	fs.StringVar(&o.BodyFile, "body", "", "file whose content is the request body")
	fs.Var(cli.Pairs{M: o.Headers, Sep: ":", Want: "'Name: value'"}, "header", "extra request header 'Name: value' (repeatable); Content-Type defaults to application/json with --body")
	fs.IntVar(&o.Connections, "connections", 50, "concurrent connections (one request in flight on each)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to start requests (wall time)")
	fs.Float64Var(&o.Rate, "rate", 0, "total requests per second, spread over the connections; 0 = as fast as possible")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "per-request timeout")
	fs.StringVar(&o.RunsDir, "runs-dir", rundir.DefaultRunsDir, "directory that holds run directories")
	fs.StringVar(&o.Step, "step", brink.StepAsk, "step name recorded in the traces (brink analyze reports step ask)")
	sf := addShardFlags(fs)
	asJSON := fs.Bool("json", false, "print the outcome as one JSON object on stdout (run_dir, run_id, status, requests, rows, errors, errors_by_class, wall_s, rps, p50_ms, p90_ms, p99_ms, max_ms)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the attack to this file (for work on brink's speed)")
	if _, err := cli.Parse(fs, args); err != nil {
		return err
	}
	stop, err := startGenerator(ctx, *cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	if o.Shard, o.StartAt, err = sf.parse(); err != nil {
		return err
	}
	o.RunID = sf.runID
	o.OnStart = func(s record.Started) {
		mode := "as fast as possible"
		if o.Rate > 0 {
			mode = fmt.Sprintf("%g req/s", o.Rate)
		}
		fmt.Fprintf(e.stderr, "brink attack %s: %s %s, %d connections, %v, %s\n", s.RunID, s.Method, s.Target, o.Connections, o.Duration, mode)
	}
	res, err := record.Attack(ctx, o)
	if err != nil {
		return err
	}
	res.WriteText(e.human(*asJSON))
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(res.Outcome()); err != nil {
			return err
		}
	}
	if res.Status == brink.StatusInterrupted {
		return errInterrupted
	}
	return nil
}

// startGenerator sets a generator's process up until stop: the collector's
// heap floor (collections took a tenth of its core), and a CPU profile.
func startGenerator(ctx context.Context, profile string) (stop func(), err error) {
	floor := gcfloor.Start(ctx, gcfloor.Floor)
	if profile == "" {
		return floor, nil
	}
	f, err := os.Create(profile)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		floor()
		f.Close() // nil-safe, when Create failed
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close(); floor() }, nil
}
