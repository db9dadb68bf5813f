// Package importers turns the results of other load tools into normal brink
// run directories: run.json with a level timeline, and either per-request
// traces (k6, vegeta) that `brink analyze` reads unchanged, or, for a tool
// that keeps no per-request rows (Locust), an aggregated run whose level
// rows are analysis/levels_imported.parquet.
//
// The format readers live in the subpackages locust, k6 and vegeta; this
// package decides levels (from k6's vus gauge, Locust's User Count, or
// vegeta's attacks or a given plan), steps (request names mapped to brink's
// steps) and error classes. It never prints: what a source cannot give is
// returned in Result.Warnings.
package importers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/rundir"
)

// Options configure an import. Zero values take the defaults.
type Options struct {
	RunsDir string // default "runs"
	// StepMap maps a source request name (k6's name tag, a URL path with ids
	// folded to {id}, or a Locust name) to a brink step, e.g. "chat_message"
	// → "ask". Nil maps the conversation step (see Step) to "ask" and keeps
	// the others.
	StepMap map[string]string
	// Step names the source request that is the conversation step "ask"
	// (shorthand for StepMap{Step: "ask"}). Empty: the name that looks like a
	// conversation (messages, ask, chat/completions, generate, invoke, ...)
	// with the highest median latency, else the name with the highest median
	// latency; Result.StepChoice says which and why.
	Step string
	// Plan lays the levels out from the first request instead of finding
	// them in the data (vegeta only).
	Plan *brink.Plan
	// MinHold is the shortest plateau of users that counts as a level's
	// hold (k6, Locust); shorter plateaus are ramps. Default 10 s.
	MinHold time.Duration
}

// DefaultMinHold is Options.MinHold's default.
const DefaultMinHold = 10 * time.Second

func (o *Options) defaults() {
	if o.RunsDir == "" {
		o.RunsDir = "runs"
	}
	if o.MinHold <= 0 {
		o.MinHold = DefaultMinHold
	}
}

// Result describes the run directory an import wrote.
type Result struct {
	Dir      string
	Manifest *brink.Manifest
	Requests int64 // trace rows written, or the source's total for an aggregated run
	// StepNames maps each source request name to the step it was written as.
	StepNames map[string]string
	// StepChoice says which request name became the ask step and why, in
	// one sentence for the user.
	StepChoice string
	Warnings   []string // what the source cannot give, and what was skipped
}

// ErrExists is returned when the run directory an import would write is
// already there (the same file was imported before).
var ErrExists = rundir.ErrExists

// ErrNoLevels is returned when no level could be found in the input.
var ErrNoLevels = errors.New("no level found")

