package report

import (
	"brink/pricing"
	"brink/rundir"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"brink"
)

var update = flag.Bool("update", false, "rewrite golden files")

func f(v float64) *float64 { return &v }

var created = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// synthSummary is an analysed run of n levels (10 users more each, ramp
// and hold as the plan says) with every section the report draws: the
// level table, knees, the USL fit, collected metrics, cost, the timeline in
// buckets of bucketS seconds and the latency distribution. Latency grows
// with users and breaks 5 s past 80% of the levels; errors past 70%.
func synthSummary(n int, plan brink.Plan, bucketS float64) *brink.Summary {
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	plan.MaxUsers = plan.StartUsers + plan.StepUsers*(n-1)
	tl := plan.Timeline(start)
	end := tl[len(tl)-1].End
	s := &brink.Summary{SchemaVersion: brink.SchemaVersion, RunID: "20261126T100000Z-abc123", Status: brink.StatusStopped, Target: "http://127.0.0.1:8080",
		StartedAt: start, EndedAt: &end, TimeScale: 0.02, Plan: plan, StopRules: brink.DefaultStopRules(), Step: "ask",
		MetricsCollected: true}
	hold := plan.Hold.Std().Seconds()
	s.Cost = &brink.CostSummary{Currency: "USD", PriceSheet: "embedded", PricesAsOf: "2025-06-01",
		Assumptions: brink.CostAssumptions{LambdaConcurrencyLimit: 36, BedrockTPMQuota: 700000}}
	edgeAt := int(math.Ceil(float64(n) * 0.7))
	for i := range n {
		u := tl[i].Users
		frac := float64(i+1) / float64(n)
		p95 := 2700 + 3000*math.Pow(frac, 3)
		errRate := 0.0
		if i >= edgeAt {
			errRate = 0.012 * float64(i-edgeAt+1)
		}
		x := float64(u) / 8 * (1 - 0.3*frac*frac)
		req := int64(x * hold)
		l := brink.LevelStats{Level: i, Users: u, WindowStart: tl[i].SteadyStart, WindowEnd: tl[i].End, WindowS: hold,
			Requests: req, Answered: req, RPS: x, AnsweredRPS: x * (1 - errRate),
			P50MS: f(p95 * 0.65), P95MS: f(p95), P99MS: f(p95 * 1.2), ErrorRate: errRate, ThrottleRate: errRate,
			AllRequests: req * 5 / 4, AllErrorRate: errRate, AllThrottle: errRate, InputTPM: float64(u) * 5700, OutputTPM: float64(u) * 1300,
			UserP95MedianMS: f(p95 * 0.8), UserP95MaxMS: f(p95 * 1.4),
			Infra: &brink.InfraStats{LambdaMaxConcurrency: f(math.Min(36, float64(u)*0.45)), LambdaThrottles: f(errRate * 1000),
				DDBConsumedWCUPerS: f(float64(u) * 0.8), DDBProvisionedWCU: f(100), DDBWriteThrottles: f(0), BedrockThrottles: f(0),
				BedrockInputTPM: f(float64(u) * 5700), BedrockOutputTPM: f(float64(u) * 1300)}}
		s.Levels = append(s.Levels, l)
		s.TotalRequests += l.AllRequests
		per := brink.CostBreakdown{LLMInput: 0.00125, LLMOutput: 0.0014, Lambda: 0.00035 * (1 - frac/4), DynamoDB: 0.00002, APIGateway: 0.00001}.Sum()
		s.Cost.Levels = append(s.Cost.Levels, brink.LevelCost{Level: i, Users: u, WindowS: hold, UserMinutes: float64(u) * hold / 60,
			AnsweredTurns: req, PerUserMinute: per, USD: per.Scale(float64(u) * hold / 60), PerTurnUSD: f(0.000427), TokensPerTurnMean: f(867)})
		var ms []float64
		for _, p := range brink.LatencyProbs {
			ms = append(ms, p95*(0.45+0.6*p))
		}
		s.LatencyDist = append(s.LatencyDist, brink.LatencyQuantiles{Level: i, Users: u, Answered: req, MinMS: p95 * 0.4, MaxMS: p95 * 1.6,
			P: append([]float64(nil), brink.LatencyProbs...), MS: ms})
	}
	s.Cost.BaselineLevel = edgeAt - 1
	e := s.Levels[edgeAt]
	s.Edge = &brink.Edge{Level: e.Level, Users: e.Users, Rule: "error_rate (all steps) > 1%", Value: e.AllErrorRate, Threshold: 0.01}
	k := s.Levels[edgeAt-2]
	s.LatencyKnee = &brink.KneePoint{Users: k.Users, Value: *k.P95MS}
	s.ThroughputKnee = &brink.KneePoint{Users: k.Users, Value: k.AnsweredRPS}
	s.LatencyWarningUsers = new(int)
	*s.LatencyWarningUsers = e.Users - k.Users
	peakN, peakX := float64(e.Users)*1.1, s.Levels[edgeAt].AnsweredRPS*1.02
	s.USL = &brink.USLFit{Sigma: -0.009, Kappa: 0.0001, Lambda: 0.13, R2: 0.99, PeakN: &peakN, PeakX: &peakX}
	s.FirstLimit = &brink.LimitSignal{Signal: "Lambda throttles", Level: e.Level, Users: e.Users, Value: 12, Source: "cloudwatch"}
	s.Findings = []string{"p95 conversation latency first exceeded 5 s at level 8 (90 users): 5.70 s.",
		"Edge of failure: level 7 (80 users), where error_rate (all steps) > 1%."}
	for t := 0.0; t < end.Sub(start).Seconds(); t += bucketS {
		at := start.Add(time.Duration(t * float64(time.Second)))
		p := brink.TimelinePoint{OffsetS: t, BucketS: bucketS}
		for i, lw := range tl {
			if !at.Before(lw.RampStart) && at.Before(lw.End) {
				lvl := i
				p.Level, p.Users = &lvl, lw.Users
				p.Phase = brink.PhaseSteady
				if at.Before(lw.SteadyStart) {
					p.Phase = brink.PhaseRamp
				}
				l := s.Levels[i]
				p.RPS, p.AnsweredRPS, p.ErrorRPS = l.RPS*1.25, l.AnsweredRPS, l.RPS*1.25*l.AllErrorRate
				p.P95MS = f(*l.P95MS * (1 + 0.05*math.Sin(t)))
			}
		}
		s.Timeline = append(s.Timeline, p)
	}
	return s
}

