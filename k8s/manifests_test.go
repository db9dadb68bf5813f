package k8s

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

var now = time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC)

// decoded is Manifests' output read back into the API types.
type decoded struct {
	header  []string // the comment lines before the first document
	cm      *corev1.ConfigMap
	shards  batchv1.Job
	analyze batchv1.Job
}

// decode splits the stream and decodes each document strictly (an unknown
// field fails), by its kind.
func decode(t testing.TB, out []byte) decoded {
	t.Helper()
	var d decoded
	docs := regexp.MustCompile(`(?m)^---\n`).Split(string(out), -1)
	d.header = strings.Split(strings.TrimSuffix(docs[0], "\n"), "\n")
	var jobs []batchv1.Job
	for _, doc := range docs[1:] {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("decode %q: %v", doc, err)
		}
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 ConfigMap":
			if d.cm != nil {
				t.Fatal("two ConfigMaps")
			}
			d.cm = &corev1.ConfigMap{}
			if err := yaml.UnmarshalStrict([]byte(doc), d.cm); err != nil {
				t.Fatal(err)
			}
		case "batch/v1 Job":
			var j batchv1.Job
			if err := yaml.UnmarshalStrict([]byte(doc), &j); err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, j)
		default:
			t.Fatalf("unexpected document %s %s", tm.APIVersion, tm.Kind)
		}
	}
	if len(jobs) != 2 {
		t.Fatalf("%d Jobs, want 2", len(jobs))
	}
	d.shards, d.analyze = jobs[0], jobs[1]
	return d
}

