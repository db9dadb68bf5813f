package main

import (
	"context"
	"fmt"
	"time"

	"brink/sim"
)

func runSim(ctx context.Context, e env, args []string) error {
	fs := newFlags("sim", "[flags]",
		"Starts brink's embedded serverless chat stack (API Gateway -> Lambda -> DynamoDB -> Bedrock)\n"+
			"on a real HTTP listener and serves until interrupted. Every delay is scenario time,\n"+
			"slept for --time-scale of it; GET /_brink/clock announces the clock to brink run.",
		"  brink sim --addr 127.0.0.1:8080 --time-scale 0.02 &\n  brink run --target http://127.0.0.1:8080", e.stdout)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port; the address is printed)")
	scale := fs.Float64("time-scale", 1, "wall seconds per scenario second, in (0,1]: 0.02 runs 50x faster")
	config := fs.String("config", "", "YAML file of model limits over the defaults (docs/sim.md)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg := sim.DefaultConfig()
	if *config != "" {
		var err error
		if cfg, err = sim.LoadConfig(*config); err != nil {
			return err
		}
	}
	s, err := sim.New(cfg, *scale)
	if err != nil {
		return usagef("%v", err)
	}
	srv, err := s.Listen(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "brink sim listening on %s (time scale %g, scenario epoch %s)\n",
		srv.URL, s.Clock().Scale, s.Clock().Epoch.Format(time.RFC3339Nano))
	fmt.Fprintf(e.stdout, "CloudWatch (GetMetricData, ListMetrics) and Logs Insights (log group %s) on the same address:\n"+
		"  aws cloudwatch list-metrics --endpoint-url %s --region us-east-1  (any SigV4 credentials)\n",
		s.LogGroup(), srv.URL)
	select {
	case err := <-srv.Failed():
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	c := s.Counters()
	fmt.Fprintf(e.stdout, "brink sim stopped: %d requests, %d answered turns, %d Lambda throttles, %d cold starts, %d DynamoDB and %d Bedrock throttled attempts\n",
		c.Requests.Load(), c.Turns.Load(), c.LambdaThrottles.Load(), c.ColdStarts.Load(), c.DynamoThrottles.Load(), c.BedrockThrottles.Load())
	return nil
}
