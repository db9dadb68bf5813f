package replay

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func writeCorpusFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func TestLoadCorpusJSONL(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []Session
		err     string // substring after "corpus <file>"; "" for success
	}{
		{name: "turns and gaps",
			content: `{"session_id": "a", "turns": [{"question": "Where is my order?", "gap_s": 4.2}, {"question": "It was due Tuesday", "gap_s": 12}]}` + "\n" +
				`{"session_id": "b", "turns": [{"question": "Hi"}, {"question": "Cancel it", "gap_s": null}]}` + "\n",
			want: []Session{
				{ID: "a", Questions: []string{"Where is my order?", "It was due Tuesday"}, Gaps: []time.Duration{4200 * time.Millisecond, 12 * time.Second}},
				{ID: "b", Questions: []string{"Hi", "Cancel it"}, Gaps: []time.Duration{-1, -1}},
			}},
		{name: "questions shorthand, CRLF, blank lines, BOM, no id",
			content: "\ufeff{\"questions\": [\"one\", \"two\"]}\r\n\r\n   \n{\"session_id\":\"x\",\"questions\":[\"three\"]}",
			want: []Session{
				{ID: "line-1", Questions: []string{"one", "two"}, Gaps: []time.Duration{-1, -1}},
				{ID: "x", Questions: []string{"three"}, Gaps: []time.Duration{-1}},
			}},
		{name: "zero gap is recorded", content: `{"session_id":"z","turns":[{"question":"q","gap_s":0}]}`,
			want: []Session{{ID: "z", Questions: []string{"q"}, Gaps: []time.Duration{0}}}},
		{name: "not json", content: "{\"session_id\":\"a\",\"questions\":[\"q\"]}\n{oops\n", err: ":2: not a JSON object"},
		{name: "array line", content: `["q"]`, err: ":1: not a JSON object"},
		{name: "null line", content: `null`, err: ":1: not a JSON object"},
		{name: "unknown session key", content: `{"session_id":"a","questons":["q"]}`, err: `:1: unknown key "questons" (did you mean "questions"?)`},
		{name: "unknown session key, case", content: `{"Session_ID":"a","questions":["q"]}`, err: `:1: unknown key "Session_ID" (did you mean "session_id"?)`},
		{name: "turn key at session level", content: `{"session_id":"a","question":"q"}`, err: `:1: unknown key "question" (did you mean "questions"?)`},
		{name: "unknown turn key", content: `{"session_id":"a","turns":[{"question":"q","gap":3}]}`, err: `:1: key "turns[0]": unknown key "gap" (did you mean "gap_s"?)`},
		{name: "unknown turn key, far", content: `{"session_id":"a","turns":[{"question":"q","thinktime":3}]}`, err: `unknown key "thinktime" (known keys: question, gap_s)`},
		{name: "empty question", content: `{"session_id":"a","turns":[{"question":"q"},{"question":"  "}]}`, err: `:1: key "turns[1].question": empty question`},
		{name: "empty shorthand question", content: `{"session_id":"a","questions":["q",""]}`, err: `:1: key "questions": question 2 is empty`},
		{name: "missing question", content: `{"session_id":"a","turns":[{"gap_s":3}]}`, err: `:1: key "turns[0]": no "question"`},
		{name: "negative gap", content: "\n\n" + `{"session_id":"a","turns":[{"question":"q","gap_s":-1}]}`, err: `:3: key "turns[0].gap_s": -1 is negative`},
		{name: "huge gap", content: `{"session_id":"a","turns":[{"question":"q","gap_s":1e300}]}`, err: `is more than a day`},
		{name: "gap not a number", content: `{"session_id":"a","turns":[{"question":"q","gap_s":"4"}]}`, err: `key "turns[0].gap_s": want a number of seconds`},
		{name: "no questions", content: `{"session_id":"a","turns":[]}`, err: `:1: session "a" has no questions`},
		{name: "no turns key", content: `{"session_id":"a"}`, err: `:1: no questions`},
		{name: "both forms", content: `{"session_id":"a","turns":[{"question":"q"}],"questions":["q"]}`, err: `:1: both "turns" and "questions"`},
		{name: "duplicate id", content: "{\"session_id\":\"a\",\"questions\":[\"q\"]}\n{\"session_id\":\"a\",\"questions\":[\"r\"]}", err: `:2: key "session_id": "a" is already the id of the session on line 1`},
		{name: "id not string", content: `{"session_id":7,"questions":["q"]}`, err: `:1: key "session_id": want a string`},
		{name: "empty id", content: `{"session_id":"","questions":["q"]}`, err: `:1: key "session_id": empty`},
		{name: "turns not array", content: `{"session_id":"a","turns":{"question":"q"}}`, err: `:1: key "turns": want an array of objects`},
		{name: "turn null", content: `{"session_id":"a","turns":[null]}`, err: `:1: key "turns[0]": want an object`},
		{name: "empty file", content: "\n\n", err: `: no sessions`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeCorpusFile(t, "chats.jsonl", tt.content)
			c, err := LoadCorpus(p)
			checkCorpusResult(t, p, c, err, tt.want, tt.err)
		})
	}
}