// writeFile writes data to dir/name and returns the File read back by Set,
// as the flag does.
func writeFile(t *testing.T, dir, name string, data []byte) File {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var f File
	if err := f.Set(p); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestManifests(t *testing.T) {
	dir := t.TempDir()
	flow, _ := os.ReadFile("../examples/flow.yaml")
	plan := []byte("start_users: 5\nstep_users: 5\nmax_users: 22\nramp: 1m\nhold: 4m\n") // 4 levels: 5, 10, 15, 20 (capped at 22)
	corpus := []byte(`{"session_id":"s1","turns":["hello"]}` + "\n")
	o := Options{
		Shards: 3, Target: "https://chat.example.com/v1", RunsDir: "s3://bucket/load/", Image: "registry.example/brink:1",
		Now: now, Namespace: "load",
		Flow: writeFile(t, dir, "chat.yaml", flow), Plan: writeFile(t, dir, "ramp.yaml", plan),
		Corpus:         writeFile(t, dir, "support-chats.jsonl", corpus),
		ServiceAccount: "brink-irsa", Secret: "chat-api", Env: map[string]string{"AWS_REGION": "eu-west-1"},
	}
	out, err := Manifests(o)
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, out)

	// The default start: now + 5 minutes, said first; the run id is made
	// from it as brink run makes one.
	start := "2026-11-26T10:20:00Z"
	if d.header[0] != "# start at "+start+" (now + 5m)" {
		t.Fatalf("first line %q", d.header[0])
	}
	runID := d.shards.Labels[labelRun]
	if !regexp.MustCompile(`^20261126T102000Z-[0-9a-f]{6}$`).MatchString(runID) {
		t.Fatalf("run id %q: want 20261126T102000Z- and 6 hex digits", runID)
	}
	name := "brink-" + strings.ToLower(runID)
	run := "s3://bucket/load/" + runID

	// The ConfigMap holds each file as given, the corpus under its own name.
	if d.cm == nil || d.cm.Name != name || d.cm.Namespace != "load" || len(d.cm.BinaryData) != 0 {
		t.Fatalf("ConfigMap %+v", d.cm)
	}
	for key, want := range map[string][]byte{"flow.yaml": flow, "plan.yaml": plan, "support-chats.jsonl": corpus} {
		if d.cm.Data[key] != string(want) {
			t.Fatalf("ConfigMap %s = %q, want the file's bytes", key, d.cm.Data[key])
		}
	}

	// The shards: an Indexed Job of 3, no retries.
	s := d.shards
	if s.Name != name+"-shards" || s.Namespace != "load" || *s.Spec.CompletionMode != batchv1.IndexedCompletion ||
		*s.Spec.Completions != 3 || *s.Spec.Parallelism != 3 || *s.Spec.BackoffLimit != 0 {
		t.Fatalf("shards Job %s: mode %v, completions %d, parallelism %d, backoffLimit %d", s.Name,
			*s.Spec.CompletionMode, *s.Spec.Completions, *s.Spec.Parallelism, *s.Spec.BackoffLimit)
	}
	pod := s.Spec.Template.Spec
	c := pod.Containers[0]
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 || c.Image != o.Image ||
		pod.ServiceAccountName != "brink-irsa" || !*pod.SecurityContext.RunAsNonRoot {
		t.Fatalf("shard pod %+v", pod)
	}
	wantArgs := []string{"run", "--shard", "$(JOB_COMPLETION_INDEX)/3", "--start-at", start, "--run-id", runID,
		"--target", "https://chat.example.com/v1", "--runs-dir", "s3://bucket/load",
		"--flow", "/etc/brink/flow.yaml", "--plan", "/etc/brink/plan.yaml", "--sessions", "/etc/brink/support-chats.jsonl", "--quiet"}
	if !slices.Equal(c.Args, wantArgs) {
		t.Fatalf("shard args\n%q\nwant\n%q", c.Args, wantArgs)
	}
	if !slices.Equal(c.Command, []string{"/bin/sh", "-c", shardScript, "brink"}) {
		t.Fatalf("shard command %q", c.Command)
	}
	// What the pod of index 2 runs, once the kubelet has expanded $(...).
	env := map[string]string{indexEnv: "2"}
	if got := expandAll(c.Args, env); got[2] != "2/3" || got[8] != o.Target {
		t.Fatalf("shard 2 runs %q", got)
	}
	checkContainer(t, c, "1", "1Gi")

	// Spread over nodes, selecting exactly this run's shard pods.
	if len(pod.TopologySpreadConstraints) != 1 {
		t.Fatalf("spread %+v", pod.TopologySpreadConstraints)
	}
	tsc := pod.TopologySpreadConstraints[0]
	sel, err := metav1.LabelSelectorAsSelector(tsc.LabelSelector)
	if err != nil || tsc.TopologyKey != "kubernetes.io/hostname" || tsc.MaxSkew != 1 || tsc.WhenUnsatisfiable != corev1.ScheduleAnyway ||
		!sel.Matches(labels.Set(s.Spec.Template.Labels)) || sel.Matches(labels.Set(d.analyze.Spec.Template.Labels)) {
		t.Fatalf("spread %+v (%v)", tsc, err)
	}
	checkMount(t, pod, name, map[string]string{"flow.yaml": "flow.yaml", "plan.yaml": "plan.yaml", "support-chats.jsonl": "support-chats.jsonl"})

	// The analysis: same run, same start; it waits as long as the start,
	// the plan and the slack.
	a := d.analyze
	ap := a.Spec.Template.Spec
	ac := ap.Containers[0]
	if a.Name != name+"-analyze" || a.Labels[labelRun] != runID || a.Annotations[AnnotationStartAt] != start ||
		s.Annotations[AnnotationStartAt] != start || *a.Spec.Completions != 1 || *a.Spec.BackoffLimit != 1 ||
		ap.RestartPolicy != corev1.RestartPolicyNever || ap.ServiceAccountName != "brink-irsa" {
		t.Fatalf("analyze Job %+v", a)
	}
	// 5m to the start + 4 levels × (1m + 4m) + 30m slack.
	if want := []string{run, "55m"}; !slices.Equal(ac.Args, want) || !slices.Equal(ac.Command, []string{"/bin/sh", "-c", analyzeScript, "brink"}) {
		t.Fatalf("analyze args %q, want %q; command %q", ac.Args, want, ac.Command)
	}
	if *s.Spec.ActiveDeadlineSeconds != int64((55 * time.Minute).Seconds()) {
		t.Fatalf("shards' deadline %ds", *s.Spec.ActiveDeadlineSeconds)
	}
	rules := a.Spec.PodFailurePolicy.Rules
	if len(rules) != 2 || rules[0].Action != batchv1.PodFailurePolicyActionIgnore || rules[0].OnPodConditions[0].Type != corev1.DisruptionTarget ||
		rules[1].Action != batchv1.PodFailurePolicyActionFailJob || *rules[1].OnExitCodes.ContainerName != ac.Name ||
		!slices.Equal(rules[1].OnExitCodes.Values, []int32{waitFailed}) {
		t.Fatalf("analyze podFailurePolicy %+v", rules)
	}
	checkContainer(t, ac, "1", "1Gi")
	checkMount(t, ap, name, nil)
}

