package locust

import (
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func readHistory(t testing.TB, in, file string) (rows []*HistoryRow, errs []*SyntaxError) {
	h := NewHistoryReader(strings.NewReader(in), file)
	for h.Scan() {
		switch r := h.Result().(type) {
		case *HistoryRow:
			rows = append(rows, r)
		case *SyntaxError:
			errs = append(errs, r)
		}
	}
	if h.Err() != nil {
		t.Fatal(h.Err())
	}
	return
}

func TestHistorySample(t *testing.T) {
	for _, tt := range []struct {
		file  string
		names int // rows per second
	}{{"testdata/chat_stats_history.csv", 1}, {"testdata/chat_full_stats_history.csv", 3}} {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			// Independent read with encoding/csv.
			all, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			rows, errs := readHistory(t, string(b), tt.file)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if len(rows) != len(all)-1 || len(rows) != 96*tt.names {
				t.Fatalf("%d rows, the file has %d", len(rows), len(all)-1)
			}
			first := rows[0]
			if first.Name != AggregatedName && tt.names == 1 || first.Users != 5 || first.Requests != 0 ||
				!first.Time.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) || first.Line != 2 {
				t.Errorf("first row %+v", first)
			}
			if p, ok := first.Percentile(0.95); !ok || p != nil {
				t.Errorf("first row 95%%: %v %v, want N/A (nil)", p, ok)
			}
			last, want := rows[len(rows)-1], all[len(all)-1]
			p95, _ := last.Percentile(0.95)
			wp95, _ := strconv.ParseFloat(want[11], 64)
			wn, _ := strconv.ParseInt(want[17], 10, 64)
			wf, _ := strconv.ParseInt(want[18], 10, 64)
			wavg, _ := strconv.ParseFloat(want[20], 64)
			if last.Name != AggregatedName || p95 == nil || *p95 != wp95 || last.Requests != wn || last.Failures != wf || last.AvgMS != wavg || last.Users != 30 {
				t.Errorf("last row %+v, want p95 %v n %d f %d avg %v", last, wp95, wn, wf, wavg)
			}
			if len(last.Percentiles) != 11 || last.Percentiles[10].P != 1 || last.Percentiles[8].P != 0.999 {
				t.Errorf("percentile columns %+v", last.Percentiles)
			}
		})
	}
}

const header = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size\n"

func TestHistoryErrors(t *testing.T) {
	row := "1795687201,10,,Aggregated,5.000000,0.000000,480,620,620,620,690,690,690,690,690,690,690,5,0,480,517.3,369.3,694.2,200"
	for _, tt := range []struct{ name, in, want string }{
		{"empty", "", "h.csv:1: empty file"},
		{"stats not history", "Type,Name,Request Count,Failure Count\n", `h.csv:1: header has no "Timestamp", "User Count", "Total Request Count", "Total Failure Count" columns`},
		{"torn row", header + row + "\n" + row[:30] + "\n", "h.csv:3: 5 cells, the header has 24: a torn row?"},
		{"bad users", header + strings.Replace(row, ",10,", ",ten,", 1) + "\n", `h.csv:2: User Count "ten"`},
		{"bad percentile", header + strings.Replace(row, ",480,620", ",fast,620", 1) + "\n", `h.csv:2: 50% "fast": want milliseconds or N/A`},
		{"failures above requests", header + strings.Replace(row, ",5,0,480", ",5,6,480", 1) + "\n", "h.csv:2: Total Failure Count 6 is more than Total Request Count 5"},
		{"bad timestamp", header + strings.Replace(row, "1795687201", "10:00", 1) + "\n", `h.csv:2: Timestamp "10:00"`},
		{"bad quote", header + `1,2,"x` + "\n", "h.csv:2: CSV: extraneous or missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := readHistory(t, tt.in, "h.csv")
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.want) {
				t.Fatalf("errors %v, want one starting %q", errs, tt.want)
			}
		})
	}
}

func TestSmallFiles(t *testing.T) {
	f, _ := os.Open("testdata/chat_stats.csv")
	defer f.Close()
	stats, err := ReadStats(f, "chat_stats.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 3 || stats[2].Name != AggregatedName || stats[0].Requests+stats[1].Requests != stats[2].Requests || stats[1].Name != "/chat/sessions/[id]/messages" {
		t.Errorf("stats %+v", stats)
	}
	g, _ := os.Open("testdata/chat_failures.csv")
	defer g.Close()
	fails, err := ReadFailures(g, "chat_failures.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 3 || fails[0].Occurrences != 33 || !strings.Contains(fails[0].Error, "429") || fails[2].Line != 4 {
		t.Errorf("failures %+v", fails)
	}
	if _, err := ReadFailures(strings.NewReader("Method,Name,Error,Occurrences\nGET,/,x,many\n"), "f.csv"); err == nil || err.Error() != `f.csv:2: Occurrences "many": want a whole number` {
		t.Errorf("bad occurrences: %v", err)
	}
	n, err := ReadExceptions(strings.NewReader("Count,Message,Traceback,Nodes\n3,boom,tb,local\n2,bang,tb,local\n"), "e.csv")
	if err != nil || n != 5 {
		t.Errorf("exceptions %d %v", n, err)
	}
}

func FuzzHistory(f *testing.F) {
	b, _ := os.ReadFile("testdata/chat_full_stats_history.csv")
	lines := strings.SplitAfter(string(b), "\n")
	f.Add(strings.Join(lines[:6], ""))
	f.Add(header + "1,0,,Aggregated,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0,0,0,0,0,0\n")
	f.Add("Timestamp,User Count,Name,Total Request Count,Total Failure Count,12.5%\n1,1,a,1,1,3\n")
	f.Fuzz(func(t *testing.T, in string) {
		h := NewHistoryReader(strings.NewReader(in), "f.csv")
		for n := 0; h.Scan(); n++ {
			if r, ok := h.Result().(*HistoryRow); ok {
				if r.Failures > r.Requests || r.Users < 0 || r.Name == "" {
					t.Fatalf("invalid row accepted: %+v", r)
				}
			}
			if n > len(in)+2 {
				t.Fatal("more records than input bytes")
			}
		}
	})
}