func checkCorpusResult(t *testing.T, path string, c *Corpus, err error, want []Session, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil {
			t.Fatalf("no error, want %q; got %+v", wantErr, c.Sessions)
		}
		prefix := "corpus " + path
		if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %q\nwant it to start with %q and contain %q", err, prefix, wantErr)
		}
		var ce *CorpusError
		if !errors.As(err, &ce) {
			t.Errorf("error %T is not a *CorpusError", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != path {
		t.Errorf("Source = %q, want %q", c.Source, path)
	}
	if !reflect.DeepEqual(c.Sessions, want) {
		t.Errorf("sessions\n got %+v\nwant %+v", c.Sessions, want)
	}
	checkCorpusInvariants(t, c)
}

func TestLoadCorpusCSV(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []Session
		err     string
	}{
		{name: "grouped and ordered by turn",
			content: "session_id,turn,question,gap_s\n" +
				"b,2,\"Second, with a comma\",3.5\n" +
				"a,1,First of a,\n" +
				"b,1,\"First of b, \"\"quoted\"\"\",10\n" +
				"a,0,Zeroth of a,2\n",
			want: []Session{
				{ID: "b", Questions: []string{`First of b, "quoted"`, "Second, with a comma"}, Gaps: []time.Duration{10 * time.Second, 3500 * time.Millisecond}},
				{ID: "a", Questions: []string{"Zeroth of a", "First of a"}, Gaps: []time.Duration{2 * time.Second, -1}},
			}},
		{name: "no gap column, reordered columns, BOM, CRLF",
			content: "\ufeffquestion,session_id,turn\r\n\"Hello\nthere\",s1,1\r\nBye,s1,2\r\n",
			want:    []Session{{ID: "s1", Questions: []string{"Hello\nthere", "Bye"}, Gaps: []time.Duration{-1, -1}}}},
		{name: "bad turn", content: "session_id,turn,question,gap_s\na,1,q,\na,x,r,\n", err: `:3: column "turn": "x" is not a whole number`},
		{name: "negative turn", content: "session_id,turn,question,gap_s\na,-1,q,\n", err: `:2: column "turn": -1 is negative`},
		{name: "bad gap", content: "session_id,turn,question,gap_s\na,1,q,soon\n", err: `:2: column "gap_s": "soon" is not a number of seconds`},
		{name: "negative gap", content: "session_id,turn,question,gap_s\na,1,q,-2\n", err: `:2: column "gap_s": -2 is negative`},
		{name: "nan gap", content: "session_id,turn,question,gap_s\na,1,q,NaN\n", err: `:2: column "gap_s": NaN is not a number of seconds`},
		{name: "empty question", content: "session_id,turn,question,gap_s\na,1,q,\na,2,  ,\n", err: `:3: column "question": empty question`},
		{name: "empty session", content: "session_id,turn,question,gap_s\n,1,q,\n", err: `:2: column "session_id": empty`},
		{name: "duplicate turn", content: "session_id,turn,question,gap_s\na,1,q,\nb,1,q,\na,1,r,\n", err: `:4: column "turn": session "a" has turn 1 twice (also on line 2)`},
		{name: "missing column", content: "session_id,question\na,q\n", err: `:1: column "turn": missing from the header`},
		{name: "unknown column", content: "session_id,turn,question,gap\na,1,q,2\n", err: `:1: column "gap": unknown column (did you mean "gap_s"?)`},
		{name: "duplicate column", content: "session_id,turn,question,turn\na,1,q,2\n", err: `:1: column "turn": appears twice`},
		{name: "wrong field count", content: "session_id,turn,question,gap_s\na,1,q,2\na,2,hello, world,3\n", err: `:3: 5 fields, the header has 4`},
		{name: "bare quote", content: "session_id,turn,question\na,1,say \"hi\"\n", err: `:2: bare " in non-quoted-field`},
		{name: "invalid utf8", content: "session_id,turn,question\na,1,caf\xe9\n", err: `:2: column "question": not valid UTF-8`},
		{name: "header only", content: "session_id,turn,question,gap_s\n", err: `: no sessions`},
		{name: "empty file", content: "", err: `: no sessions: the file is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeCorpusFile(t, "chats.csv", tt.content)
			c, err := LoadCorpus(p)
			checkCorpusResult(t, p, c, err, tt.want, tt.err)
		})
	}
}

func TestLoadCorpusLineLimit(t *testing.T) {
	long := strings.Repeat("x", MaxCorpusLine+10)
	for _, tt := range []struct{ name, content, err string }{
		{"chats.jsonl", "{\"questions\":[\"q\"]}\n{\"questions\":[\"" + long + "\"]}\n", ":2: line is longer than 1048576 bytes"},
		{"chats.csv", "session_id,turn,question\na,1,q\na,2," + long + "\n", ":3: line is longer than 1048576 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeCorpusFile(t, tt.name, tt.content)
			_, err := LoadCorpus(p)
			if err == nil || !strings.Contains(err.Error(), p+tt.err) {
				t.Fatalf("error %v, want it to contain %q", err, p+tt.err)
			}
		})
	}
	// Just under the limit is fine.
	q := strings.Repeat("y", MaxCorpusLine-40)
	p := writeCorpusFile(t, "ok.jsonl", `{"questions":["`+q+`"]}`+"\n")
	c, err := LoadCorpus(p)
	if err != nil || len(c.Sessions[0].Questions[0]) != len(q) {
		t.Fatalf("line under the limit: %v", err)
	}
}

func TestLoadCorpusByExtension(t *testing.T) {
	body := `{"session_id":"a","questions":["q"]}`
	p := writeCorpusFile(t, "chats.NDJSON", body)
	if c, err := LoadCorpus(p); err != nil || c.Questions() != 1 {
		t.Errorf(".NDJSON: %v", err)
	}
	_, err := LoadCorpus(writeCorpusFile(t, "chats.parquet", "PAR1"))
	if !errors.Is(err, ErrParquetCorpus) || !strings.Contains(err.Error(), "chats.parquet") {
		t.Errorf(".parquet: %v, want ErrParquetCorpus naming the file", err)
	}
	_, err = LoadCorpus(writeCorpusFile(t, "chats.txt", body))
	if err == nil || !strings.Contains(err.Error(), `chats.txt: unknown extension ".txt"`) {
		t.Errorf(".txt: %v", err)
	}
	_, err = LoadCorpus(filepath.Join(t.TempDir(), "missing.csv"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
}

func TestCorpusRoundTrip(t *testing.T) {
	cases := map[string]*Corpus{
		"default": DefaultCorpus(),
		"awkward": {Sessions: []Session{
			{ID: "with,comma \"and quotes\"", Questions: []string{"line\nbreak", "<html> & ünïcödé ✓", "  padded  "},
				Gaps: []time.Duration{-1, 0, 1234567891 * time.Nanosecond}},
			{ID: "max", Questions: []string{"q"}, Gaps: []time.Duration{MaxCorpusGap}},
		}},
	}
	for name, c := range cases {
		for _, ext := range []string{".jsonl", ".csv"} {
			t.Run(name+ext, func(t *testing.T) {
				var buf bytes.Buffer
				var err error
				if ext == ".csv" {
					err = c.WriteCSV(&buf)
				} else {
					err = c.WriteJSONL(&buf)
				}
				if err != nil {
					t.Fatal(err)
				}
				p := writeCorpusFile(t, "rt"+ext, buf.String())
				got, err := LoadCorpus(p)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Sessions, c.Sessions) {
					t.Errorf("round trip changed the sessions\n got %+v\nwant %+v", got.Sessions, c.Sessions)
				}
			})
		}
	}
}

func TestCorpusFromRows(t *testing.T) {
	rows := []CorpusRow{
		{SessionID: "a", Turn: 2, Question: "second", Gap: 3 * time.Second, Row: 1},
		{SessionID: "a", Turn: 1, Question: "first", Gap: -5, Row: 2},
	}
	c, err := CorpusFromRows("x.parquet", rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []Session{{ID: "a", Questions: []string{"first", "second"}, Gaps: []time.Duration{-1, 3 * time.Second}}}
	if !reflect.DeepEqual(c.Sessions, want) {
		t.Errorf("got %+v, want %+v", c.Sessions, want)
	}
	rows = append(rows, CorpusRow{SessionID: "a", Turn: 2, Question: "again", Row: 3})
	_, err = CorpusFromRows("x.parquet", rows)
	if err == nil || err.Error() != `corpus x.parquet: row 3: column "turn": session "a" has turn 2 twice (also on row 1): number each turn once` {
		t.Errorf("duplicate turn: %v", err)
	}
}

func TestDefaultCorpus(t *testing.T) {
	c := DefaultCorpus()
	if c.Source != "builtin" {
		t.Errorf("Source = %q", c.Source)
	}
	if n := c.Questions(); n < 200 {
		t.Errorf("%d questions, want at least 200", n)
	}
	if n := len(c.Sessions); n < 40 {
		t.Errorf("%d sessions, want at least 40", n)
	}
	checkCorpusInvariants(t, c)
	shortest, longest := 1<<30, 0
	seen := map[string]bool{}
	var short, long, gaps, usual int
	for _, s := range c.Sessions {
		if len(s.Questions) < 3 || len(s.Questions) > 6 {
			t.Errorf("session %s has %d turns, want 3..6", s.ID, len(s.Questions))
		}
		for i, q := range s.Questions {
			if seen[q] {
				t.Errorf("question %q appears twice", q)
			}
			seen[q] = true
			shortest, longest = min(shortest, len(q)), max(longest, len(q))
			if len(q) < 40 {
				short++
			}
			if len(q) > 150 {
				long++
			}
			g := s.Gaps[i]
			if g < 2*time.Second || g > 60*time.Second {
				t.Errorf("session %s turn %d: gap %v outside 2..60 s", s.ID, i, g)
			}
			gaps++
			if g >= 3*time.Second && g <= 15*time.Second {
				usual++
			}
		}
	}
	if shortest >= 30 || longest <= 250 {
		t.Errorf("question lengths %d..%d, want shortest < 30 and longest > 250", shortest, longest)
	}
	if short < 40 || long < 15 {
		t.Errorf("%d questions under 40 bytes and %d over 150, want at least 40 and 15 for token variety", short, long)
	}
	if float64(usual) < 0.7*float64(gaps) {
		t.Errorf("%d of %d gaps within 3..15 s, want most", usual, gaps)
	}
	// A copy: changing it does not change the next one.
	c.Sessions[0].Questions[0] = "changed"
	if DefaultCorpus().Sessions[0].Questions[0] == "changed" {
		t.Error("DefaultCorpus shares its slices between calls")
	}
}

func checkCorpusInvariants(t testing.TB, c *Corpus) {
	t.Helper()
	if len(c.Sessions) == 0 {
		t.Fatal("accepted a corpus with no sessions")
	}
	ids := map[string]bool{}
	n := 0
	for _, s := range c.Sessions {
		if ids[s.ID] {
			t.Fatalf("session id %q twice", s.ID)
		}
		ids[s.ID] = true
		if strings.TrimSpace(s.ID) == "" {
			t.Fatalf("blank session id")
		}
		if len(s.Questions) == 0 || len(s.Gaps) != len(s.Questions) {
			t.Fatalf("session %q: %d questions, %d gaps", s.ID, len(s.Questions), len(s.Gaps))
		}
		for i, q := range s.Questions {
			if strings.TrimSpace(q) == "" {
				t.Fatalf("session %q: blank question %d", s.ID, i)
			}
			if g := s.Gaps[i]; g > MaxCorpusGap || (g < 0 && g != -1) {
				t.Fatalf("session %q: gap %d is %v", s.ID, i, g)
			}
		}
		n += len(s.Questions)
	}
	if c.Questions() != n {
		t.Fatalf("Questions() = %d, want %d", c.Questions(), n)
	}
}

func pickerSeq(p *Picker, vu int32, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = p.Next(vu).ID
	}
	return out
}

func TestPickerOrder(t *testing.T) {
	c := &Corpus{Sessions: []Session{
		{ID: "a", Questions: []string{"q"}, Gaps: []time.Duration{-1}},
		{ID: "b", Questions: []string{"q"}, Gaps: []time.Duration{-1}},
		{ID: "c", Questions: []string{"q"}, Gaps: []time.Duration{-1}},
	}}
	p, err := NewPicker(c, "order", 1)
	if err != nil {
		t.Fatal(err)
	}
	// Round-robin across callers, whichever vu asks.
	var got []string
	for i := range 7 {
		got = append(got, p.Next(int32(i%2)).ID)
	}
	if want := []string{"a", "b", "c", "a", "b", "c", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order: %v, want %v", got, want)
	}

	// Concurrent callers share the counter: every session goes out equally often.
	p, _ = NewPicker(c, "", 0)
	const workers, each = 8, 300
	counts := make([]map[string]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			counts[w] = map[string]int{}
			for range each {
				counts[w][p.Next(int32(w)).ID]++
			}
		})
	}
	wg.Wait()
	total := map[string]int{}
	for _, m := range counts {
		for k, v := range m {
			total[k] += v
		}
	}
	for _, id := range []string{"a", "b", "c"} {
		if total[id] != workers*each/3 {
			t.Errorf("session %s handed out %d times, want %d", id, total[id], workers*each/3)
		}
	}
}

func TestPickerSampleDeterministic(t *testing.T) {
	c := DefaultCorpus()
	const n = 50
	p1, err := NewPicker(c, "sample", 42)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int32][]string{}
	for vu := int32(0); vu < 4; vu++ {
		want[vu] = pickerSeq(p1, vu, n)
	}
	if reflect.DeepEqual(want[0], want[1]) {
		t.Error("vu 0 and vu 1 draw the same sequence")
	}

	// The same seed in a fresh picker, drawn concurrently and interleaved, gives
	// each vu the same sequence.
	p2, _ := NewPicker(c, "sample", 42)
	got := make(map[int32][]string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for vu := int32(3); vu >= 0; vu-- {
		wg.Go(func() {
			s := pickerSeq(p2, vu, n)
			mu.Lock()
			got[vu] = s
			mu.Unlock()
		})
	}
	wg.Wait()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("same seed, concurrent draws: sequences differ\n got %v\nwant %v", got, want)
	}

	p3, _ := NewPicker(c, "sample", 43)
	if reflect.DeepEqual(pickerSeq(p3, 0, n), want[0]) {
		t.Error("seeds 42 and 43 give vu 0 the same sequence")
	}

	// Roughly uniform: over many draws every session comes up.
	p4, _ := NewPicker(c, "sample", 7)
	seen := map[string]int{}
	for i := range 20000 {
		seen[p4.Next(int32(i%100)).ID]++
	}
	if len(seen) != len(c.Sessions) {
		t.Errorf("%d of %d sessions drawn in 20000 samples", len(seen), len(c.Sessions))
	}
	exp := 20000 / len(c.Sessions)
	for id, k := range seen {
		if k < exp/2 || k > exp*2 {
			t.Errorf("session %s drawn %d times, expected about %d", id, k, exp)
		}
	}
}

// A fixed sequence for a fixed seed: the sampler must not change between
// versions, or a recorded run could not be replayed.
const pickerStableWant = "629906421773"

func TestPickerSampleStable(t *testing.T) {
	c := &Corpus{}
	for i := range 10 {
		c.Sessions = append(c.Sessions, Session{ID: fmt.Sprint(i), Questions: []string{"q"}, Gaps: []time.Duration{-1}})
	}
	p, _ := NewPicker(c, "sample", 1)
	got := strings.Join(pickerSeq(p, 5, 12), "")
	if want := pickerStableWant; got != want {
		t.Errorf("seed 1, vu 5: %s, want %s", got, want)
	}
}

func TestNewPickerErrors(t *testing.T) {
	ok := &Corpus{Sessions: []Session{{ID: "a", Questions: []string{"q"}, Gaps: []time.Duration{-1}}}}
	for _, tt := range []struct {
		name string
		c    *Corpus
		mode string
		err  string
	}{
		{"nil", nil, "order", "no sessions"},
		{"empty", &Corpus{}, "order", "no sessions"},
		{"no questions", &Corpus{Source: "x.csv", Sessions: []Session{{ID: "a"}}}, "order", `corpus x.csv: session 0 ("a") has 0 questions`},
		{"gaps short", &Corpus{Sessions: []Session{{ID: "a", Questions: []string{"q"}}}}, "order", "1 questions and 0 gaps"},
		{"mode", ok, "random", `unknown mode "random": want "order" or "sample"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPicker(tt.c, tt.mode, 0)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}
}

func BenchmarkPickerSample(b *testing.B) {
	p, _ := NewPicker(DefaultCorpus(), "sample", 1)
	b.RunParallel(func(pb *testing.PB) {
		vu := int32(0)
		for pb.Next() {
			p.Next(vu % 64)
			vu++
		}
	})
}

func fuzzCorpus(f *testing.F, name string, seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadCorpus(p)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "corpus "+p) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		checkCorpusInvariants(t, c)
		if _, err := NewPicker(c, "sample", 1); err != nil {
			t.Fatalf("accepted corpus refused by NewPicker: %v", err)
		}
		// What was accepted survives a round trip through either format.
		for _, ext := range []string{".jsonl", ".csv"} {
			var buf bytes.Buffer
			if ext == ".csv" {
				err = c.WriteCSV(&buf)
			} else {
				err = c.WriteJSONL(&buf)
			}
			if err != nil {
				t.Fatal(err)
			}
			q := filepath.Join(t.TempDir(), "rt"+ext)
			if err := os.WriteFile(q, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			back, err := LoadCorpus(q)
			if err != nil {
				t.Fatalf("round trip through %s: %v", ext, err)
			}
			want := c.Sessions
			if ext == ".csv" {
				want = csvNormalized(c.Sessions)
			}
			if !reflect.DeepEqual(back.Sessions, want) {
				t.Fatalf("round trip through %s changed the sessions\n got %q\nwant %q", ext, back.Sessions, c.Sessions)
			}
		}
	})
}