// checkContainer: requests, environment, and no way to gain privileges.
func checkContainer(t *testing.T, c corev1.Container, cpu, mem string) {
	t.Helper()
	if got := c.Resources.Requests[corev1.ResourceCPU]; got.Cmp(resource.MustParse(cpu)) != 0 {
		t.Fatalf("%s: cpu request %s, want %s", c.Name, got.String(), cpu)
	}
	if got := c.Resources.Requests[corev1.ResourceMemory]; got.Cmp(resource.MustParse(mem)) != 0 {
		t.Fatalf("%s: memory request %s, want %s", c.Name, got.String(), mem)
	}
	if len(c.Resources.Limits) != 0 {
		t.Fatalf("%s: limits %v: a CPU limit throttles the generator", c.Name, c.Resources.Limits)
	}
	if !slices.Equal(c.Env, []corev1.EnvVar{{Name: "AWS_REGION", Value: "eu-west-1"}}) ||
		len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != "chat-api" {
		t.Fatalf("%s: env %+v from %+v", c.Name, c.Env, c.EnvFrom)
	}
	if *c.SecurityContext.AllowPrivilegeEscalation || !slices.Equal(c.SecurityContext.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Fatalf("%s: security context %+v", c.Name, c.SecurityContext)
	}
}

// checkMount: the ConfigMap is mounted read-only at /etc/brink with each
// key at its path (items nil: any).
func checkMount(t *testing.T, pod corev1.PodSpec, cm string, items map[string]string) {
	t.Helper()
	m := pod.Containers[0].VolumeMounts
	if len(m) != 1 || m[0].MountPath != "/etc/brink" || !m[0].ReadOnly || len(pod.Volumes) != 1 ||
		pod.Volumes[0].Name != m[0].Name || pod.Volumes[0].ConfigMap == nil || pod.Volumes[0].ConfigMap.Name != cm {
		t.Fatalf("mounts %+v, volumes %+v", m, pod.Volumes)
	}
	if items == nil {
		return
	}
	got := map[string]string{}
	for _, it := range pod.Volumes[0].ConfigMap.Items {
		got[it.Key] = it.Path
	}
	if len(got) != len(items) {
		t.Fatalf("items %v, want %v", got, items)
	}
	for k, p := range items {
		if got[k] != p {
			t.Fatalf("items %v, want %v", got, items)
		}
	}
}

// Without inputs there is no ConfigMap, nothing is mounted, and the
// shards run brink run's built-in flow, plan and corpus; a binary corpus
// goes into binaryData; an explicit start and run id are kept.
func TestManifestsInputs(t *testing.T) {
	base := Options{Shards: 1, Target: "http://10.0.0.7:8080", RunsDir: "s3://b", Image: "brink", Now: now}
	out, err := Manifests(base)
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, out)
	c := d.shards.Spec.Template.Spec.Containers[0]
	if d.cm != nil || len(d.shards.Spec.Template.Spec.Volumes) != 0 || len(c.VolumeMounts) != 0 ||
		slices.Contains(c.Args, "--flow") || slices.Contains(c.Args, "--sessions") || c.Args[2] != "$(JOB_COMPLETION_INDEX)/1" {
		t.Fatalf("no inputs: ConfigMap %v, args %q", d.cm, c.Args)
	}
	// The default plan: 20 levels of 2m + 5m.
	if got := d.analyze.Spec.Template.Spec.Containers[0].Args[1]; got != "2h55m" {
		t.Fatalf("wait timeout %s, want 5m + 140m + 30m", got)
	}

	dir := t.TempDir()
	parquet := []byte("PAR1\x15\x00\xff\xfe binary PAR1")
	o := base
	o.Corpus = writeFile(t, dir, "sessions.parquet", parquet)
	o.StartAt = time.Date(2026, 11, 26, 12, 0, 0, 500, time.FixedZone("CET", 3600)) // 11:00:00Z
	o.RunID = "Nightly_run.7"
	out, err = Manifests(o)
	if err != nil {
		t.Fatal(err)
	}
	d = decode(t, out)
	if d.header[0] != "# start at 2026-11-26T11:00:00Z (now + 45m)" {
		t.Fatalf("first line %q", d.header[0])
	}
	if d.cm == nil || len(d.cm.Data) != 0 || !bytes.Equal(d.cm.BinaryData["sessions.parquet"], parquet) {
		t.Fatalf("binary corpus: %+v", d.cm)
	}
	args := d.shards.Spec.Template.Spec.Containers[0].Args
	if !slices.Contains(args, "/etc/brink/sessions.parquet") || !slices.Contains(args, "2026-11-26T11:00:00Z") ||
		!slices.Contains(args, "Nightly_run.7") || d.shards.Name != "brink-nightly-run-7-shards" ||
		d.analyze.Name != "brink-nightly-run-7-analyze" || d.analyze.Labels[labelRun] != "Nightly_run.7" {
		t.Fatalf("args %q, names %s %s", args, d.shards.Name, d.analyze.Name)
	}
}