func fixturePlan() brink.Plan {
	return brink.Plan{Model: "closed", StartUsers: 10, StepUsers: 10, Ramp: brink.Duration(30 * time.Second), Hold: brink.Duration(2 * time.Minute)}
}

func fixtureSummary() *brink.Summary { return synthSummary(9, fixturePlan(), 10) }

func fixtureWhatIf() *pricing.WhatIf {
	w := &pricing.WhatIf{RunID: "20261126T100000Z-abc123", Currency: "USD", PriceSheet: "embedded", PricesAsOf: "2025-06-01",
		Baseline: pricing.Baseline{Level: 5, Users: 60, TurnsPerUserMinute: 6.98}}
	for _, r := range []struct {
		name         string
		users, per   float64
		loadPerUsers float64
	}{{"measured", 60, 0.002975, 1}, {"viral x10 users, x2 engagement", 600, 0.00595, 2}, {"viral x100 users, x2 engagement", 6000, 0.00595, 2}} {
		var sc pricing.Result
		sc.Scenario.Name = r.name
		sc.ConcurrentUsers, sc.AverageUsers, sc.LoadEquivalentUsers = r.users, r.users, r.users*r.loadPerUsers
		sc.PerUserMinute = brink.CostBreakdown{Total: r.per}
		sc.PerDay = brink.CostBreakdown{Total: r.per * r.users * 1440}
		sc.PerMonth = sc.PerDay.Scale(365.0 / 12)
		sc.TurnsPerUserMinute, sc.HoursPerDay = 6.98*r.loadPerUsers, 24
		// DynamoDB write units: turns/s × 7 against 90 provisioned.
		wcu := r.users * sc.TurnsPerUserMinute / 60 * 7
		sc.Quotas = []pricing.QuotaCheck{{Name: "DynamoDB WCU", Need: wcu, Limit: 90, Over: wcu > 90}}
		w.Results = append(w.Results, sc)
	}
	return w
}

// checkGolden compares got with testdata/name (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, golden, got)
	}
}

func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	pf, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	img, err := png.Decode(pf)
	if err != nil || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Fatalf("%s: %v, bounds %v; want %dx%d", path, err, img.Bounds(), w, h)
	}
}

var pageRE = regexp.MustCompile(`/Type\s*/Page[^s]`)

func pdfPages(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(pageRE.FindAll(b, -1))
}

// pdfText extracts a PDF's text with pdftotext, one string per page; it
// skips the test when poppler-utils is missing.
func pdfPagesText(t *testing.T, path string) []string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) not installed: PDF text not checked")
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return strings.Split(string(out), "\f")
}