// csvNormalized is what a CSV round trip keeps: encoding/csv reads a "\r\n"
// inside a quoted field as "\n".
func csvNormalized(ss []Session) []Session {
	out := make([]Session, len(ss))
	for i, s := range ss {
		out[i] = Session{ID: strings.ReplaceAll(s.ID, "\r\n", "\n"), Gaps: s.Gaps}
		for _, q := range s.Questions {
			out[i].Questions = append(out[i].Questions, strings.ReplaceAll(q, "\r\n", "\n"))
		}
	}
	return out
}

func FuzzLoadJSONL(f *testing.F) {
	lines := strings.SplitAfter(string(defaultCorpusJSONL), "\n")
	fuzzCorpus(f, "f.jsonl", []string{
		lines[0] + lines[1],
		`{"session_id": "a", "turns": [{"question": "q", "gap_s": 4.2}, {"question": "r"}]}`,
		`{"questions": ["one", "two"]}` + "\r\n\n" + `{"session_id":"x","questions":["y"]}`,
		`{"session_id":"a","turns":[{"question":"q","gap_s":-1}]}`,
		`{"session_id":"a","turns":[{"question":"q","gap_s":86400.5}]}`,
		`{"session_id":"a","qestions":["q"]}`,
		"\ufeff{}",
	})
}

