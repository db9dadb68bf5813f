package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

// brink k8s job prints the start first, then documents kubectl reads; the
// flags reach the shards' args.
func TestK8sJob(t *testing.T) {
	start := time.Now().UTC().Add(time.Hour).Truncate(time.Second).Format(time.RFC3339)
	code, out, errs := brinkMain(t, "k8s", "job", "--shards", "4", "--target", "https://chat.example.com",
		"--runs-dir", "s3://bucket/brink", "--image", "brink:1", "--plan", "../../examples/plan.yaml",
		"--start-at", start, "--run-id", "nightly-7", "--env", "AWS_REGION=eu-west-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !regexp.MustCompile(`^# start at ` + start + ` \(now \+ (59m5\d|1h)s?\)\n`).MatchString(out) {
		t.Fatalf("first line of %q", out[:min(len(out), 80)])
	}
	docs := regexp.MustCompile(`(?m)^---\n`).Split(out, -1)
	if len(docs) != 4 { // header, ConfigMap, shards, analyze
		t.Fatalf("%d documents", len(docs)-1)
	}
	var j batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(docs[2]), &j); err != nil {
		t.Fatal(err)
	}
	args := strings.Join(j.Spec.Template.Spec.Containers[0].Args, " ")
	want := "run --shard $(JOB_COMPLETION_INDEX)/4 --start-at " + start + " --run-id nightly-7 --target https://chat.example.com --runs-dir s3://bucket/brink --plan /etc/brink/plan.yaml --quiet"
	if j.Name != "brink-nightly-7-shards" || args != want {
		t.Fatalf("Job %s runs %q, want %q", j.Name, args, want)
	}
}

// Usage errors: exit 2, one line naming the flag.
func TestK8sJobUsage(t *testing.T) {
	ok := []string{"k8s", "job", "--shards", "2", "--target", "https://x.example", "--runs-dir", "s3://b", "--image", "brink"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"k8s", "--shards", "2"}, "want brink k8s job"},
		{append(ok[:3:3], "0", "--target", "https://x.example", "--runs-dir", "s3://b", "--image", "brink"), "--shards 0"},
		{append(ok, "--runs-dir", "runs"), `--runs-dir "runs"`},
		{append(ok, "--start-at", "2020-01-01T00:00:00Z"), "--start-at 2020-01-01T00:00:00Z is not in the future"},
		{append(ok, "--start-at", "tomorrow"), `invalid value "tomorrow" for flag -start-at: want an RFC 3339 time`},
		{append(ok, "--plan", "nope.yaml"), `invalid value "nope.yaml" for flag -plan`},
		{append(ok, "--env", "AWS_REGION"), "want NAME=VALUE"},
	} {
		code, out, errs := brinkMain(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(strings.SplitN(errs, "\n", 2)[0], c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
}
