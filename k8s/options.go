package k8s

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"brink"
	"brink/replay"
	"brink/rundir"
)

// Defaults of Options.
const (
	DefaultLead   = 5 * time.Minute // StartAt: now + this, time for pods to be scheduled and pull the image
	DefaultCPU    = "1"
	DefaultMemory = "1Gi"
	// WaitSlack is added to the plan's length for the analyze Job's
	// brink wait: the shards' stop-rule poll, last uploads, a slow pod.
	WaitSlack = 30 * time.Minute
	// MaxShards keeps pod host names (<job>-<index>) within 63 characters.
	MaxShards = brink.MaxShards
	// MaxRunID is the longest run id: it names the Jobs and labels them.
	MaxRunID = 40
	// MaxInputs is what a ConfigMap holds (the API server refuses more).
	MaxInputs = 1 << 20
)

// Where the inputs are mounted in the pods.
const InputsDir = "/etc/brink"

// Options describe one sharded run. Zero values take the defaults given.
type Options struct {
	Shards  int    // generator pods, N ≥ 1 (required)
	Target  string // base URL of the API under test, http(s) (required)
	RunsDir string // s3://bucket/prefix, the runs directory every pod shares (required)
	Image   string // the brink image (required; the Dockerfile at the repo root builds one)

	// StartAt is the shared start of every shard (UTC, to the second);
	// default Now + DefaultLead. It must be after Now.
	StartAt time.Time
	// RunID names the run; default rundir.NewID(StartAt), the id brink run
	// would pick. Letters, digits, '.', '_' and '-', starting and ending
	// with a letter or digit, at most MaxRunID characters.
	RunID string
	// Now is the time StartAt is checked against; default time.Now().
	Now time.Time

	Namespace string // default: none (kubectl's current namespace)

	// The run's inputs, put in a ConfigMap mounted at InputsDir. Each is
	// optional: without it the shards use brink run's default. Flow and
	// Plan are checked here (errors name file:line), so a mistake fails
	// before N pods start; files the flow names (users, ca_bundle) come
	// along, relative to the flow.
	Flow, Plan, Corpus File
	// CollectSpec is brink collect's metric spec for the analyze Job
	// (default: collect's built-in spec).
	CollectSpec File

	// CPU and Memory are each pod's resource requests, as Kubernetes
	// quantities; default DefaultCPU and DefaultMemory. No limits: a CPU
	// limit throttles the generator, which then measures its own delay.
	CPU, Memory string

	// ServiceAccount runs the pods (IRSA: one annotated with an IAM role
	// gives them S3 and CloudWatch access); default: the namespace's.
	ServiceAccount string
	// Secret names a Secret whose keys become environment variables in
	// every pod: a flow's ${env:NAME}, or AWS keys where IRSA is not used.
	Secret string
	// Env is set in every pod (AWS_REGION, AWS_ENDPOINT_URL_S3, ...).
	Env map[string]string

	// WaitTimeout bounds the analyze Job's brink wait and the shards' Job;
	// default: from Now to StartAt, plus the plan's length, plus WaitSlack.
	WaitTimeout time.Duration
}

// File is an input file: its name and contents. As a flag.Value, Set
// reads the file at the path given.
type File struct {
	Path string // as given; its base name names the corpus in the pods
	Data []byte
}

func (f *File) String() string { return f.Path }

// Set reads the file at path.
func (f *File) Set(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f.Path, f.Data = path, b
	return nil
}

func (f File) given() bool { return f.Path != "" }

// OptionError is a mistake in the options; it names the flag to fix.
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// BadOption marks the error as the user's to fix on the command line.
func (e *OptionError) BadOption() {}

func bad(format string, a ...any) error { return &OptionError{fmt.Errorf(format, a...)} }

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)

// corpusExts are the corpus formats brink run reads (docs/corpus.md).
var corpusExts = []string{".jsonl", ".ndjson", ".csv", ".parquet"}

// job is Options checked and completed: what the objects are built from.
type job struct {
	Options
	name     string // DNS label made from the run id
	run      string // s3://bucket/prefix/<run id>
	inputs   []input
	cpu, mem resource.Quantity
	// Where the shards find their inputs ("": brink run's default).
	flowPath, planPath, corpusPath string
}

// input is one file in the ConfigMap: its key, where it lands under
// InputsDir, and its bytes.
type input struct {
	key, path string
	data      []byte
}

