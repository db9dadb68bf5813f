package importers

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"brink"
	"brink/collect/parquet"
	"brink/rundir"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func gauge(vals ...int) []Sample {
	s := make([]Sample, len(vals))
	for i, v := range vals {
		s[i] = Sample{T: t0.Add(time.Duration(i) * time.Second), Users: v}
	}
	return s
}

func TestPlateaus(t *testing.T) {
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	for _, tt := range []struct {
		name    string
		samples []Sample
		minHold time.Duration
		want    []brink.LevelWindow
	}{
		{"ramp, hold, ramp, hold", gauge(1, 2, 3, 3, 3, 3, 4, 5, 6, 6, 6, 6, 6, 0), 3 * time.Second, []brink.LevelWindow{
			{Index: 0, Users: 3, RampStart: sec(0), SteadyStart: sec(2), End: sec(6)},
			{Index: 1, Users: 6, RampStart: sec(6), SteadyStart: sec(8), End: sec(13)},
		}},
		{"last plateau runs one interval past its last reading", gauge(5, 5, 5), 2 * time.Second, []brink.LevelWindow{
			{Index: 0, Users: 5, RampStart: sec(0), SteadyStart: sec(0), End: sec(3)},
		}},
		{"zero users is never a level", gauge(0, 0, 0, 0), time.Second, nil},
		{"too short", gauge(1, 1, 2, 2), 3 * time.Second, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plateaus(tt.samples, tt.minHold); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	levels := Plateaus(gauge(1, 2, 2, 2, 3, 3, 3), 2*time.Second) // holds [1,4) and [4,7)
	for _, tt := range []struct {
		at    int // seconds after t0
		level int
		phase string
	}{{-5, 0, brink.PhaseRamp}, {0, 0, brink.PhaseRamp}, {1, 0, brink.PhaseSteady}, {3, 0, brink.PhaseSteady}, {4, 1, brink.PhaseSteady}, {9, 1, brink.PhaseRamp}} {
		l, p := locate(levels, t0.Add(time.Duration(tt.at)*time.Second))
		if l != tt.level || p != tt.phase {
			t.Errorf("at %ds: level %d %s, want %d %s", tt.at, l, p, tt.level, tt.phase)
		}
	}
}

func TestRequestName(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/chat/sessions/1234/messages?stream=1":                          "/chat/sessions/{id}/messages",
		"https://api.example.com/chat/sessions/8f14e45f-ceea-467f-a0e6-3b1a2c9d7e11/messages": "/chat/sessions/{id}/messages",
		"https://api.example.com/v1/users/deadbeef42/profile":                                 "/v1/users/{id}/profile",
		"http://h":                  "/",
		"chat_message":              "chat_message",
		"/auth/login":               "/auth/login",
		"/items/a1b2c3d4e5f6g7h8i9": "/items/{id}",
	} {
		if got := RequestName(in); got != want {
			t.Errorf("RequestName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestK6StepsAndClasses(t *testing.T) {
	runs := t.TempDir()
	res, err := K6(context.Background(), "k6/testdata/ramp.json.gz", Options{RunsDir: runs, StepMap: map[string]string{"chat_message": "ask", "http://127.0.0.1:8080/auth/login": "auth"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.StepNames["chat_message"] != "ask" || res.StepNames["/auth/login"] != "auth" {
		t.Errorf("steps %v", res.StepNames)
	}
	files, err := parquet.TraceFiles(filepath.Join(res.Dir, rundir.TracesDir))
	if err != nil || len(files) != 1 {
		t.Fatalf("trace files %v %v", files, err)
	}
	rows, err := parquet.ReadTraces(context.Background(), files[0])
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string]int{}
	for _, r := range rows {
		classes[r.Step+"/"+r.Error]++
		if r.Error == brink.ErrHTTP429 && (!r.Throttled || r.Status != 429) {
			t.Errorf("429 row %+v", r)
		}
		if r.Status == 0 && r.Error != brink.ErrTimeout {
			t.Errorf("k6 error_code 1050 should be a timeout: %+v", r)
		}
		if r.VU < 1 || r.VU > 8 || r.TTFBMS > r.LatencyMS+1e-9 {
			t.Errorf("row %+v", r)
		}
	}
	// Count the same from the file's text: duration points of chat_message by status.
	plain := gunzip(t, "k6/testdata/ramp.json.gz")
	var n429, n0 int
	for _, ln := range strings.Split(plain, "\n") {
		if strings.Contains(ln, `"metric":"http_req_duration"`) && strings.Contains(ln, `"name":"chat_message"`) {
			if strings.Contains(ln, `"status":"429"`) {
				n429++
			}
			if strings.Contains(ln, `"status":"0"`) {
				n0++
			}
		}
	}
	if n429 == 0 || n0 == 0 || classes["ask/http_429"] != n429 || classes["ask/timeout"] != n0 || classes["auth/"] == 0 || len(classes) != 4 {
		t.Errorf("classes %v; the file has %d 429s and %d timeouts", classes, n429, n0)
	}
	// Importing the same file again is refused by name.
	if _, err := K6(context.Background(), "k6/testdata/ramp.json.gz", Options{RunsDir: runs}); !errors.Is(err, ErrExists) {
		t.Errorf("re-import: %v", err)
	}
	ents, _ := os.ReadDir(runs)
	if len(ents) != 1 {
		t.Errorf("runs dir holds %d entries after a refused import", len(ents))
	}
}

func gunzip(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBadInputNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile("vegeta/testdata/results.json")
	lines := strings.SplitAfter(string(b), "\n")
	torn := filepath.Join(dir, "torn.json")
	os.WriteFile(torn, []byte(strings.Join(lines[:5], "")+lines[5][:60]), 0o644)
	_, err := Vegeta(context.Background(), torn, Options{RunsDir: dir})
	if err == nil || !strings.HasPrefix(err.Error(), torn+":6: ") {
		t.Errorf("torn vegeta: %v", err)
	}
	hist := filepath.Join(dir, "x_stats_history.csv")
	os.WriteFile(hist, []byte("Timestamp,User Count,Type,Name,Total Request Count,Total Failure Count\n1795687200,1,,Aggregated,0,0\n1795687201,one,,Aggregated,1,0\n"), 0o644)
	_, err = Locust(context.Background(), filepath.Join(dir, "x"), Options{RunsDir: dir})
	if err == nil || !strings.HasPrefix(err.Error(), hist+":3: User Count \"one\"") {
		t.Errorf("bad locust: %v", err)
	}
	_, err = Vegeta(context.Background(), "vegeta/testdata/results.json", Options{RunsDir: dir, StepMap: map[string]string{"/chat": "ask"}})
	if err == nil || !strings.Contains(err.Error(), `no request is named "/chat"; the names are (most frequent first): "/chat/sessions/{id}/messages", "/auth/login"`) {
		t.Errorf("unknown step name: %v", err)
	}
}

func TestVegetaPlan(t *testing.T) {
	p := brink.Plan{Model: "closed", StartUsers: 4, StepUsers: 4, MaxUsers: 8, Ramp: brink.Duration(2 * time.Second), Hold: brink.Duration(10 * time.Second)}
	res, err := Vegeta(context.Background(), "vegeta/testdata/results.json", Options{RunsDir: t.TempDir(), Plan: &p})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Manifest.Levels, p.Timeline(t0); !reflect.DeepEqual(got, want) {
		t.Errorf("levels %+v\nwant %+v", got, want)
	}
}
