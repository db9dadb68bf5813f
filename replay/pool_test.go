package replay

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"brink"
)

// A users pool gives each virtual user its own credentials; a CA bundle
// lets the run trust the target's certificate; recorded turns and think
// times replay the corpus session as it was.
func TestUsersPoolCABundleAndRecordedSessions(t *testing.T) {
	var mu sync.Mutex
	var users []string
	var askTimes []time.Time
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/auth/login":
			users = append(users, body["username"]+":"+body["password"])
			w.Write([]byte(`{"token":"t"}`))
		default:
			askTimes = append(askTimes, time.Now())
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	os.WriteFile(filepath.Join(dir, "users.csv"), []byte("username,password\nalice,pw-a\nbob,pw-b\ncarol,pw-c\n"), 0o644)
	flowPath := filepath.Join(dir, "flow.yaml")
	os.WriteFile(flowPath, []byte(`
users: users.csv
ca_bundle: ca.pem
steps:
  - name: auth
    once: true
    path: /auth/login
    body: {username: "${user.username}", password: "${user.password}"}
  - name: ask
    turns: recorded
    think: {dist: recorded, scale: 0.5}
    path: /ask
    body: {content: "${question}"}
`), 0o644)
	flow, err := LoadFlow(flowPath)
	if err != nil {
		t.Fatal(err)
	}
	corpus := &Corpus{Source: "t", Sessions: []Session{{ID: "s", Questions: []string{"a", "b", "c", "d"},
		Gaps: []time.Duration{2 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}}}}
	picker, _ := NewPicker(corpus, "order", 1)
	// Without the CA bundle the TLS handshake fails: the bundle is what
	// makes the target trusted.
	sink := &memSink{}
	r, err := New(Options{Target: srv.URL, Flow: flow, Sessions: picker, Sink: sink, OneSession: true,
		Clock: brink.Clock{Epoch: time.Now(), Scale: 0.01}, Plan: brink.Plan{StartUsers: 3, MaxUsers: 3, Hold: brink.Duration(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tr := range sink.rows {
		if tr.Error != "" {
			t.Fatalf("request failed (CA bundle not used?): %+v", tr)
		}
	}
	if len(users) != 1 || users[0] != "alice:pw-a" {
		t.Fatalf("logins %v: want virtual user 0 as alice", users)
	}
	if len(askTimes) != 4 {
		t.Fatalf("%d asks: want the 4 recorded turns", len(askTimes))
	}
	// The dry-run mode skips think time; run one user for real to check
	// the recorded gaps (scaled 0.5, then by the 0.01 time scale).
	askTimes = nil
	users = nil
	sink = &memSink{}
	r, err = New(Options{Target: srv.URL, Flow: flow, Sessions: picker, Sink: sink, StopRules: []brink.StopRule{},
		Clock: brink.Clock{Epoch: time.Now(), Scale: 0.05}, Plan: brink.Plan{StartUsers: 3, MaxUsers: 3, Hold: brink.Duration(40 * time.Second)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sort.Strings(users)
	if !slices.Equal(users, []string{"alice:pw-a", "bob:pw-b", "carol:pw-c"}) {
		t.Fatalf("logins %v: want one pool row per virtual user", users)
	}
	// Each think before an ask is the recorded gap x 0.5: 1, 5, 10, 20 s
	// (scenario). A timer never fires early, so the lower bound is tight;
	// a busy host delays it, so the upper bound (twice the think, plus 4 s)
	// allows a stall of at least 200 ms of wall time at this scale.
	byVU := map[int32][]brink.Trace{}
	for _, tr := range sink.rows {
		byVU[tr.VU] = append(byVU[tr.VU], tr)
	}
	want := []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second}
	checked := 0
	for vu, rs := range byVU {
		slices.SortFunc(rs, func(a, b brink.Trace) int { return a.Start.Compare(b.Start) })
		for k := 1; k < len(rs) && k <= len(want); k++ {
			prevEnd := rs[k-1].Start.Add(time.Duration(rs[k-1].LatencyMS * float64(time.Millisecond)))
			gap := rs[k].Start.Sub(prevEnd)
			if gap < want[k-1]-200*time.Millisecond || gap > 2*want[k-1]+4*time.Second {
				t.Errorf("vu %d ask %d came %v after the previous request, want about %v", vu, k, gap, want[k-1])
			}
			checked++
		}
	}
	if checked < 6 {
		t.Fatalf("checked %d think times: want each user through its first turns", checked)
	}
}

func TestUsersPoolTooSmall(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "users.csv"), []byte("username\nonly-one\n"), 0o644)
	p := filepath.Join(dir, "f.yaml")
	os.WriteFile(p, []byte("users: users.csv\nsteps:\n  - name: ask\n    path: /x\n"), 0o644)
	flow, err := LoadFlow(p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Options{Target: "http://127.0.0.1:1", Flow: flow, Sink: &memSink{}, Plan: brink.Plan{StartUsers: 2, MaxUsers: 2, Hold: brink.Duration(time.Minute)}})
	if err == nil || !strings.Contains(err.Error(), "has 1 users but the plan goes up to 2") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzLoadUsers(f *testing.F) {
	f.Add("username,password\nalice,pw\nbob,pw2\n", 2)
	f.Add("user name,x\n1,2\n", 1)
	f.Add("a\n\"unterminated\n", 1)
	f.Fuzz(func(t *testing.T, csv string, need int) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "users.csv"), []byte(csv), 0o644)
		fl := &Flow{Users: "users.csv", dir: dir}
		rows, err := loadUsers(fl, need%1000)
		if err != nil {
			if !strings.Contains(err.Error(), "users pool") {
				t.Fatalf("error does not say what it read: %v", err)
			}
			return
		}
		if len(rows) < need%1000 {
			t.Fatalf("%d rows for %d users", len(rows), need%1000)
		}
		for _, r := range rows {
			for k := range r {
				if !varName.MatchString(k) {
					t.Fatalf("column %q is not a variable name", k)
				}
			}
		}
	})
}