// check fills the defaults and refuses what cannot run, naming the flag.
func (o Options) check() (*job, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	for flag, v := range map[string]string{"--target": o.Target, "--runs-dir": o.RunsDir, "--image": o.Image} {
		if !utf8.ValidString(v) {
			return nil, bad("%s %q: not valid UTF-8", flag, v)
		}
	}
	for name, v := range o.Env {
		if !utf8.ValidString(v) {
			return nil, bad("--env %s=%q: not valid UTF-8", name, v)
		}
	}
	switch {
	case o.Shards < 1 || o.Shards > MaxShards:
		return nil, bad("--shards %d: want 1 to %d generator pods", o.Shards, MaxShards)
	case o.Image == "" || strings.ContainsAny(o.Image, " \t\n"):
		return nil, bad("--image %q: name the brink image the pods run, e.g. --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/brink:v1 (docs/scale-out.md builds one)", o.Image)
	}
	if err := checkTarget(o.Target); err != nil {
		return nil, err
	}
	rest, ok := strings.CutPrefix(o.RunsDir, "s3://")
	if bucket, _, _ := strings.Cut(rest, "/"); !ok || bucket == "" || strings.ContainsAny(rest, " \t\n") {
		return nil, bad("--runs-dir %q: want s3://bucket/prefix: every shard and the analysis must reach the same runs directory", o.RunsDir)
	}
	o.RunsDir = strings.TrimRight(o.RunsDir, "/")
	if o.StartAt.IsZero() {
		o.StartAt = o.Now.Add(DefaultLead)
	}
	o.StartAt = o.StartAt.UTC().Truncate(time.Second)
	if !o.StartAt.After(o.Now) {
		return nil, bad("--start-at %s is not in the future (now is %s): give a later time, or leave it out for now + %s", o.StartAt.Format(time.RFC3339), o.Now.Format(time.RFC3339), short(DefaultLead))
	}
	if o.RunID == "" {
		o.RunID = rundir.NewID(o.StartAt)
	}
	if len(o.RunID) > MaxRunID || !runIDPattern.MatchString(o.RunID) {
		return nil, bad("--run-id %q: want at most %d letters, digits, '.', '_' or '-', starting and ending with a letter or digit (it names the Jobs)", o.RunID, MaxRunID)
	}
	j := &job{Options: o, run: o.RunsDir + "/" + o.RunID}
	j.name = strings.NewReplacer(".", "-", "_", "-").Replace(strings.ToLower(o.RunID))
	if err := j.checkCluster(); err != nil {
		return nil, err
	}
	if err := j.readInputs(); err != nil {
		return nil, err
	}
	return j, nil
}

func checkTarget(target string) error {
	if target == "" {
		return bad("--target is required: the base URL of the API under test, e.g. --target https://staging.example.com")
	}
	u, err := url.Parse(target)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return bad("--target %q: want an http:// or https:// URL", brink.RedactURL(target))
	case u.User != nil:
		return bad("--target %s: has credentials, which would be stored in the Job: put them in a Secret (--secret) and use ${env:NAME} in the flow", brink.RedactURL(target))
	}
	return nil
}

// checkCluster checks what the API server would refuse, so the user hears
// it before kubectl apply.
func (j *job) checkCluster() error {
	if j.Namespace != "" && len(validation.IsDNS1123Label(j.Namespace)) > 0 {
		return bad("--namespace %q: %s", j.Namespace, validation.IsDNS1123Label(j.Namespace)[0])
	}
	for flag, name := range map[string]string{"--service-account": j.ServiceAccount, "--secret": j.Secret} {
		if msgs := validation.IsDNS1123Subdomain(name); name != "" && len(msgs) > 0 {
			return bad("%s %q: %s", flag, name, msgs[0])
		}
	}
	for name := range j.Env {
		if msgs := validation.IsEnvVarName(name); len(msgs) > 0 {
			return bad("--env %q: %s", name, msgs[0])
		}
		if name == indexEnv {
			return bad("--env %s: Kubernetes sets it to the shard's index; leave it out", name)
		}
	}
	var err error
	if j.cpu, err = quantity("--cpu", j.CPU, DefaultCPU); err != nil {
		return err
	}
	j.mem, err = quantity("--memory", j.Memory, DefaultMemory)
	return err
}

func quantity(flag, v, def string) (resource.Quantity, error) {
	if v == "" {
		v = def
	}
	q, err := resource.ParseQuantity(v)
	if err != nil || q.Sign() <= 0 {
		return q, bad("%s %q: want a positive Kubernetes quantity, e.g. %s", flag, v, def)
	}
	return q, nil
}

