package analyze

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestTimings analyses the fixture with timings on: each statement is
// recorded once, named by its query file, with the rows it returned (as the
// summary holds them), and the table ends with the total.
func TestTimings(t *testing.T) {
	dir, _ := fixtureRun(t)
	tm := &Timings{}
	res, err := Run(context.Background(), dir, Options{DB: DBOptions{Timings: tm}})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	rows := map[string][]int64{}
	for _, e := range tm.Entries() {
		rows[e.Name] = append(rows[e.Name], e.Rows)
		if e.Time <= 0 {
			t.Errorf("%s: time %v", e.Name, e.Time)
		}
	}
	for name, want := range map[string]int64{
		"latency_dist": int64(len(s.LatencyDist)),
		"timeline":     int64(len(s.Timeline)),
		"in_flight":    int64(len(s.Levels)),
		"user_levels":  int64(len(s.Levels)),
	} {
		if got := rows[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s: rows %v, want [%d]", name, got, want)
		}
	}
	var b bytes.Buffer
	tm.Write(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(tm.Entries())+2 || !strings.Contains(lines[0], "statement") || !strings.HasSuffix(strings.TrimSpace(lines[len(lines)-1]), "total") {
		t.Errorf("timings table:\n%s", b.String())
	}
}
