package analyze

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/rundir"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// fixtureRun writes a two-level run whose numbers the tests know: level 0
// (10 users) holds [t0+10s, t0+70s), level 1 (20 users) [t0+80s, t0+140s).
func fixtureRun(t *testing.T) (string, []brink.Trace) {
	t.Helper()
	return fixtureRunWith(t, nil)
}

// fixtureRunWith is fixtureRun with each row passed through edit before it
// is written (nil: unchanged).
func fixtureRunWith(t *testing.T, edit func(*brink.Trace)) (string, []brink.Trace) {
	t.Helper()
	plan := brink.Plan{Model: "closed", StartUsers: 10, StepUsers: 10, MaxUsers: 20, Ramp: brink.Duration(10 * time.Second), Hold: brink.Duration(60 * time.Second)}
	lvl := 1
	dir := writeRun(t, t.TempDir(), "fixture", plan, rundir.Ending{Status: brink.StatusStopped, EdgeLevel: &lvl})
	var rows []brink.Trace
	add := func(level int, at time.Duration, step string, lat float64, errc string) {
		tr := brink.Trace{RunID: "fixture", VU: int32(len(rows) % 5), Step: step, Level: int32(level), Users: int32(10 * (level + 1)),
			Phase: brink.PhaseSteady, Start: t0.Add(at), LatencyMS: lat, TTFBMS: lat / 3, Status: 200, Error: errc}
		if errc == brink.ErrHTTP429 {
			tr.Status, tr.Throttled = 429, true
		}
		if errc == brink.ErrTimeout {
			tr.Status = 504
		}
		if step == brink.StepAsk && errc == "" {
			tr.HasUsage, tr.InputTokens, tr.OutputTokens = true, 400, 100
		}
		if edit != nil {
			edit(&tr)
		}
		rows = append(rows, tr)
	}
	// Level 0: asks 1000..2900 ms in 100 ms steps (20 answered), one timeout, logins.
	for i := range 20 {
		add(0, 10*time.Second+time.Duration(i)*2*time.Second, brink.StepAsk, 1000+float64(i)*100, "")
	}
	add(0, 65*time.Second, brink.StepAsk, 29000, brink.ErrTimeout)
	add(0, 10*time.Second, brink.StepAuth, 50, "")   // exactly at the hold start: counted
	add(0, 5*time.Second, brink.StepAsk, 99999, "")  // in the ramp: not counted
	add(0, 70*time.Second, brink.StepAsk, 99999, "") // exactly at the hold end: level 1's ramp
	// Level 1: asks 2000..5800 ms (20 answered), 3 throttled asks, 1 failed new_chat.
	for i := range 20 {
		add(1, 80*time.Second+time.Duration(i)*2*time.Second, brink.StepAsk, 2000+float64(i)*200, "")
	}
	for i := range 3 {
		add(1, 90*time.Second+time.Duration(i)*time.Second, brink.StepAsk, 20, brink.ErrHTTP429)
	}
	add(1, 100*time.Second, brink.StepNewChat, 30, brink.ErrHTTP5xx)
	w, err := parquet.NewTraceWriter(filepath.Join(dir, rundir.TracesDir), parquet.TraceOptions{RunID: "fixture", MaxRows: 17, FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		w.Write(r)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, rows
}

// quantileCont is an independent implementation of DuckDB's quantile_cont.
func quantileCont(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := float64(len(s)-1) * p
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	return s[int(lo)] + (pos-lo)*(s[int(hi)]-s[int(lo)])
}

func TestAnalyzeFixture(t *testing.T) {
	dir, rows := fixtureRun(t)
	res, err := Run(context.Background(), dir, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if len(s.Levels) != 2 {
		t.Fatalf("%d levels, want 2", len(s.Levels))
	}
	m := manifestOf(t, dir)
	for i, l := range s.Levels {
		w := m.Levels[i]
		var lat []float64
		var req, errs, thr, tmo, all, allErr int
		for _, r := range rows {
			if r.Start.Before(w.SteadyStart) || !r.Start.Before(w.End) {
				continue
			}
			all++
			if r.Error != "" {
				allErr++
			}
			if r.Step != brink.StepAsk {
				continue
			}
			req++
			switch {
			case r.Error == "":
				lat = append(lat, r.LatencyMS)
			default:
				errs++
			}
			if r.Throttled {
				thr++
			}
			if r.Error == brink.ErrTimeout {
				tmo++
			}
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"requests", float64(l.Requests), float64(req)},
			{"answered", float64(l.Answered), float64(len(lat))},
			{"p50", *l.P50MS, quantileCont(lat, 0.5)},
			{"p95", *l.P95MS, quantileCont(lat, 0.95)},
			{"p99", *l.P99MS, quantileCont(lat, 0.99)},
			{"rps", l.RPS, float64(req) / 60},
			{"error rate", l.ErrorRate, float64(errs) / float64(req)},
			{"throttle rate", l.ThrottleRate, float64(thr) / float64(req)},
			{"timeout rate", l.TimeoutRate, float64(tmo) / float64(req)},
			{"all requests", float64(l.AllRequests), float64(all)},
			{"all error rate", l.AllErrorRate, float64(allErr) / float64(all)},
			{"input tokens/min", l.InputTPM, float64(len(lat)) * 400},
		} {
			if math.Abs(c.got-c.want) > 1e-9*math.Max(1, math.Abs(c.want)) {
				t.Errorf("level %d %s = %v, want %v", i, c.name, c.got, c.want)
			}
		}
	}
	// Level 0: 1 error in 21 asks, 22 requests in all: 4.5% > 1% → the edge
	// is level 0, though the live check said level 1: analysis says so.
	if s.Edge == nil || s.Edge.Level != 0 || s.Edge.Rule != "error_rate (all steps) > 1%" {
		t.Fatalf("edge %+v, want level 0 by the error rule", s.Edge)
	}
	if s.EdgeAgrees == nil || *s.EdgeAgrees {
		t.Fatalf("edge_agrees_with_live = %v, want false", s.EdgeAgrees)
	}
	if s.TotalRequests != int64(len(rows)) {
		t.Errorf("total requests %d, want %d", s.TotalRequests, len(rows))
	}
	golden(t, "summary.golden.json", s)
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, append(got, '\n'), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if strings.TrimSpace(string(got)) != strings.TrimSpace(string(want)) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, got)
	}
}