// readInputs checks the flow and plan, sets the wait timeout from the
// plan's length, and lays the files out for the ConfigMap.
func (j *job) readInputs() error {
	plan := brink.DefaultPlan()
	if j.Plan.given() {
		p, _, err := replay.ParsePlan(j.Plan.Path, j.Plan.Data)
		if err != nil {
			return &OptionError{fmt.Errorf("--plan: %w", err)}
		}
		plan = p
		j.add("plan.yaml", "plan.yaml", j.Plan.Data)
		j.planPath = InputsDir + "/plan.yaml"
	}
	if j.WaitTimeout <= 0 {
		j.WaitTimeout = (j.StartAt.Sub(j.Now) + plan.Duration() + WaitSlack).Round(time.Minute)
	}
	if j.Flow.given() {
		if err := j.addFlow(); err != nil {
			return err
		}
	}
	if j.CollectSpec.given() {
		j.add("collect.yaml", "collect.yaml", j.CollectSpec.Data)
	}
	if j.Corpus.given() {
		base := filepath.Base(j.Corpus.Path)
		if !slices.Contains(corpusExts, strings.ToLower(filepath.Ext(base))) {
			return bad("--corpus %s: want a .jsonl, .ndjson, .csv or .parquet file (docs/corpus.md)", j.Corpus.Path)
		}
		if msgs := validation.IsConfigMapKey(base); len(msgs) > 0 || slices.ContainsFunc(j.inputs, func(in input) bool { return in.key == base }) {
			return bad("--corpus %s: rename the file to letters, digits, '-', '_' and '.' (it keeps its name in %s)", j.Corpus.Path, InputsDir)
		}
		j.add(base, base, j.Corpus.Data)
		j.corpusPath = InputsDir + "/" + base
	}
	total, seen := 0, map[string]bool{}
	for _, in := range j.inputs {
		total += len(in.data)
		if len(validation.IsConfigMapKey(in.key)) > 0 || seen[in.key] || seen[in.path] {
			return bad("--flow %s: rename %s to letters, digits, '-', '_' and '.', apart from flow.yaml, plan.yaml and collect.yaml", j.Flow.Path, in.path)
		}
		seen[in.key], seen[in.path] = true, true
	}
	if total > MaxInputs {
		return bad("--flow, --plan, --corpus and --collect-spec: %d bytes together; a ConfigMap holds at most %d: trim the corpus", total, MaxInputs)
	}
	return nil
}

func (j *job) add(key, path string, data []byte) {
	j.inputs = append(j.inputs, input{key: key, path: path, data: data})
}

// addFlow adds the flow and the files it names. brink run resolves them
// against the flow's directory, so in the pods they sit beside flow.yaml
// at the same relative paths.
func (j *job) addFlow() error {
	f, err := replay.ParseFlow(j.Flow.Path, j.Flow.Data)
	if err != nil {
		return &OptionError{fmt.Errorf("--flow: %w", err)}
	}
	j.add("flow.yaml", "flow.yaml", j.Flow.Data)
	j.flowPath = InputsDir + "/flow.yaml"
	for _, ref := range []struct{ key, path string }{{"users", f.Users}, {"ca_bundle", f.CABundle}} {
		if ref.path == "" {
			continue
		}
		rel := filepath.ToSlash(filepath.Clean(ref.path))
		if filepath.IsAbs(ref.path) || rel == ".." || strings.HasPrefix(rel, "../") {
			return bad("--flow %s: %s %s is outside the flow's directory, where the pods cannot read it: put it beside the flow and name it relative to it", j.Flow.Path, ref.key, ref.path)
		}
		data, err := os.ReadFile(filepath.Join(filepath.Dir(j.Flow.Path), ref.path))
		if err != nil {
			return &OptionError{fmt.Errorf("--flow %s: %s: %w", j.Flow.Path, ref.key, err)}
		}
		j.add("flow-"+strings.ReplaceAll(rel, "/", "_"), rel, data)
	}
	return nil
}

// Instant is a time.Time as a flag.Value: RFC 3339, "" while unset.
type Instant time.Time

func (t *Instant) String() string {
	if t == nil || time.Time(*t).IsZero() {
		return ""
	}
	return time.Time(*t).Format(time.RFC3339)
}

// Set parses an RFC 3339 time.
func (t *Instant) Set(s string) error {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2026-11-26T10:20:00Z")
	}
	*t = Instant(v)
	return nil
}