// A flow's users CSV and CA bundle come along at their paths relative to
// the flow, where brink run looks for them.
func TestManifestsFlowFiles(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "data"), 0o755)
	flow, _ := os.ReadFile("../examples/flow.yaml")
	flow = append([]byte("users: data/users.csv\nca_bundle: ca.pem\n"), flow...)
	users := []byte("username,password\nu1,p1\n")
	writeFile(t, dir, "data/users.csv", users)
	writeFile(t, dir, "ca.pem", []byte("-----BEGIN CERTIFICATE-----\n"))
	o := Options{Shards: 2, Target: "https://x.example", RunsDir: "s3://b/p", Image: "brink", Now: now,
		Flow: writeFile(t, dir, "flow.yaml", flow)}
	out, err := Manifests(o)
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, out)
	if d.cm.Data["flow-data_users.csv"] != string(users) {
		t.Fatalf("ConfigMap %v", d.cm.Data)
	}
	checkMount(t, d.shards.Spec.Template.Spec, d.cm.Name, map[string]string{
		"flow.yaml": "flow.yaml", "flow-data_users.csv": "data/users.csv", "flow-ca.pem": "ca.pem"})
}

// Bad input: one line, an OptionError (exit 2 in brink), naming the flag.
func TestManifestsBadInput(t *testing.T) {
	dir := t.TempDir()
	ok := Options{Shards: 2, Target: "https://x.example", RunsDir: "s3://b/p", Image: "brink", Now: now}
	abs := append([]byte("users: /home/me/users.csv\n"), must(os.ReadFile("../examples/flow.yaml"))...)
	for _, c := range []struct {
		name, want string
		edit       func(*Options)
	}{
		{"no shards", "--shards 0", func(o *Options) { o.Shards = 0 }},
		{"negative shards", "--shards -2", func(o *Options) { o.Shards = -2 }},
		{"no target", "--target is required", func(o *Options) { o.Target = "" }},
		{"target not http", `--target "ftp://x"`, func(o *Options) { o.Target = "ftp://x" }},
		{"target with password", "--target https://x.example: has credentials", func(o *Options) { o.Target = "https://me:pw@x.example" }},
		{"no image", `--image ""`, func(o *Options) { o.Image = "" }},
		{"local runs dir", `--runs-dir "runs": want s3://bucket/prefix`, func(o *Options) { o.RunsDir = "runs" }},
		{"no bucket", `--runs-dir "s3:///p"`, func(o *Options) { o.RunsDir = "s3:///p" }},
		{"start in the past", "--start-at 2026-11-26T10:14:00Z is not in the future", func(o *Options) { o.StartAt = now.Add(-time.Minute) }},
		{"start now", "--start-at 2026-11-26T10:15:00Z is not in the future", func(o *Options) { o.StartAt = now }},
		{"run id", `--run-id "a/b"`, func(o *Options) { o.RunID = "a/b" }},
		{"run id too long", "--run-id", func(o *Options) { o.RunID = strings.Repeat("a", 41) }},
		{"namespace", `--namespace "Load"`, func(o *Options) { o.Namespace = "Load" }},
		{"env name", `--env "1X"`, func(o *Options) { o.Env = map[string]string{"1X": "y"} }},
		{"env index", "--env JOB_COMPLETION_INDEX", func(o *Options) { o.Env = map[string]string{"JOB_COMPLETION_INDEX": "0"} }},
		{"cpu", `--cpu "lots"`, func(o *Options) { o.CPU = "lots" }},
		{"memory", `--memory "-1Gi"`, func(o *Options) { o.Memory = "-1Gi" }},
		{"secret", `--secret "Chat API"`, func(o *Options) { o.Secret = "Chat API" }},
		{"corpus type", "--corpus " + filepath.Join(dir, "c.txt") + ": want a .jsonl", func(o *Options) { o.Corpus = writeFile(t, dir, "c.txt", []byte("x")) }},
		{"corpus name", "--corpus " + filepath.Join(dir, "my chats.csv") + ": rename", func(o *Options) { o.Corpus = writeFile(t, dir, "my chats.csv", []byte("x")) }},
		{"corpus too big", "a ConfigMap holds at most 1048576", func(o *Options) { o.Corpus = writeFile(t, dir, "c.csv", make([]byte, MaxInputs+1)) }},
		{"plan", "--plan: plan " + filepath.Join(dir, "p.yaml") + ":2:1: unknown key", func(o *Options) { o.Plan = writeFile(t, dir, "p.yaml", []byte("hold: 1m\nholdd: 2m\n")) }},
		{"flow", "--flow: flow " + filepath.Join(dir, "f.yaml") + ":1:1: unknown key", func(o *Options) { o.Flow = writeFile(t, dir, "f.yaml", []byte("stepz: []\n")) }},
		{"flow users outside", "users /home/me/users.csv is outside the flow's directory", func(o *Options) { o.Flow = writeFile(t, dir, "g.yaml", abs) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := ok
			c.edit(&o)
			out, err := Manifests(o)
			var oe *OptionError
			if err == nil || !errors.As(err, &oe) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v (%T), want one line with %q; output %d bytes", err, err, c.want, len(out))
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// expand is Kubernetes' $(NAME) expansion of command, args and env values
// as documented for containers: $(NAME) of a defined variable becomes its
// value, $$ becomes $, anything else stays as written.
func expand(s string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			if end := strings.IndexByte(s[i+2:], ')'); end >= 0 {
				if v, ok := env[s[i+2:i+2+end]]; ok {
					b.WriteString(v)
					i += 2 + end
					continue
				}
			}
			b.WriteByte('$')
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func expandAll(args []string, env map[string]string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = expand(a, env)
	}
	return out
}

// FuzzManifests: whatever the user gives, either a one-line OptionError
// or documents that decode, whose args reach brink exactly as given once
// Kubernetes has expanded them, and whose names are valid.
func FuzzManifests(f *testing.F) {
	f.Add(3, "https://chat.example.com/a?b=$(HOME)&c=$$", "s3://bucket/prefix", "run-1", "v$(X)")
	f.Add(1, "http://h", "s3://b", "", "")
	f.Add(0, "http://h", "s3://b", "x", "")
	f.Add(10000, "https://h:8443/p", "s3://b/p/q/", "A.b_c-9", "eu-west-1")
	f.Fuzz(func(t *testing.T, shards int, target, runsDir, runID, region string) {
		o := Options{Shards: shards, Target: target, RunsDir: runsDir, RunID: runID, Image: "brink", Now: now,
			Env: map[string]string{"AWS_REGION": region}}
		out, err := Manifests(o)
		if err != nil {
			var oe *OptionError
			if !errors.As(err, &oe) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q (%T): want a one-line OptionError", err, err)
			}
			return
		}
		d := decode(t, out)
		c := d.shards.Spec.Template.Spec.Containers[0]
		args := expandAll(c.Args, map[string]string{indexEnv: "0"})
		i := slices.Index(args, "--target")
		j := slices.Index(args, "--run-id")
		if i < 0 || args[i+1] != target || j < 0 || (runID != "" && args[j+1] != runID) || args[2] != "0/"+strconv.Itoa(shards) {
			t.Fatalf("args %q for target %q, run id %q", args, target, runID)
		}
		if got := expand(c.Env[0].Value, nil); got != region {
			t.Fatalf("AWS_REGION %q, want %q", got, region)
		}
		for _, name := range []string{d.shards.Name + "-" + strconv.Itoa(shards-1), d.analyze.Name} {
			if len(name) > 63 || !regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`).MatchString(name) {
				t.Fatalf("name %q is not a DNS label", name)
			}
		}
	})
}