func TestTraceColumns(t *testing.T) {
	dir, _ := fixtureRun(t)
	db, err := Open(context.Background(), DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`DESCRIBE SELECT * FROM read_parquet(` + quote(filepath.Join(dir, "traces", "*.parquet")) + `)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, typ string
		var null, key, def, extra any
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			t.Fatal(err)
		}
		got = append(got, name+" "+typ)
	}
	want := []string{"run_id VARCHAR", "vu INTEGER", "session BIGINT", "step VARCHAR", "level INTEGER", "users INTEGER",
		"phase VARCHAR", "start TIMESTAMP WITH TIME ZONE", "latency_ms DOUBLE", "ttfb_ms DOUBLE", "status INTEGER",
		"error VARCHAR", "throttled BOOLEAN", "bytes_sent BIGINT", "bytes_received BIGINT", "input_tokens INTEGER",
		"output_tokens INTEGER", "model VARCHAR", "scheduled TIMESTAMP WITH TIME ZONE"}
	if !slices.Equal(got, want) {
		t.Fatalf("columns:\n got %q\nwant %q", got, want)
	}
}

func TestLevelsParquet(t *testing.T) {
	dir, _ := fixtureRun(t)
	res, err := Run(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, _ := Open(context.Background(), DBOptions{})
	defer db.Close()
	// One row per level and step: level 0 has ask and auth, level 1 ask
	// and new_chat (the ramp rows are in ramps.parquet).
	var n int
	var p95 float64
	if err := db.QueryRow(`SELECT count(*), max(p95_ms) FILTER (WHERE step = 'ask') FROM read_parquet(?)`, res.LevelsPath).Scan(&n, &p95); err != nil {
		t.Fatal(err)
	}
	if n != 4 || p95 != *res.Summary.Levels[1].P95MS {
		t.Fatalf("levels.parquet: %d rows, max ask p95 %v; want 4 rows and %v", n, p95, *res.Summary.Levels[1].P95MS)
	}
	var newChatErr float64
	if err := db.QueryRow(`SELECT error_rate FROM read_parquet(?) WHERE level = 1 AND step = 'new_chat'`, res.LevelsPath).Scan(&newChatErr); err != nil || newChatErr != 1 {
		t.Fatalf("level 1 new_chat error rate %v (%v), want 1 (its one request failed)", newChatErr, err)
	}
	// The ramp of level 0 holds the one ask at t0+5s.
	var rampReq int
	if err := db.QueryRow(`SELECT sum(requests) FROM read_parquet(?) WHERE level = 0`, filepath.Join(dir, "analysis", "ramps.parquet")).Scan(&rampReq); err != nil || rampReq != 1 {
		t.Fatalf("level 0 ramp requests %d (%v), want 1", rampReq, err)
	}
}

func TestAnalyzeBadInput(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := Run(ctx, missing, Options{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing dir: %v, want an error naming it", err)
	}
	empty := t.TempDir()
	if _, err := Run(ctx, empty, Options{}); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty dir: %v, want an error naming it", err)
	}
	// A torn segment is skipped with a warning naming it; the rest is analysed.
	dir, _ := fixtureRun(t)
	torn := filepath.Join(dir, "traces", "part-00099.parquet")
	os.WriteFile(torn, []byte("PAR1garbage"), 0o644)
	res, err := Run(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Warnings) == 0 || !strings.Contains(strings.Join(res.Summary.Warnings, "\n"), torn) {
		t.Fatalf("warnings %q: want one naming %s", res.Summary.Warnings, torn)
	}
	// Only torn files: an error.
	m := manifestOf(t, dir)
	only := writeRun(t, t.TempDir(), m.RunID, m.Plan, rundir.Ending{Status: m.Status, EdgeLevel: m.EdgeLevel})
	os.MkdirAll(filepath.Join(only, "traces"), 0o755)
	os.WriteFile(filepath.Join(only, "traces", "part-00000.parquet"), []byte("junk"), 0o644)
	if _, err := Run(ctx, only, Options{}); err == nil {
		t.Fatal("only torn files: want an error")
	}
}

func TestSlowestUsersAndLittlesLaw(t *testing.T) {
	dir, rows := fixtureRun(t)
	res, err := Run(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := manifestOf(t, dir)
	for i, l := range res.Summary.Levels {
		w := m.Levels[i]
		perVU := map[int32][]float64{}
		var all []brink.Trace
		for _, r := range rows {
			if r.Start.Before(w.SteadyStart) || !r.Start.Before(w.End) {
				continue
			}
			all = append(all, r)
			if r.Step == brink.StepAsk && r.Error == "" {
				perVU[r.VU] = append(perVU[r.VU], r.LatencyMS)
			}
		}
		var meds, maxs []float64
		for _, lat := range perVU {
			meds = append(meds, quantileCont(lat, 0.5))
			maxs = append(maxs, slices.Max(lat))
		}
		if want := quantileCont(meds, 0.95); math.Abs(*l.UserP95MedianMS-want) > 1e-9 {
			t.Errorf("level %d user p95 of medians %v, want %v", i, *l.UserP95MedianMS, want)
		}
		if want := quantileCont(maxs, 0.95); math.Abs(*l.UserP95MaxMS-want) > 1e-9 {
			t.Errorf("level %d user p95 of worsts %v, want %v", i, *l.UserP95MaxMS, want)
		}
		// Little's law from the rows: X (R + Z), Z each user's idle time (its
		// first-to-last start span less the latencies of all but its last
		// request) per gap between requests.
		byVU := map[int32][]brink.Trace{}
		var sumLat float64
		for _, r := range all {
			byVU[r.VU] = append(byVU[r.VU], r)
			sumLat += r.LatencyMS
		}
		var sumGap float64
		gaps := 0
		for _, rs := range byVU {
			slices.SortFunc(rs, func(a, b brink.Trace) int {
				if c := a.Start.Compare(b.Start); c != 0 {
					return c
				}
				return cmp.Compare(a.LatencyMS, b.LatencyMS)
			})
			span := float64(rs[len(rs)-1].Start.Sub(rs[0].Start).Microseconds()) / 1e3
			for _, r := range rs[:len(rs)-1] {
				span -= r.LatencyMS
			}
			sumGap += span
			gaps += len(rs) - 1
		}
		x := float64(len(all)) / 60
		want := x * (sumLat/float64(len(all)) + sumGap/float64(gaps)) / 1000
		if math.Abs(l.LittleUsers-want) > 1e-9 {
			t.Errorf("level %d Little's law users %v, want %v", i, l.LittleUsers, want)
		}
		if !l.GeneratorLimited {
			t.Errorf("level %d: %v implied users of %d: want flagged", i, l.LittleUsers, l.Users)
		}
	}
}

// fixtureNow pins the price sheet's staleness check, so the golden summary
// does not grow a warning when the embedded sheet turns a year old.
var fixtureNow = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
