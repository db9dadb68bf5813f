package main

import (
	"context"

	"brink/internal/cli"
	"brink/k8s"
)

func runK8s(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("k8s", "job --shards N --target URL --runs-dir s3://BUCKET/PREFIX --image IMAGE [flags]",
		"Prints the YAML of one run made by N pods (docs/scale-out.md): a ConfigMap of the inputs, an\n"+
			"Indexed Job whose pod i runs brink run --shard i/N from --start-at, and a Job that waits for\n"+
			"every shard, then collects, analyses and reports --runs-dir/<run_id>. It contacts no cluster.",
		"  brink k8s job --shards 8 --target https://staging.example.com --runs-dir s3://loadtests/brink \\\n"+
			"    --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/brink:v1 --plan plan.yaml | kubectl apply -f -", e.stdout)
	o := k8s.Options{Env: map[string]string{}}
	fs.IntVar(&o.Shards, "shards", 0, "generator pods; shard i runs users v with v mod N = i (required)")
	fs.StringVar(&o.Target, "target", "", "base URL of the chat API (required)")
	fs.StringVar(&o.RunsDir, "runs-dir", "", "s3://bucket/prefix that holds the run (required)")
	fs.StringVar(&o.Image, "image", "", "brink image the pods run (required; see Dockerfile)")
	fs.Var(&o.Flow, "flow", "flow YAML `file` (default: the built-in flow)")
	fs.Var(&o.Plan, "plan", "plan YAML `file`: ramp and stop rules (default: the built-in plan)")
	fs.Var(&o.Corpus, "corpus", "sessions corpus `file`: .jsonl, .csv or .parquet, inputs at most 1 MiB (default: built-in)")
	fs.Var(&o.CollectSpec, "collect-spec", "brink collect's metric spec YAML `file` (default: built-in)")
	fs.Var((*k8s.Instant)(&o.StartAt), "start-at", "shared start, an RFC 3339 `time` (default: now + 5m)")
	fs.StringVar(&o.RunID, "run-id", "", "run id (default: made from the start time)")
	fs.StringVar(&o.Namespace, "namespace", "", "namespace of the objects (default: kubectl's)")
	fs.StringVar(&o.CPU, "cpu", k8s.DefaultCPU, "CPU request of each pod (no limit: it would throttle the generator)")
	fs.StringVar(&o.Memory, "memory", k8s.DefaultMemory, "memory request of each pod")
	fs.StringVar(&o.ServiceAccount, "service-account", "", "service account of the pods (IRSA: the role that reaches S3, CloudWatch, Logs)")
	fs.StringVar(&o.Secret, "secret", "", "Secret whose keys become environment variables (a flow's ${env:NAME})")
	fs.Var(cli.Pairs{M: o.Env, Sep: "=", Want: "NAME=VALUE"}, "env", "`NAME=VALUE` set in every pod, repeatable (AWS_REGION=eu-west-1)")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "job" {
		return cli.Usagef("want brink k8s job [flags]")
	}
	y, err := k8s.Manifests(o)
	if err == nil {
		_, err = e.stdout.Write(y)
	}
	return err
}