func TestWriteReport(t *testing.T) {
	run := newRun(t)
	dir := run.Dir()
	res, err := Write(context.Background(), run, fixtureSummary(), Options{Now: created, WhatIf: fixtureWhatIf(), Formats: Formats})
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*len(charts) + 3; len(res.Files) != want {
		t.Fatalf("wrote %d files %v, want %d (png and svg per chart, pdf, md, json)", len(res.Files), res.Files, want)
	}
	out := filepath.Join(dir, "report")
	md, _ := os.ReadFile(filepath.Join(out, "summary.md"))
	checkGolden(t, "summary.golden.md", md)
	js, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	checkGolden(t, "summary.golden.json", js)
	for _, ch := range charts {
		checkPNG(t, filepath.Join(out, ch.name+".png"), 1500, 938)
		if !strings.Contains(string(md), "]("+ch.name+".png)") {
			t.Errorf("summary.md does not link %s.png", ch.name)
		}
		svg, err := os.ReadFile(filepath.Join(out, ch.name+".svg"))
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s.svg: %v, not an SVG", ch.name, err)
		}
	}
	pdf := filepath.Join(out, "report.pdf")
	if n, want := pdfPages(t, pdf), 1+len(charts)+1; n != want {
		t.Errorf("report.pdf has %d pages, want %d: facts and findings, %d charts, the level table", n, want, len(charts))
	}
	pages := pdfPagesText(t, pdf)
	for _, want := range []string{"brink capacity report: run 20261126T100000Z-abc123", "Findings",
		"p95 conversation latency first exceeded 5 s", "The first limit to break was Lambda throttles, at 80 users",
		"engagement (6000 users at 13.96 questions/user-min) $51408 a day", "$0.002962 at 6.14 questions/user-min", "Cost per active user per minute (at 70 users) $0.002962", "Edge of failure 80 users", "Plan: 10 users +10 per level"} {
		if !strings.Contains(strings.Join(strings.Fields(pages[0]), " "), want) {
			t.Errorf("page 1 of report.pdf lacks %q:\n%s", want, pages[0])
		}
	}
	for i, ch := range charts {
		if !strings.Contains(pages[1+i], ch.title) || !strings.Contains(pages[1+i], "run 20261126T100000Z-abc123") {
			t.Errorf("page %d of report.pdf lacks the title %q or the run id in the footer:\n%s", i+2, ch.title, pages[1+i])
		}
	}
	if !strings.Contains(pages[1+len(charts)], "Level table") || !strings.Contains(pages[1+len(charts)], "user p95 ms") {
		t.Errorf("last page lacks the level table:\n%s", pages[1+len(charts)])
	}
	if strings.Contains(strings.Join(pages, ""), "not collected") {
		t.Error("report.pdf says metrics were not collected; they were")
	}
}

// The report of a run without metrics, cost, timeline or what-if says what
// is missing instead of drawing empty charts; an imported run says which
// answers are approximate.
func TestReportOfBareRun(t *testing.T) {
	s := fixtureSummary()
	s.MetricsCollected, s.Cost, s.Timeline, s.LatencyDist, s.USL = false, nil, nil, nil, nil
	for i := range s.Levels {
		s.Levels[i].Infra = nil
	}
	s.Approximate = []string{"percentiles are interpolated from the exported percentile columns"}
	run := newRun(t)
	dir := run.Dir()
	if _, err := Write(context.Background(), run, s, Options{Now: created, Formats: []string{"pdf", "png", "json"}}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "report", "infrastructure.png"), 1500, 938)
	js, _ := os.ReadFile(filepath.Join(dir, "report", "summary.json"))
	for _, want := range []string{`"usd_per_user_minute": null`, `"whatif": []`, `"approximate": [` + "\n" + `    "percentiles are`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("summary.json lacks %s:\n%s", want, js)
		}
	}
	text := strings.Join(pdfPagesText(t, filepath.Join(dir, "report", "report.pdf")), "\n")
	for _, want := range []string{"Approximate answers", "percentiles are interpolated", "Infrastructure metrics: not collected for this run",
		"No what-if projection for this run", "No cost in this analysis", "No timeline in this analysis"} {
		if !strings.Contains(text, want) {
			t.Errorf("report.pdf lacks %q", want)
		}
	}
}