// hashFiles returns the SHA-256 of the files' bytes, in order.
func hashFiles(paths ...string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("read %s: %w", p, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// newRun creates the run directory an import writes, staged so that a
// failed import leaves nothing. Its id is the start time and the input's
// hash: importing the same file twice names the same run, which is refused.
func newRun(ctx context.Context, opts Options, tool, source, sum string, start time.Time, aggregated bool) (*rundir.Writer, error) {
	return rundir.Create(ctx, rundir.CreateOptions{RunsDir: opts.RunsDir, RunID: rundir.IDWith(start, sum[:6]), Started: start,
		Tool: "brink import " + tool, Flow: brink.FlowRef{Name: tool, Source: source, SHA256: sum}, StopRules: brink.DefaultStopRules(),
		Clock: brink.Clock{Epoch: start.UTC(), Scale: 1}, Aggregated: aggregated, Staged: true})
}

// finish puts an import's run directory in place with the levels, plan and
// target found in the data.
func finish(ctx context.Context, w *rundir.Writer, end time.Time, levels []brink.LevelWindow, plan brink.Plan, target string) error {
	return w.Finish(ctx, rundir.Ending{Ended: end, Status: brink.StatusCompleted, Levels: levels, Plan: &plan, Target: target})
}

// Sample is one reading of a users gauge (k6's vus, Locust's User Count).
type Sample struct {
	T     time.Time
	Users int
}

// Plateaus finds the levels in a users gauge: each run of equal, non-zero
// readings that lasts at least minHold is a level's hold, from its first
// reading to the first reading after it (the last lasts one sampling
// interval past its last reading); the ramp before it starts where the
// previous hold ended. Samples must be in time order.
func Plateaus(samples []Sample, minHold time.Duration) []brink.LevelWindow {
	if len(samples) == 0 {
		return nil
	}
	interval := medianStep(samples)
	var out []brink.LevelWindow
	rampStart := samples[0].T
	for i := 0; i < len(samples); {
		j := i
		for j+1 < len(samples) && samples[j+1].Users == samples[i].Users {
			j++
		}
		end := samples[j].T.Add(interval)
		if j+1 < len(samples) {
			end = samples[j+1].T
		}
		if samples[i].Users > 0 && end.Sub(samples[i].T) >= minHold {
			out = append(out, brink.LevelWindow{Index: len(out), Users: samples[i].Users,
				RampStart: rampStart.UTC(), SteadyStart: samples[i].T.UTC(), End: end.UTC()})
			rampStart = end
		}
		i = j + 1
	}
	return out
}

func medianStep(s []Sample) time.Duration {
	if len(s) < 2 {
		return time.Second
	}
	d := make([]time.Duration, 0, len(s)-1)
	for i := 1; i < len(s); i++ {
		d = append(d, s[i].T.Sub(s[i-1].T))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	if m := d[len(d)/2]; m > 0 {
		return m
	}
	return time.Second
}

// planFor describes found levels as a Plan: the first level's users, the
// first step, the largest users, the first ramp and the shortest hold (so
// every found hold counts as complete).
func planFor(levels []brink.LevelWindow, model string) brink.Plan {
	p := brink.Plan{Model: model, StartUsers: levels[0].Users, MaxUsers: levels[0].Users}
	hold := levels[0].End.Sub(levels[0].SteadyStart)
	for i, l := range levels {
		p.MaxUsers = max(p.MaxUsers, l.Users)
		hold = min(hold, l.End.Sub(l.SteadyStart))
		if i == 1 {
			p.StepUsers = max(l.Users-levels[0].Users, 0)
			p.Ramp = brink.Duration(l.SteadyStart.Sub(l.RampStart))
		}
	}
	if len(levels) == 1 {
		p.Ramp = brink.Duration(levels[0].SteadyStart.Sub(levels[0].RampStart))
	}
	p.Hold = brink.Duration(hold)
	return p
}

// locate returns the level and phase of a request that started at t: the
// last level whose ramp began at or before t; steady inside its hold.
// Requests before the first ramp count as its ramp, after the last hold as
// the last level's ramp (as brink run records requests while stopping).
func locate(levels []brink.LevelWindow, t time.Time) (int, string) {
	i := sort.Search(len(levels), func(i int) bool { return levels[i].RampStart.After(t) }) - 1
	if i < 0 {
		return 0, brink.PhaseRamp
	}
	l := levels[i]
	if !t.Before(l.SteadyStart) && t.Before(l.End) {
		return i, brink.PhaseSteady
	}
	return i, brink.PhaseRamp
}

var (
	reUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reHex  = regexp.MustCompile(`^[0-9a-fA-F]{8,}$`)
	reNum  = regexp.MustCompile(`^[0-9]+$`)
)

// RequestName is the name a request is grouped by: a URL is reduced to its
// path, and path segments that look like ids (numbers, UUIDs, long hex or
// long strings with digits) become {id}, so
// "http://h/chat/sessions/8f14e45f/messages?x=1" is
// "/chat/sessions/{id}/messages". Other names are kept as they are.
func RequestName(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		s = u.EscapedPath()
		if s == "" {
			s = "/"
		}
	} else if !strings.HasPrefix(s, "/") {
		return s
	}
	s, _, _ = strings.Cut(s, "?")
	parts := strings.Split(s, "/")
	for i, p := range parts {
		if isID(p) {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

func isID(p string) bool {
	if p == "" {
		return false
	}
	if reNum.MatchString(p) || reUUID.MatchString(p) || (reHex.MatchString(p) && strings.ContainsAny(p, "0123456789")) {
		return true
	}
	return len(p) >= 16 && strings.ContainsAny(p, "0123456789")
}

// classifyError maps a tool's error text for a request without an HTTP
// status to brink's classes.
func classifyError(msg string) string {
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "timeout") || strings.Contains(l, "deadline exceeded") || strings.Contains(l, "timed out"):
		return brink.ErrTimeout
	case strings.Contains(l, "context canceled") || strings.Contains(l, "interrupt"):
		return brink.ErrCanceled
	}
	return brink.ErrConnect
}

// targetOf is the scheme and host of a URL: run.json's target, with no
// credentials, path or query.
func targetOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// writeTraces opens the run's trace writer; segments are closed by row count
// only, as an import is not a live run.
func writeTraces(w *rundir.Writer) (*parquet.TraceWriter, error) {
	return parquet.NewTraceWriter(w.Path(rundir.TracesDir), parquet.TraceOptions{RunID: w.ID(), FlushEvery: time.Hour,
		Stored: func(path string, rows int64) error { return w.Segment(context.Background(), path, rows) }})
}

// Outcome is brink import --json's answer: what the import wrote, in one
// object.
type Outcome struct {
	RunDir     string              `json:"run_dir"`
	RunID      string              `json:"run_id"`
	Tool       string              `json:"tool"`
	Input      string              `json:"input"`
	Requests   int64               `json:"requests"`
	Aggregated bool                `json:"aggregated"` // no per-request rows: Requests is the source's total
	Levels     []brink.LevelWindow `json:"levels"`
	Step       string              `json:"step"`        // the source's request name taken as the conversation step
	StepChoice string              `json:"step_choice"` // why
	StepNames  map[string]string   `json:"step_names"`  // source request name -> step written
	Warnings   []string            `json:"warnings"`
}

// Outcome is the import as brink import --json prints it.
func (res *Result) Outcome(tool, input string) Outcome {
	m := res.Manifest
	out := Outcome{RunDir: res.Dir, RunID: m.RunID, Tool: tool, Input: input, Requests: res.Requests, Aggregated: m.Aggregated,
		Levels: m.Levels, StepChoice: res.StepChoice, StepNames: res.StepNames, Warnings: res.Warnings}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	for n, step := range res.StepNames {
		if step == brink.StepAsk {
			out.Step = n
		}
	}
	return out
}

// WriteText says what an import wrote: the run's requests and levels, the
// conversation step, and where the run directory is.
func (res *Result) WriteText(w io.Writer, tool, input string) {
	m := res.Manifest
	kind := "trace rows"
	if m.Aggregated {
		kind = "requests (aggregated: no per-request rows)"
	}
	fmt.Fprintf(w, "imported %s %s: %d %s, %s, %s to %s\n", tool, input, res.Requests, kind, brink.Plural(len(m.Levels), "level"),
		m.StartedAt.Format(time.RFC3339), m.EndedAt.Format(time.RFC3339))
	for _, l := range m.Levels {
		fmt.Fprintf(w, "  level %d: %d users, hold %s from %s\n", l.Index, l.Users, brink.RoundDuration(l.End.Sub(l.SteadyStart)), l.SteadyStart.Format(time.RFC3339))
	}
	for _, n := range slices.Sorted(maps.Keys(res.StepNames)) {
		if res.StepNames[n] == brink.StepAsk {
			fmt.Fprintf(w, "  %q is the conversation step (ask)\n", n)
		}
	}
	fmt.Fprintf(w, "%s\nnext: brink analyze --run %s\n", res.Dir, res.Dir)
}
