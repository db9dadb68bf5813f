package k6

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func sample(t testing.TB) string {
	f, err := os.Open("testdata/ramp.json.gz")
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

func readAll(t testing.TB, r *Reader) (metrics []*Metric, points []*Point, errs []*SyntaxError) {
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *Metric:
			metrics = append(metrics, rec)
		case *Point:
			points = append(points, rec)
		case *SyntaxError:
			errs = append(errs, rec)
		}
	}
	return
}

func TestSampleGzip(t *testing.T) {
	plain := sample(t)
	f, err := os.Open("testdata/ramp.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(f, "ramp.json.gz")
	metrics, points, errs := readAll(t, r)
	if r.Err() != nil || len(errs) > 0 {
		t.Fatalf("err %v, syntax errors %v", r.Err(), errs)
	}
	nMetric, nPoint := strings.Count(plain, `"type":"Metric"`), strings.Count(plain, `"type":"Point"`)
	if len(metrics) != nMetric || len(points) != nPoint || nMetric != 12 {
		t.Fatalf("%d metrics, %d points; the file has %d and %d", len(metrics), len(points), nMetric, nPoint)
	}
	if m := metrics[0]; m.Name != "vus" || m.Type != "gauge" || m.Line != 1 {
		t.Errorf("first metric %+v", m)
	}
	p := points[0]
	if p.Metric != "vus" || p.Value != 1 || !p.Time.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) || p.Time.Location() != time.UTC || len(p.Tags) != 0 {
		t.Errorf("first point %+v", p)
	}
	var dur *Point
	for _, p := range points {
		if p.Metric == "http_req_duration" {
			dur = p
			break
		}
	}
	if dur == nil || dur.Value != 33.47502818381558 || dur.Tags["status"] != "200" || dur.Tags["name"] != "http://127.0.0.1:8080/auth/login" ||
		!dur.Time.Equal(time.Date(2026, 11, 26, 10, 0, 0, 693491347, time.UTC)) {
		t.Errorf("first duration %+v", dur)
	}
	// The plain text reads the same as the gzip stream.
	_, points2, _ := readAll(t, NewReader(strings.NewReader(plain), "ramp.json"))
	if len(points2) != len(points) {
		t.Errorf("plain %d points, gzip %d", len(points2), len(points))
	}
}

func TestErrors(t *testing.T) {
	good := `{"metric":"vus","type":"Point","data":{"time":"2026-11-26T11:00:00+01:00","value":1,"tags":null}}`
	for _, tt := range []struct{ name, in, want string }{
		{"torn line", good + "\n" + good[:50], `k.json:2: bad JSON: unexpected end of JSON input (a torn last line?`},
		{"summary export", `{"metrics":{"vus":{"value":1}},"root_group":{}}`, `k.json:1: no "type" or "metric" key`},
		{"csv", "metric_name,timestamp,metric_value", `k.json:1: not a JSON object`},
		{"bad type", strings.Replace(good, `"Point"`, `"Sample"`, 1), `k.json:1: type "Sample"`},
		{"bad time", strings.Replace(good, "2026-11-26T11:00:00+01:00", "11:00", 1), `k.json:1: Point "vus": time "11:00"`},
		{"no value", strings.Replace(good, `"value":1,`, ``, 1), `k.json:1: Point "vus" has no data.value`},
		{"value as string", strings.Replace(good, `"value":1`, `"value":"1"`, 1), `k.json:1: Point "vus": data: field "value"`},
		{"nested tag", strings.Replace(good, `"tags":null`, `"tags":{"a":{"b":1}}`, 1), `k.json:1: Point "vus": tags: tag "a": an object`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, errs := readAll(t, NewReader(strings.NewReader(tt.in), "k.json"))
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.want) {
				t.Fatalf("errors %v, want one starting %q", errs, tt.want)
			}
		})
	}
}

func TestTruncatedGzip(t *testing.T) {
	b, err := os.ReadFile("testdata/ramp.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(bytes.NewReader(b[:len(b)/2]), "cut.json.gz")
	_, points, _ := readAll(t, r)
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "cut.json.gz:") || !strings.Contains(r.Err().Error(), "truncated") {
		t.Fatalf("err %v after %d points, want a truncation error naming the file and line", r.Err(), len(points))
	}
	if len(points) == 0 {
		t.Error("no points before the cut")
	}
}

func FuzzReader(f *testing.F) {
	lines := strings.SplitAfter(sample(f), "\n")
	f.Add(lines[0] + lines[1] + lines[4])
	f.Add(`{"type":"Point","metric":"x","data":{"time":"2026-11-26T11:00:00Z","value":1,"tags":{"n":1,"b":true,"z":null}}}`)
	f.Add("\x1f\x8b\x08\x00")
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in), "f.json")
		for r.Scan() {
			if p, ok := r.Result().(*Point); ok && p.Time.Location() != time.UTC {
				t.Fatalf("time not UTC: %v", p.Time)
			}
		}
	})
}
