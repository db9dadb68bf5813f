package rundir

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"brink"
)

var t0 = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// A run written through its life reads back as written, with no temporary
// file left behind.
func TestWriterLifeRoundTrip(t *testing.T) {
	ctx := context.Background()
	runs := t.TempDir()
	plan := brink.DefaultPlan()
	w, err := Create(ctx, CreateOptions{RunsDir: runs, Started: t0, Target: "http://user:secret@127.0.0.1:9/x?key=k#f",
		Flow: brink.FlowRef{Name: "chat", Source: "builtin:chat", SHA256: "ab"}, Plan: plan, StopRules: brink.DefaultStopRules(),
		Clock: brink.Clock{Epoch: t0, Scale: 0.02}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.ID(), "20261126T000000Z-") || len(w.ID()) != len("20261126T000000Z-")+6 {
		t.Fatalf("run id %q: want the start time and a 6-hex suffix", w.ID())
	}
	first, err := Open(ctx, w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if first.Manifest().Status != brink.StatusRunning || first.Manifest().PID != os.Getpid() || len(first.Manifest().Levels) != 0 {
		t.Fatalf("first run.json: %+v", first.Manifest())
	}
	if got := first.Manifest().Target; got != "http://127.0.0.1:9/x" {
		t.Fatalf("target %q: credentials, query and fragment must not be written", got)
	}
	timeline := plan.Timeline(t0)
	for _, lw := range timeline[:3] {
		if err := w.Level(ctx, lw); err != nil {
			t.Fatal(err)
		}
	}
	mid, _ := Open(ctx, w.Dir())
	if !reflect.DeepEqual(mid.Manifest().Levels, timeline[:3]) {
		t.Fatalf("levels after three holds: %+v", mid.Manifest().Levels)
	}
	lvl := 2
	end := timeline[2].End
	if err := w.Finish(ctx, Ending{Ended: end, Status: brink.StatusStopped, Reason: "level 2: error_rate", EdgeLevel: &lvl}); err != nil {
		t.Fatal(err)
	}
	got, err := Open(ctx, w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	want := &brink.Manifest{SchemaVersion: brink.SchemaVersion, Tool: "brink", Version: brink.Version, RunID: w.ID(),
		StartedAt: t0, EndedAt: &end, Status: brink.StatusStopped, StopReason: "level 2: error_rate", EdgeLevel: &lvl,
		Target: "http://127.0.0.1:9/x", Flow: brink.FlowRef{Name: "chat", Source: "builtin:chat", SHA256: "ab"}, Plan: plan,
		StopRules: brink.DefaultStopRules(), TimeScale: 0.02, Epoch: t0, Seed: 7, Levels: timeline[:3], PID: os.Getpid()}
	if !reflect.DeepEqual(got.Manifest(), want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got.Manifest(), want)
	}
	ents, _ := os.ReadDir(w.Dir())
	if len(ents) != 1 || ents[0].Name() != ManifestFile {
		t.Fatalf("run dir holds %v, want only run.json", ents)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, dir); !errors.Is(err, ErrNoManifest) || !strings.Contains(err.Error(), "is "+dir+" a brink run directory?") {
		t.Fatalf("empty dir: %v", err)
	}
	os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"schema_version": 99}`), 0o644)
	if _, err := Open(ctx, dir); err == nil || !strings.Contains(err.Error(), "schema_version 99") {
		t.Fatalf("unknown schema version: %v", err)
	}
	if _, err := Open(ctx, filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing dir: %v", err)
	}
	if _, err := Open(ctx, filepath.Join(dir, ManifestFile)); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("a file: %v", err)
	}
}

// An import is staged: nothing under the run's name until Finish, nothing
// at all after Abandon, and the same id twice is refused.
func TestStagedImport(t *testing.T) {
	ctx := context.Background()
	runs := t.TempDir()
	id := IDWith(t0, "abcdef")
	o := CreateOptions{RunsDir: runs, RunID: id, Started: t0, Tool: "brink import k6", Clock: brink.Clock{Epoch: t0, Scale: 1}, Staged: true}
	w, err := Create(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.Prepare(TraceSegmentPath(0))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte("PAR1"), 0o644)
	if _, err := os.Stat(filepath.Join(runs, id)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the run is visible before Finish: %v", err)
	}
	if names, _ := Dir(runs).List(ctx, ""); len(names) != 0 {
		t.Fatalf("List shows the staging files: %v", names)
	}
	plan := brink.Plan{Model: "closed", StartUsers: 5, MaxUsers: 5, Hold: brink.Duration(time.Minute)}
	levels := plan.Timeline(t0)
	if err := w.Finish(ctx, Ending{Ended: t0.Add(time.Minute), Status: brink.StatusCompleted, Levels: levels, Plan: &plan, Target: "https://h.example/a?b=c"}); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, filepath.Join(runs, id))
	if err != nil {
		t.Fatal(err)
	}
	m := r.Manifest()
	if m.Plan != plan || m.Target != "https://h.example/a" || m.PID != 0 || m.Tool != "brink import k6" || !reflect.DeepEqual(m.Levels, levels) {
		t.Fatalf("imported run.json: %+v", m)
	}
	files, err := r.TraceFiles(ctx)
	if err != nil || len(files) != 1 || files[0] != filepath.Join(runs, id, "traces", "part-00000.parquet") {
		t.Fatalf("trace files %v, %v", files, err)
	}
	if _, err := Create(ctx, o); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "imported before") {
		t.Fatalf("second import: %v", err)
	}
	o.RunID = IDWith(t0, "000000")
	w2, err := Create(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(runs)
	if len(ents) != 1 || ents[0].Name() != id {
		t.Fatalf("runs dir after an abandoned import: %v", ents)
	}
}

// TraceFiles lists closed segments at any depth (shard folders), never the
// open segment's temporary name or anything that is not Parquet.
func TestTraceFiles(t *testing.T) {
	ctx := context.Background()
	runs := t.TempDir()
	w, err := Create(ctx, CreateOptions{RunsDir: runs, Started: t0, Clock: brink.Clock{Epoch: t0, Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{TraceSegmentPath(1), TraceSegmentPath(0), ShardTracesDir(1) + "/part-00000.parquet",
		TracesDir + "/.part-00002.parquet.tmp", TracesDir + "/part-00003.parquet.tmp", TracesDir + "/notes.txt", CloudWatchFile, LogsFile} {
		p, err := w.Prepare(n)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p, nil, 0o644)
	}
	got, _ := w.TraceFiles(ctx)
	want := []string{w.Path("traces/part-00000.parquet"), w.Path("traces/part-00001.parquet"), w.Path("traces/shard=1/part-00000.parquet")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("trace files:\n got %v\nwant %v", got, want)
	}
	if got, _ := w.MetricFiles(ctx); !reflect.DeepEqual(got, []string{w.Path(CloudWatchFile), w.Path(LogsFile)}) {
		t.Fatalf("metric files %v", got)
	}
	if !w.Has(ctx, LogsFile) || w.Has(ctx, SummaryFile) || w.Has(ctx, TracesDir) {
		t.Fatal("Has: wrong answer")
	}
}

func TestSummaryRoundTrip(t *testing.T) {
	ctx := context.Background()
	w, err := Create(ctx, CreateOptions{RunsDir: t.TempDir(), Started: t0, Clock: brink.Clock{Epoch: t0, Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ReadSummary(ctx); err == nil || !strings.Contains(err.Error(), "brink analyze --run "+w.Dir()) {
		t.Fatalf("missing summary: %v", err)
	}
	s := &brink.Summary{SchemaVersion: brink.SchemaVersion, RunID: w.ID(), Findings: []string{"a finding"}}
	if err := w.WriteSummary(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := w.ReadSummary(ctx)
	if err != nil || got.RunID != w.ID() || !reflect.DeepEqual(got.Findings, s.Findings) {
		t.Fatalf("summary %+v, %v", got, err)
	}
}

// Every name of the layout lies in one of the run directory's folders or
// is one of its top-level files, and no two names are the same.
func TestLayoutNames(t *testing.T) {
	names := []string{ManifestFile, CloudWatchFile, LogsFile, CollectFile, LevelsFile, RampsFile, SummaryFile, CostFile, WhatIfFile,
		ImportedLevelsFile, PricesFile, ReportPDFFile, ReportMarkdownFile, ReportSummaryFile, StopFile,
		ChartFile("latency", "png"), TraceSegmentPath(3), ShardManifestFile(2), ShardTracesDir(4) + "/x"}
	top := map[string]bool{ManifestFile: true, PricesFile: true, StopFile: true}
	dirs := map[string]bool{TracesDir: true, MetricsDir: true, AnalysisDir: true, ReportDir: true, ShardsDir: true, GeneratorDir: true}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("%s named twice", n)
		}
		seen[n] = true
		d, _, ok := strings.Cut(n, "/")
		if !(top[n] || ok && dirs[d]) {
			t.Errorf("%s is outside the layout", n)
		}
	}
	if ShardManifestFile(2) != "shards/2.json" || ShardTracesDir(4) != "traces/shard=4" || TraceSegmentPath(3) != "traces/part-00003.parquet" {
		t.Error("shard names differ from DESIGN.md")
	}
}

// A sharded run reads as the merge of its shards; analysis is refused when
// a shard is missing, unfinished or disagrees, and a partial analysis is
// allowed only for missing and unfinished ones.
func TestShardsMergeAndCheck(t *testing.T) {
	ctx := context.Background()
	runs := t.TempDir()
	plan := brink.DefaultPlan()
	tl := plan.Timeline(t0)
	mk := func(i int, h brink.InputHashes) *Writer {
		w, err := Create(ctx, CreateOptions{RunsDir: runs, RunID: "sh", Started: t0, Plan: plan, Clock: brink.Clock{Epoch: t0, Scale: 1},
			Shard: i, Shards: 3, StartAt: t0, Hashes: h})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	h := brink.InputHashes{Plan: "p", Flow: "f", Corpus: "c"}
	w0, w1, w2 := mk(0, h), mk(1, h), mk(2, h)
	if _, err := Create(ctx, CreateOptions{RunsDir: runs, RunID: "sh", Started: t0, Clock: brink.Clock{Epoch: t0, Scale: 1}, Shard: 1, Shards: 3}); !errors.Is(err, ErrExists) {
		t.Fatalf("shard 1 twice: %v", err)
	}
	end1, end2 := tl[2].End, tl[1].End.Add(-time.Minute)
	lvl := 1
	w0.Finish(ctx, Ending{Ended: tl[2].End, Status: brink.StatusCompleted, Levels: tl[:3]})
	w1.Finish(ctx, Ending{Ended: end1, Status: brink.StatusStopped, Reason: "level 1: error_rate", EdgeLevel: &lvl, Levels: tl[:3]})
	r, err := Open(ctx, w0.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CheckShards(false); !errors.Is(err, ErrShards) || !strings.Contains(err.Error(), "shard 2 did not finish") || !strings.Contains(err.Error(), "--allow-partial") {
		t.Fatalf("shard 2 running: %v", err)
	}
	if warns, err := r.CheckShards(true); err != nil || len(warns) != 1 {
		t.Fatalf("partial: %v %v", warns, err)
	}
	cut := append([]brink.LevelWindow(nil), tl[:2]...)
	cut[1].End = end2
	w2.Finish(ctx, Ending{Ended: end2, Status: brink.StatusCompleted, Levels: cut})
	r, _ = Open(ctx, w0.Dir())
	m := r.Manifest()
	if m.Status != brink.StatusStopped || m.EdgeLevel == nil || *m.EdgeLevel != 1 || !m.EndedAt.Equal(tl[2].End) || len(m.Levels) != 2 || !m.Levels[1].End.Equal(end2) {
		t.Fatalf("merged: status %s edge %v end %v levels %+v", m.Status, m.EdgeLevel, m.EndedAt, m.Levels)
	}
	if _, err := r.CheckShards(false); err != nil {
		t.Fatalf("whole run: %v", err)
	}
	// A shard of other inputs is refused even with --allow-partial.
	runs2 := t.TempDir()
	for i, hh := range []brink.InputHashes{h, {Plan: "other", Flow: "f", Corpus: "c"}} {
		w, _ := Create(ctx, CreateOptions{RunsDir: runs2, RunID: "x", Started: t0, Plan: plan, Clock: brink.Clock{Epoch: t0, Scale: 1}, Shard: i, Shards: 2, StartAt: t0, Hashes: hh})
		w.Finish(ctx, Ending{Ended: t0, Status: brink.StatusCompleted})
	}
	r, _ = Open(ctx, filepath.Join(runs2, "x"))
	if _, err := r.CheckShards(true); err == nil || !strings.Contains(err.Error(), "shard 1 replayed other inputs than shard 0") {
		t.Fatalf("disagreeing shards: %v", err)
	}
}

// A level held once more (--strict-measurement) is in run.json as
// repeating while the repeat runs, so a run killed then keeps its timeline;
// the level's record and the run's ending clear it.
func TestWriterRepeating(t *testing.T) {
	ctx := context.Background()
	plan := brink.DefaultPlan()
	w, err := Create(ctx, CreateOptions{RunsDir: t.TempDir(), Started: t0, Target: "http://127.0.0.1:9", Plan: plan,
		StopRules: brink.DefaultStopRules(), Clock: brink.Clock{Epoch: t0, Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tl := plan.Timeline(t0)
	if err := w.Level(ctx, tl[0]); err != nil {
		t.Fatal(err)
	}
	rep := tl[1]
	rep.RepeatedHold = &brink.Span{Start: rep.SteadyStart, End: rep.End}
	rep.SteadyStart, rep.End = rep.End, rep.End.Add(plan.Hold.Std())
	read := func() *brink.Manifest {
		r, err := Open(ctx, w.Dir())
		if err != nil {
			t.Fatal(err)
		}
		return r.Manifest()
	}
	for _, c := range []struct {
		what string
		do   func() error
	}{
		{"the repeat begins", func() error { return w.Repeating(ctx, rep) }},
		{"the repeat is judged", func() error { return w.Level(ctx, rep) }},
		{"the repeat begins again", func() error { return w.Repeating(ctx, rep) }},
		{"the run ends", func() error { return w.Finish(ctx, Ending{Ended: rep.End, Status: brink.StatusInterrupted}) }},
	} {
		if err := c.do(); err != nil {
			t.Fatal(err)
		}
		m := read()
		if want := strings.HasPrefix(c.what, "the repeat begins"); (m.Repeating != nil) != want ||
			want && (!m.Repeating.SteadyStart.Equal(rep.SteadyStart) || m.Repeating.RepeatedHold == nil || !m.Repeating.RepeatedHold.Start.Equal(tl[1].SteadyStart)) {
			t.Fatalf("after %s: repeating %+v", c.what, m.Repeating)
		}
	}
}

// A shard manifest is outside input: a segment it lists outside its own
// folder is refused, not read (nor, for a remote run, written locally).
func TestShardFilesStayInTheRun(t *testing.T) {
	ctx := context.Background()
	runs := t.TempDir()
	plan := brink.DefaultPlan()
	for i := range 2 {
		w, err := Create(ctx, CreateOptions{RunsDir: runs, RunID: "sh", Started: t0, Plan: plan, Clock: brink.Clock{Epoch: t0, Scale: 1},
			Shard: i, Shards: 2, StartAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		w.Finish(ctx, Ending{Ended: t0, Status: brink.StatusCompleted})
	}
	outside := filepath.Join(runs, "outside.parquet")
	os.WriteFile(outside, []byte("PAR1"), 0o644)
	for _, name := range []string{"../outside.parquet", "traces/shard=0/../../../outside.parquet", outside, "traces/shard=1/part-00000.parquet"} {
		var s brink.ShardManifest
		mf := filepath.Join(runs, "sh", ShardManifestFile(0))
		b, _ := os.ReadFile(mf)
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		s.Files = []string{name}
		b, _ = json.Marshal(s)
		os.WriteFile(mf, b, 0o644)
		r, err := Open(ctx, filepath.Join(runs, "sh"))
		if err != nil {
			t.Fatal(err)
		}
		files, err := r.TraceFiles(ctx)
		if err == nil || !strings.Contains(err.Error(), "not a trace segment of shard 0") || len(files) != 0 {
			t.Errorf("shard lists %q: files %q, err %v; want it refused", name, files, err)
		}
	}
	r, _ := Open(ctx, filepath.Join(runs, "sh"))
	if _, err := r.Fetch(ctx, "../outside.parquet"); err == nil || !strings.Contains(err.Error(), "is not a file of the run directory") {
		t.Errorf("fetch ../outside.parquet: %v, want refused", err)
	}
}