func TestCompare(t *testing.T) {
	a := fixtureSummary()
	b := synthSummary(12, fixturePlan(), 10) // the fix: the edge moves out
	b.RunID = "20261127T090000Z-def456"
	for i := range b.Levels {
		b.Levels[i].P95MS = f(*b.Levels[i].P95MS * 0.9)
	}
	// The tests analyze.Compare would give: p95 significantly lower at 10
	// users, the rest not significant, cost untested.
	p95a, p95b := *a.Levels[0].P95MS, *b.Levels[0].P95MS
	delta := 100 * (p95b - p95a) / p95a
	stats := &brink.Comparison{RunA: a.RunID, RunB: b.RunID, Step: "ask", Alpha: 0.05, Users: []int{10},
		Differences: []brink.Difference{
			{Metric: brink.MetricP95, Users: 10, A: &p95a, B: &p95b, DeltaPct: &delta, PValue: f(0.0009), Significant: true},
			{Metric: brink.MetricErrorRate, Users: 10, A: f(0.01), B: f(0.012), DeltaPct: f(20), PValue: f(0.6)},
			{Metric: brink.MetricUSDPerUserMin, Users: 10, A: f(0.003), B: f(0.0031)},
		},
		Verdict: "Run B is better (1 common level, alpha = 0.05): p95_ms lower at 10 users."}
	dir := t.TempDir()
	res, err := Compare(context.Background(), a, b, CompareOptions{OutDir: dir, Now: created, Formats: CompareFormats, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 4 {
		t.Fatalf("wrote %v, want pdf, png, svg, md", res.Files)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "compare.md"))
	checkGolden(t, "compare.golden.md", md)
	for _, want := range []string{"| Edge of failure (users) | 80 | 100 | +20 (+25%) |\n",
		"**Did the change help?** Run B is better (1 common level, alpha = 0.05): p95_ms lower at 10 users.",
		"| 10 | p95_ms | 2704 ms | 2432 ms | -10.1% | p=0.0009 |", "| 10 | error_rate | 1.00% | 1.20% | ~ | p=0.6 |",
		"| 10 | usd_per_user_minute | $0.003000 | $0.003100 | ? | - |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("compare.md lacks %q:\n%s", want, md)
		}
	}
	checkPNG(t, filepath.Join(dir, "compare.png"), 1500, 938)
	pdf := filepath.Join(dir, "compare.pdf")
	if n := pdfPages(t, pdf); n != 2 {
		t.Errorf("compare.pdf has %d pages, want 2 (table, chart)", n)
	}
	text := strings.Join(pdfPagesText(t, pdf), "\n")
	for _, want := range []string{"did the change help?", "Run B is better (1 common level", "p=0.0009", "Edge of failure (users)", "p95 conversation latency", "Throughput"} {
		if !strings.Contains(text, want) {
			t.Errorf("compare.pdf lacks %q", want)
		}
	}
}

func TestBadFormat(t *testing.T) {
	if _, err := Write(context.Background(), newRun(t), fixtureSummary(), Options{Formats: []string{"docx"}}); err == nil {
		t.Fatal("unknown format: want an error")
	}
	if _, err := Compare(context.Background(), fixtureSummary(), fixtureSummary(), CompareOptions{OutDir: t.TempDir(), Formats: []string{"json"}}); err == nil {
		t.Fatal("compare to json: want an error")
	}
}

func TestPDFTextIsCP1252(t *testing.T) {
	for in, want := range map[string]string{"a → b": "a -> b", "≤ 5 s": "<= 5 s", "naïve": "na\xefve", "漢": "?", "÷ ×": "\xf7 \xd7"} {
		if got := pdfText(in); got != want {
			t.Errorf("pdfText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUsersTicks(t *testing.T) {
	var users []int
	for u := 10; u <= 400; u += 10 {
		users = append(users, u)
	}
	labels := 0
	for _, tk := range (usersTicks{users}).Ticks(0, 410) {
		if tk.Label != "" {
			labels++
		}
	}
	if labels > 14 {
		t.Errorf("%d labelled ticks for 40 levels, want at most 14 (readable)", labels)
	}
	_ = fmt.Sprint
}

// newRun makes an empty run directory for a report to go in.
func newRun(t testing.TB) *rundir.Run {
	t.Helper()
	w, err := rundir.Create(context.Background(), rundir.CreateOptions{RunsDir: t.TempDir(), RunID: "20261126T100000Z-abc123",
		Started: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Plan: fixturePlan(), Clock: brink.Clock{Epoch: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Scale: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return &w.Run
}

// A suspect level is shaded on the latency chart, marked in the level
// table and explained under it.
func TestSuspectLevelsShown(t *testing.T) {
	s := fixtureSummary()
	s.Levels[3].Verdict, s.Levels[3].VerdictReason = brink.VerdictSuspect, "the generator fell 1.2 s behind its schedule"
	s.Measurement = &brink.Measurement{Verdict: brink.VerdictDegraded, SuspectLevels: []int{3}}
	plain := fixtureSummary()
	var a, b bytes.Buffer
	for _, c := range []struct {
		s   *brink.Summary
		out *bytes.Buffer
	}{{s, &a}, {plain, &b}} {
		png, err := drawImage("png", &input{s: c.s}, charts[0])
		if err != nil {
			t.Fatal(err)
		}
		c.out.Write(png)
	}
	if bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the latency chart of a run with a suspect level is the same as without")
	}
	var md bytes.Buffer
	WriteFindings(&md, s, nil, "")
	if !strings.Contains(md.String(), " 3*     40") || !strings.Contains(md.String(), "* suspect: the generator or its host distorted") {
		t.Errorf("level table:\n%s", md.String())
	}
}
