package analyze

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"brink/collect/importers"
	"brink/rundir"
)

// sampleReq is one request read straight from a sample file by the test,
// independently of the importers.
type sampleReq struct {
	start  time.Time
	lat    float64
	status int
	ask    bool
}

// windowStats computes what analyze must say for the ask requests starting
// in [from, to): count, answered and the exact p95 (linear interpolation at
// (n-1)p) of answered latency.
func windowStats(reqs []sampleReq, from, to time.Time) (n, answered int, p95 float64) {
	var lat []float64
	for _, r := range reqs {
		if !r.ask || r.start.Before(from) || !r.start.Before(to) {
			continue
		}
		n++
		if r.status >= 200 && r.status < 400 {
			lat = append(lat, r.lat)
		}
	}
	return n, len(lat), importQuantile(lat, 0.95)
}

func importQuantile(xs []float64, p float64) float64 {
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ { // insertion sort: the samples are small
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	pos := float64(len(s)-1) * p
	lo, hi := math.Floor(pos), math.Ceil(pos)
	return s[int(lo)] + (pos-lo)*(s[int(hi)]-s[int(lo)])
}

func TestImportedK6(t *testing.T) {
	f, err := os.Open("../collect/importers/k6/testdata/ramp.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []sampleReq
	for s := bufio.NewScanner(zr); s.Scan(); {
		var l struct {
			Type, Metric string
			Data         struct {
				Time  time.Time
				Value float64
				Tags  map[string]string
			}
		}
		if err := json.Unmarshal(s.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Type != "Point" || l.Metric != "http_req_duration" {
			continue
		}
		st, _ := strconv.Atoi(l.Data.Tags["status"])
		start := l.Data.Time.Add(-time.Duration(l.Data.Value * float64(time.Millisecond)))
		reqs = append(reqs, sampleReq{start, l.Data.Value, st, l.Data.Tags["name"] == "chat_message"})
	}
	res, err := importers.K6(context.Background(), "../collect/importers/k6/testdata/ramp.json.gz", importers.Options{RunsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != int64(len(reqs)) {
		t.Fatalf("%d trace rows, the file has %d requests", res.Requests, len(reqs))
	}
	out, err := Run(context.Background(), res.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Summary
	// The vus gauge holds 4 from 10:00:03 to 10:00:24 and 8 from 10:00:27 to 10:00:48 (one reading a second).
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	want := []struct {
		users    int
		from, to time.Duration
	}{{4, 3 * time.Second, 24 * time.Second}, {8, 27 * time.Second, 48 * time.Second}}
	if len(s.Levels) != len(want) || s.TotalRequests != int64(len(reqs)) {
		t.Fatalf("%d levels, %d requests", len(s.Levels), s.TotalRequests)
	}
	for i, w := range want {
		l := s.Levels[i]
		n, answered, p95 := windowStats(reqs, t0.Add(w.from), t0.Add(w.to))
		if l.Users != w.users || !l.WindowStart.Equal(t0.Add(w.from)) || !l.WindowEnd.Equal(t0.Add(w.to)) {
			t.Errorf("level %d: %d users, window %v-%v", i, l.Users, l.WindowStart, l.WindowEnd)
		}
		if l.Requests != int64(n) || l.Answered != int64(answered) || l.P95MS == nil || math.Abs(*l.P95MS-p95) > 1e-6 {
			t.Errorf("level %d: requests %d answered %d p95 %v; from the file %d, %d, %v", i, l.Requests, l.Answered, l.P95MS, n, answered, p95)
		}
		if math.Abs(l.RPS-float64(n)/(w.to-w.from).Seconds()) > 1e-9 {
			t.Errorf("level %d rps %v", i, l.RPS)
		}
	}
}

func TestImportedVegetaSingleLevel(t *testing.T) {
	// The first attack only (4 requests/s for 10 s): one level, which analyze must accept.
	b, err := os.ReadFile("../collect/importers/vegeta/testdata/results.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")[:40]
	path := t.TempDir() + "/one.json"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	var reqs []sampleReq
	for _, ln := range lines {
		var r struct {
			Timestamp time.Time
			Latency   int64
			Code      int
			URL       string
		}
		if err := json.Unmarshal([]byte(ln), &r); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, sampleReq{r.Timestamp, float64(r.Latency) / 1e6, r.Code, strings.HasSuffix(r.URL, "/messages")})
	}
	res, err := importers.Vegeta(context.Background(), path, importers.Options{RunsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), res.Dir, Options{})
	if err != nil {
		t.Fatalf("a single level must analyse: %v", err)
	}
	s := out.Summary
	if len(s.Levels) != 1 {
		t.Fatalf("%d levels", len(s.Levels))
	}
	l := s.Levels[0]
	// 40 requests 250 ms apart: rate 39/9.75 s = 4/s, hold 40/4 = 10 s.
	n, answered, p95 := windowStats(reqs, reqs[0].start, reqs[0].start.Add(10*time.Second))
	if l.Users != 4 || l.WindowS != 10 || l.AllRequests != 40 || l.Requests != int64(n) || n != 36 || l.Answered != int64(answered) ||
		l.P95MS == nil || math.Abs(*l.P95MS-p95) > 1e-6 {
		t.Errorf("level %+v; want 4 users, 10 s, 40 requests, %d asks, %d answered, p95 %v", l, n, answered, p95)
	}
}

func TestImportedLocust(t *testing.T) {
	prefix := "../collect/importers/locust/testdata/chat_full"
	f, err := os.Open(prefix + "_stats_history.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Running totals of the Aggregated row and of the ask name, by Unix second.
	type tot struct{ n, fails float64 }
	agg, ask := map[string]tot{}, map[string]tot{}
	for _, r := range recs[1:] {
		n, _ := strconv.ParseFloat(r[17], 64)
		fl, _ := strconv.ParseFloat(r[18], 64)
		switch r[3] {
		case "Aggregated":
			agg[r[0]] = tot{n, fl}
		case "/chat/sessions/[id]/messages":
			ask[r[0]] = tot{n, fl}
		}
	}
	res, err := importers.Locust(context.Background(), prefix, importers.Options{RunsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Manifest.Aggregated {
		t.Fatal("run.json is not marked aggregated")
	}
	out, err := Run(context.Background(), res.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Summary
	if len(s.Levels) != 3 || len(s.Approximate) == 0 || s.TotalRequests != int64(agg["1795687295"].n) {
		t.Fatalf("%d levels, approximate %q, total %d", len(s.Levels), s.Approximate, s.TotalRequests)
	}
	// User Count is 10 from 10:00:01 to 10:00:31, 20 from :33 to 1:03, 30 from 1:05 to the end (1:35).
	for i, w := range [][2]int64{{1795687201, 1795687231}, {1795687233, 1795687263}, {1795687265, 1795687295}} {
		l := s.Levels[i]
		a, b := strconv.FormatInt(w[0], 10), strconv.FormatInt(w[1], 10)
		win := float64(w[1] - w[0])
		wantReq := ask[b].n - ask[a].n
		wantAll := agg[b].n - agg[a].n
		if l.WindowS != win || float64(l.Requests) != wantReq || float64(l.AllRequests) != wantAll ||
			math.Abs(l.AllErrorRate-(agg[b].fails-agg[a].fails)/wantAll) > 1e-12 || math.Abs(l.RPS-wantReq/win) > 1e-12 {
			t.Errorf("level %d: %+v\nwant window %v, ask %v, all %v", i, l, win, wantReq, wantAll)
		}
		if l.Users != (i+1)*10 || l.P95MS == nil {
			t.Errorf("level %d: users %d p95 %v", i, l.Users, l.P95MS)
		}
	}
	// Level 2 breaks the 1% error rule (failures only happen at 30 users).
	if s.Edge == nil || s.Edge.Level != 2 {
		t.Errorf("edge %+v, want level 2", s.Edge)
	}
	// Issue 18 item 14: levels.parquet has a traced run's columns, in order
	// and with their types; the imported one NULLs what Locust cannot give.
	traced, _ := analysed(t, nil)
	schema := func(dir string) string {
		db, err := Open(context.Background(), DBOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query(`SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`,
			filepath.Join(dir, rundir.LevelsFile))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var cols []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			cols = append(cols, c)
		}
		return strings.Join(cols, ", ")
	}
	if a, b := schema(traced), schema(res.Dir); a != b || !strings.Contains(a, "ttfb_p95_ms DOUBLE") {
		t.Errorf("levels.parquet columns differ:\ntraced   %s\nimported %s", a, b)
	}
	db, _ := Open(context.Background(), DBOptions{})
	defer db.Close()
	var steps string
	var nullP90, nullTTFB, nullThrottle, n int
	if err := db.QueryRow(`SELECT string_agg(DISTINCT step, ','), count(*) FILTER (WHERE p90_ms IS NULL), count(*) FILTER (WHERE ttfb_p50_ms IS NULL),
		count(*) FILTER (WHERE throttle_rate IS NULL), count(*) FROM read_parquet(?)`, filepath.Join(res.Dir, rundir.LevelsFile)).Scan(&steps, &nullP90, &nullTTFB, &nullThrottle, &n); err != nil {
		t.Fatal(err)
	}
	if steps != "ask" || n != 3 || nullP90 != 3 || nullTTFB != 3 || nullThrottle != 3 {
		t.Errorf("imported levels.parquet: steps %q, %d rows, NULL p90 %d, ttfb %d, throttle %d; want ask, 3, all NULL", steps, n, nullP90, nullTTFB, nullThrottle)
	}
}
