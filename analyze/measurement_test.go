package analyze

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"brink"
	"brink/collect"
	"brink/queries"
	"brink/record"
	"brink/replay"
	"brink/rundir"
	"brink/sim"
)

// A generator stalled for 400 ms of wall time in level 1's hold (20 s of
// scenario time at scale 0.05, as a busy host stalls it): analysis marks
// level 1 suspect, names the lag, says the run is degraded and leaves the
// level out of the fits, and the findings say so first.
func TestStalledGeneratorIsSuspect(t *testing.T) {
	if testing.Short() {
		t.Skip("a recorded run: skipped under -short")
	}
	s, err := sim.New(sim.DefaultConfig(), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	plan := brink.Plan{Model: "closed", StartUsers: 3, StepUsers: 3, MaxUsers: 6, Ramp: brink.Duration(5 * time.Second), Hold: brink.Duration(60 * time.Second)}
	var once sync.Once
	var stallAt time.Time
	flow, sessions, err := record.Inputs{Seed: 1}.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var start time.Time
	res, err := record.Run(context.Background(), record.Options{Target: srv.URL, RunsDir: t.TempDir(), Plan: plan, Seed: 1,
		Rules: []brink.StopRule{}, Flow: flow, Sessions: sessions,
		OnStart: func(st record.Started) { start = st.Clock.Now() },
		BeforeSend: func(scheduled time.Time) {
			// 20 s into level 1's hold ([70 s, 130 s)), every send waits
			// until 400 ms of wall time have passed, as in a host stall.
			if scheduled.Sub(start) > 90*time.Second {
				once.Do(func() { stallAt = time.Now() })
				time.Sleep(time.Until(stallAt.Add(400 * time.Millisecond)))
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if stallAt.IsZero() {
		t.Fatal("the stall never happened")
	}
	ares, err := Run(context.Background(), res.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := ares.Summary
	m := sum.Measurement
	if m == nil || m.Verdict != brink.VerdictDegraded || !containsInt(m.SuspectLevels, 1) {
		t.Fatalf("measurement %+v: want degraded with level 1 suspect", m)
	}
	l1 := sum.Levels[1]
	if l1.Verdict != brink.VerdictSuspect || l1.LagP99MS == nil || !strings.Contains(l1.VerdictReason, "behind its schedule") {
		t.Fatalf("level 1: verdict %s (%s), lag p99 %v", l1.Verdict, l1.VerdictReason, l1.LagP99MS)
	}
	if *l1.LagP99MS < 1000 {
		t.Errorf("level 1's p99 lag %.0f ms: the sends queued behind a 400 ms wall stall (8 s of scenario time) should show", *l1.LagP99MS)
	}
	said := false
	for _, f := range sum.Findings {
		said = said || strings.HasPrefix(f, "6 users (level 1) is suspect: the generator fell")
	}
	// Level 0 may be suspect too on a busy machine: only the stall is certain.
	if !said || !strings.Contains(sum.KneeNote, "suspect level(s) left out") {
		t.Fatalf("findings %q, knee note %q", sum.Findings, sum.KneeNote)
	}
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// A sim stalled for a second of wall time in level 1's hold (20 s of
// scenario time at scale 0.05: every invocation that arrives in that
// second waits for its end, as on a starved host) answers its turns late;
// collect brings the sim's lateness into the run and analysis marks level
// 1 suspect with the sim's lateness as the reason.
func TestStalledSimIsSuspect(t *testing.T) {
	if testing.Short() {
		t.Skip("a recorded run: skipped under -short")
	}
	s, err := sim.New(sim.DefaultConfig(), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var start, stallAt time.Time
	stall := time.Second
	s.SetPause(func(at time.Time) {
		mu.Lock()
		if start.IsZero() || at.Sub(start) < 90*time.Second { // level 1's hold is [70 s, 130 s)
			mu.Unlock()
			return
		}
		if stallAt.IsZero() {
			stallAt = time.Now()
		}
		until := stallAt.Add(stall)
		mu.Unlock()
		time.Sleep(time.Until(until))
	})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	plan := brink.Plan{Model: "closed", StartUsers: 3, StepUsers: 3, MaxUsers: 6, Ramp: brink.Duration(5 * time.Second), Hold: brink.Duration(60 * time.Second)}
	flow, sessions, err := record.Inputs{Seed: 1}.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := record.Run(ctx, record.Options{Target: srv.URL, RunsDir: t.TempDir(), Plan: plan, Seed: 1,
		Rules: []brink.StopRule{}, Flow: flow, Sessions: sessions,
		OnStart: func(st record.Started) { mu.Lock(); start = st.Clock.Now(); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	if stallAt.IsZero() {
		t.Fatal("the stall never happened")
	}
	if _, err := collect.Run(ctx, res.Dir, collect.Options{Margin: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	ares, err := Run(ctx, res.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := ares.Summary
	m := sum.Measurement
	if m == nil || m.Verdict != brink.VerdictDegraded || !containsInt(m.SuspectLevels, 1) {
		t.Fatalf("measurement %+v: want degraded with level 1 suspect", m)
	}
	l1 := sum.Levels[1]
	if l1.Verdict != brink.VerdictSuspect || !strings.Contains(l1.VerdictReason, "the sim answered") || l1.SimLatenessP99MS == nil || l1.SimServiceP50MS == nil {
		t.Fatalf("level 1: verdict %s (%s), sim lateness p99 %v", l1.Verdict, l1.VerdictReason, l1.SimLatenessP99MS)
	}
	// The first turn that arrived in the stall waited the whole second: 20 s
	// of scenario time; the level's p99 (its worst seconds, at ~30 turns a
	// hold) carries it.
	want := float64(stall/time.Millisecond) / 0.05
	if *l1.SimLatenessP99MS < want*0.5 || m.WorstSimLatenessP99MS == nil || *m.WorstSimLatenessP99MS < *l1.SimLatenessP99MS {
		t.Errorf("level 1's sim lateness p99 %.0f ms (worst %v): a turn stalled %.0f ms should show", *l1.SimLatenessP99MS, m.WorstSimLatenessP99MS, want)
	}
	t.Logf("level 1: sim lateness p99 %.0f ms over a modelled %.0f ms; %s", *l1.SimLatenessP99MS, *l1.SimServiceP50MS, l1.VerdictReason)
	// The modelled conversation of the default model takes a second or two.
	if svc := *l1.SimServiceP50MS; svc < 300 || svc > 10000 {
		t.Errorf("modelled conversation p50 %.0f ms", svc)
	}
	said := false
	for _, f := range sum.Findings {
		said = said || strings.HasPrefix(f, "6 users (level 1) is suspect:") && strings.Contains(f, "the sim answered")
	}
	if !said {
		t.Errorf("findings %q: want level 1 named suspect for the sim's lateness", sum.Findings)
	}
}

// sim_lateness weighs each second's p99 by its turns: one late second of
// ten equal ones is the hold's p99, one late turn among 181 is not; the
// modelled conversation time is the turn-weighted median second, and a
// second outside every hold counts nowhere.
func TestSimLatenessQuery(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := func(d int) int64 { return t0.Add(time.Duration(d) * time.Second).UnixMicro() }
	if _, err := db.ExecContext(ctx, `CREATE TABLE windows (level INTEGER, users INTEGER, ramp_us BIGINT, steady_us BIGINT, end_us BIGINT);
		CREATE TABLE sim_self (namespace VARCHAR, metric VARCHAR, stat VARCHAR, period_s INTEGER, ts TIMESTAMPTZ, value DOUBLE)`); err != nil {
		t.Fatal(err)
	}
	for lvl, w := range [][3]int64{{s(0), s(10), s(20)}, {s(30), s(40), s(50)}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO windows VALUES (?, 1, ?, ?, ?)`, lvl, w[0], w[1], w[2]); err != nil {
			t.Fatal(err)
		}
	}
	put := func(sec int, metric, stat string, v float64) {
		if _, err := db.ExecContext(ctx, `INSERT INTO sim_self VALUES ('Brink/Sim', ?, ?, 1, make_timestamptz(?::BIGINT), ?)`, metric, stat, s(sec), v); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		// Level 0: ten seconds of 10 turns, the last one late.
		late := 100.0
		if i == 9 {
			late = 5000
		}
		put(10+i, "Lateness", "p99", late)
		put(10+i, "Lateness", "Maximum", late+1)
		put(10+i, "Lateness", "SampleCount", 10)
		put(10+i, "ServiceTime", "p50", 1000+100*float64(i))
		// Level 1: nine seconds of 20 turns and one of a single late turn.
		n := 20.0
		if i == 9 {
			n = 1
		}
		put(40+i, "Lateness", "p99", late)
		put(40+i, "Lateness", "SampleCount", n)
		put(40+i, "ServiceTime", "p50", 2000)
	}
	put(25, "Lateness", "p99", 99999) // between the holds
	put(25, "Lateness", "SampleCount", 5)
	rows, err := db.QueryContext(ctx, queries.MustGet("sim_lateness"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var lvl int
		var turns int64
		var p99, mx, svc sql.NullFloat64
		if err := rows.Scan(&lvl, &turns, &p99, &mx, &svc); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %d %v %v %v", lvl, turns, p99.Float64, mx, svc.Float64))
	}
	want := []string{"0 100 5000 {5001 true} 1400", "1 181 100 {0 false} 2000"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sim_lateness rows\n%q\nwant\n%q", got, want)
	}
}

// brink run --strict-measurement: a generator stalled for 400 ms of wall
// time in level 1's hold (8 s of scenario time) has that hold judged
// suspect live and held once more; run.json keeps the first hold in
// repeated_hold and the repeat as the level's hold, and analysis judges
// the level on the repeat alone.
func TestStrictMeasurementRepeatsSuspectHold(t *testing.T) {
	if testing.Short() {
		t.Skip("a recorded run: skipped under -short")
	}
	s, err := sim.New(sim.DefaultConfig(), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	const hold, ramp = 60 * time.Second, 5 * time.Second
	// A wall floor of 100 ms (2 s of scenario time here) keeps a busy
	// machine's timer delays from judging level 0 suspect: only the stall is certain.
	plan := brink.Plan{Model: "closed", StartUsers: 3, StepUsers: 3, MaxUsers: 6, Ramp: brink.Duration(ramp), Hold: brink.Duration(hold),
		Measurement: &brink.Thresholds{LagWallMS: 100}}
	flow, sessions, err := record.Inputs{Seed: 1}.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var snap func() replay.Snapshot
	var warns []string
	var stall sync.Once
	stalled, sawRepeating := false, false
	var dir string
	var lastLook time.Time
	ctx := context.Background()
	res, err := record.Run(ctx, record.Options{Target: srv.URL, RunsDir: t.TempDir(), Plan: plan, Seed: 1,
		Rules: []brink.StopRule{}, Flow: flow, Sessions: sessions, StrictMeasurement: true,
		OnStart: func(st record.Started) { mu.Lock(); snap, dir = st.Snapshot, st.Dir; mu.Unlock() },
		Warn:    func(err error) { mu.Lock(); warns = append(warns, err.Error()); mu.Unlock() },
		BeforeSend: func(time.Time) {
			mu.Lock()
			sn := snap
			mu.Unlock()
			if sn == nil {
				return
			}
			if now := sn(); now.Level == 1 && now.Phase == brink.PhaseSteady {
				// The first send of level 1's hold stalls, and every send
				// behind it waits (sync.Once), as on a stalled host.
				stall.Do(func() { stalled = true; time.Sleep(400 * time.Millisecond) })
				// While the repeat runs, run.json says so (checked every 50 ms).
				mu.Lock()
				if !sawRepeating && time.Since(lastLook) > 50*time.Millisecond {
					lastLook = time.Now()
					if r, err := rundir.Open(ctx, dir); err == nil && r.Manifest().Repeating != nil {
						sawRepeating = r.Manifest().Repeating.Index == 1 && r.Manifest().Repeating.RepeatedHold != nil
					}
				}
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !stalled {
		t.Fatal("the stall never happened")
	}
	if !sawRepeating {
		t.Error("run.json never said level 1 was repeating while its repeat ran")
	}
	run, err := rundir.Open(ctx, res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	lv := run.Manifest().Levels
	if len(lv) != 2 || lv[1].RepeatedHold == nil {
		t.Fatalf("levels %+v: want 2, level 1 repeated (warnings %q)", lv, warns)
	}
	first, l1 := *lv[1].RepeatedHold, lv[1]
	if !first.Start.Equal(lv[0].End.Add(ramp)) || first.End.Sub(first.Start) != hold || !l1.SteadyStart.Equal(first.End) || l1.End.Sub(l1.SteadyStart) != hold {
		t.Fatalf("level 1: first hold %v..%v, repeat %v..%v; want two holds of %v after level 0's end %v and its ramp",
			first.Start, first.End, l1.SteadyStart, l1.End, hold, lv[0].End)
	}
	said := false
	for _, w := range warns {
		said = said || strings.Contains(w, "level 1 (6 users) may be suspect") && strings.Contains(w, "holding it once more")
	}
	if !said {
		t.Errorf("warnings %q: want level 1's repeat announced", warns)
	}
	ares, err := Run(ctx, res.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a1 := ares.Summary.Levels[1]
	if !a1.WindowStart.Equal(l1.SteadyStart.Truncate(time.Microsecond)) || a1.WindowS != hold.Seconds() { // analysis keeps µs
		t.Fatalf("analysis' level 1 window %v + %v s, want the repeat %v + 60 s", a1.WindowStart, a1.WindowS, l1.SteadyStart)
	}
	// Count the conversation turns of each hold from the traces directly.
	db, err := Open(ctx, DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := run.TraceFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count := func(sp brink.Span) (n int64) {
		q := `SELECT count(*) FROM read_parquet(` + quoteList(files) + `) WHERE level = 1 AND step = 'ask' AND start >= ? AND start < ?`
		if err := db.QueryRowContext(ctx, q, sp.Start, sp.End).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	inFirst, inRepeat := count(first), count(brink.Span{Start: l1.SteadyStart, End: l1.End})
	if inFirst == 0 || a1.Requests != inRepeat {
		t.Errorf("level 1: %d turns in the first hold, %d in the repeat; analysis counts %d: want the repeat's alone", inFirst, inRepeat, a1.Requests)
	}
	if a1.LagP99MS != nil && *a1.LagP99MS >= 8000 {
		t.Errorf("level 1's lag p99 %.0f ms: the stall (first hold) should not be in the repeat", *a1.LagP99MS)
	}

	// Killed during the repeat: run.json says level 1 is repeating, and
	// analysis reads the repeat as its hold, as it does for a finished run.
	killedInRepeat(t, res.Dir, 1)
	kres, err := Run(ctx, res.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k1 := kres.Summary.Levels[1]; !k1.WindowStart.Equal(a1.WindowStart) || k1.Requests != a1.Requests {
		t.Errorf("killed in the repeat: level 1 from %v, %d turns; want the repeat's %v, %d turns (warnings %q)",
			k1.WindowStart, k1.Requests, a1.WindowStart, a1.Requests, kres.Summary.Warnings)
	}
}

// killedInRepeat rewrites run.json in dir as a run killed during level
// i's repeated hold: levels up to i judged, level i repeating, the writing
// process gone.
func killedInRepeat(t *testing.T, dir string, i int) {
	t.Helper()
	path := filepath.Join(dir, rundir.ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m brink.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Repeating != nil {
		t.Fatalf("a finished run.json still says level %d is repeating", m.Repeating.Index)
	}
	rep := m.Levels[i]
	m.Levels, m.Repeating = m.Levels[:i], &rep
	m.Status, m.EndedAt, m.StopReason, m.EdgeLevel = brink.StatusRunning, nil, "", nil
	m.PID = 1 << 30 // no such process: killed
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
