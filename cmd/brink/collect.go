package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"brink/collect"
	"brink/collect/cloudwatch"
	"brink/internal/cli"
	"brink/internal/live"
)

func runCollect(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("collect", "--run DIR [flags]",
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
			"  brink collect --print-spec > chat-stack.yaml", e.stdout)
	var o collect.Options
	run := fs.String("run", "", "run directory (holds run.json) (required)")
	fs.StringVar(&o.SpecFile, "spec", "", "metric spec YAML naming the API, functions, tables and models (default: built-in)")
	fs.StringVar(&o.Region, "region", "", "AWS region (default: AWS_REGION or the profile's)")
	fs.StringVar(&o.Profile, "profile", "", "shared config profile (default: AWS_PROFILE or default)")
	fs.StringVar(&o.Endpoint, "endpoint-url", "", "CloudWatch and Logs endpoint instead of AWS's (brink sim, a proxy)")
	highRes := fs.Bool("high-resolution", false, "ask for 1-second periods (data under 3 hours old; default: the spec's)")
	fs.DurationVar(&o.Margin, "margin", time.Minute, "widen the run's window by this on both sides (scenario time)")
	printSpec := fs.Bool("print-spec", false, "print the default metric spec for an AWS chat stack and exit")
	asJSON := fs.Bool("json", false, "print collect.json to stdout instead of a summary")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if _, err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *printSpec {
		_, err := e.stdout.Write(cloudwatch.DefaultSpecYAML())
		return err
	}
	if *run == "" {
		return cli.Usagef("--run is required (a run directory, e.g. runs/20260301T120000Z-a1b2c3)")
	}
	if cli.Set(fs)["high-resolution"] {
		o.HighRes = highRes
	}
	res, err := collect.Run(ctx, *run, collectOptions(o, e.stderr, *quiet))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res.Report)
	}
	res.WriteText(e.stdout)
	return nil
}

// collectOptions adds the terminal's part to o: notes on stderr and a
// countdown while CloudWatch publishes.
func collectOptions(o collect.Options, stderr io.Writer, quiet bool) collect.Options {
	if !quiet {
		o.Note = func(s string) { fmt.Fprintf(stderr, "brink collect: %s\n", s) }
	}
	o.MFAToken = cloudwatch.PromptMFA(os.Stdin, stderr)
	o.Wait = func(ctx context.Context, d time.Duration, what string) error {
		return live.Countdown(ctx, d, what, stderr, quiet)
	}
	return o
}