func FuzzLoadCSV(f *testing.F) {
	fuzzCorpus(f, "f.csv", []string{
		"session_id,turn,question,gap_s\na,1,q,4.2\na,2,\"r, s\",\nb,1,t,0\n",
		"question,session_id,turn\n\"multi\nline\",s,1\n",
		"session_id,turn,question,gap_s\na,1,q,\na,1,r,\n",
		"session_id,turn,question,gap_s\na,x,q,1e400\n",
		"session_id,turn,question\n\"a\"b,1,q\n",
		"\ufeffsession_id,turn,question\r\n a ,0, q \r\n",
	})
}

// RecordedGaps are the corpus's recorded think times: for the built-in
// corpus, every "gap_s" in its JSONL text, counted and summed from the text.
func TestRecordedGaps(t *testing.T) {
	b, err := os.ReadFile("corpus/default.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"gap_s":\s*([0-9.]+)`)
	var n int
	var sum float64
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		n, sum = n+1, sum+v
	}
	gaps := DefaultCorpus().RecordedGaps()
	var got float64
	for _, g := range gaps {
		got += g.Seconds()
	}
	if len(gaps) != n || n == 0 || math.Abs(got-sum) > 1e-6 {
		t.Errorf("%d gaps summing to %v s; the file has %d summing to %v", len(gaps), got, n, sum)
	}
}
