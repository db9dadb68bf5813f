package vegeta

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

func readAll(t testing.TB, in, file string) (res []*Result, errs []*SyntaxError, err error) {
	r := NewReader(strings.NewReader(in), file)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *Result:
			res = append(res, rec)
		case *SyntaxError:
			errs = append(errs, rec)
		default:
			t.Fatalf("unexpected record %T", rec)
		}
	}
	return res, errs, r.Err()
}

func TestSampleFile(t *testing.T) {
	b, err := os.ReadFile("testdata/results.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for s := bufio.NewScanner(strings.NewReader(string(b))); s.Scan(); lines++ {
	}
	res, errs, err := readAll(t, string(b), "results.json")
	if err != nil || len(errs) > 0 {
		t.Fatalf("err %v, syntax errors %v", err, errs)
	}
	if len(res) != lines || lines != 120 {
		t.Fatalf("%d results from %d lines, want 120", len(res), lines)
	}
	first := res[0]
	if first.Seq != 0 || first.Code != 200 || !first.Timestamp.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) ||
		first.Latency != 827513018 || first.BytesOut != 78 || first.BytesIn != 870 || first.Method != "POST" ||
		first.URL != "http://127.0.0.1:8080/auth/login" || first.Line != 1 {
		t.Errorf("first result %+v", first)
	}
	// The second attack restarts seq at 0 on line 41; its seq 33 timed out.
	if res[40].Seq != 0 || res[39].Seq != 39 {
		t.Errorf("seq around the attack boundary: %d, %d", res[39].Seq, res[40].Seq)
	}
	to := res[73]
	if to.Code != 0 || to.Seq != 33 || !strings.Contains(to.Error, "Client.Timeout exceeded") || to.Latency != 30*time.Second || to.Line != 74 {
		t.Errorf("timeout result %+v", to)
	}
}

func TestErrors(t *testing.T) {
	good := `{"attack":"","seq":0,"code":200,"timestamp":"2026-11-26T10:00:00Z","latency":5,"bytes_out":1,"bytes_in":2,"error":"","body":null}`
	for _, tt := range []struct {
		name, in, want string
	}{
		{"torn last line", good + "\n" + good[:40], `r.json:2: bad JSON: unexpected end of JSON input (a torn last line?`},
		{"report not results", `{"latencies":{"total":1},"requests":3}`, `r.json:1: no "timestamp": not a vegeta result (is this a vegeta report`},
		{"array", `[` + good + `]`, `r.json:1: a JSON array`},
		{"gob", "\x0e\xff\x81\x03\x01\x01\x06Result", `r.json:1: binary data: this looks like vegeta's gob output`},
		{"bad time", strings.Replace(good, "2026-11-26T10:00:00Z", "yesterday", 1), `r.json:1: timestamp "yesterday": want RFC 3339`},
		{"year 1", strings.Replace(good, "2026-11-26T10:00:00Z", "0001-01-01T00:00:00Z", 1), `r.json:1: timestamp "0001-01-01T00:00:00Z": outside the years 1970..2200`},
		{"year 9999", strings.Replace(good, "2026-11-26T10:00:00Z", "9999-12-31T23:59:59Z", 1), `r.json:1: timestamp "9999-12-31T23:59:59Z": outside the years 1970..2200`},
		{"negative latency", strings.Replace(good, `"latency":5`, `"latency":-5`, 1), `r.json:1: latency -5: negative`},
		{"latency as string", strings.Replace(good, `"latency":5`, `"latency":"5ms"`, 1), `r.json:1: field "latency": a JSON string`},
		{"no code", strings.Replace(good, `"code":200,`, ``, 1), `r.json:1: no "code"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, err := readAll(t, tt.in, "r.json")
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.want) {
				t.Fatalf("errors %v, want one starting %q", errs, tt.want)
			}
		})
	}
	// A bad line does not stop the scan: the good line after it is read.
	res, errs, _ := readAll(t, "garbage\n\n"+good+"\n", "r.json")
	if len(res) != 1 || len(errs) != 1 || res[0].Line != 3 {
		t.Errorf("got %d results (line %v), %d errors", len(res), res, len(errs))
	}
}

func FuzzReader(f *testing.F) {
	b, _ := os.ReadFile("testdata/results.json")
	lines := strings.SplitAfter(string(b), "\n")
	f.Add(lines[0] + lines[1])
	f.Add(lines[73])
	f.Add(`{"code":0,"timestamp":"2026-11-26T10:00:00Z","latency":0}`)
	f.Add("[1]\n{}\n\x00")
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in), "f.json")
		last := 0
		for r.Scan() {
			file, line := r.Result().Pos()
			if line <= last && file == "" {
				t.Fatalf("line %d after %d", line, last)
			}
			last = line
			if res, ok := r.Result().(*Result); ok {
				if res.Latency < 0 || res.Code < 0 || res.Code > 999 || res.Timestamp.Location() != time.UTC {
					t.Fatalf("invalid result accepted: %+v", res)
				}
			}
		}
	})
}
