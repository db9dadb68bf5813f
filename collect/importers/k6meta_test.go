package importers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"brink/collect/parquet"
	"brink/rundir"
)

// k6File writes k6 JSON output: a vus gauge of 2 for 20 s and, each second,
// one request by each of VUs 1 and 2 ending at the same instant with the same
// tags (iteration = the second). meta puts vu/iter in data.metadata (k6 ≥
// 0.41), else in the tags (older k6 with --system-tags); none leaves them out.
func k6File(t *testing.T, where string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"type":"Metric","data":{"type":"gauge","contains":"default"},"metric":"vus"}` + "\n")
	for s := range 20 {
		ts := t0.Add(time.Duration(s) * time.Second)
		fmt.Fprintf(&b, `{"type":"Point","data":{"time":%q,"value":2,"tags":null},"metric":"vus"}`+"\n", ts.Format(time.RFC3339Nano))
		end := ts.Add(500 * time.Millisecond).Format(time.RFC3339Nano)
		for vu := 1; vu <= 2; vu++ {
			tags := `"name":"http://127.0.0.1:8080/chat/sessions/1/messages","method":"POST","status":"200"`
			meta := ""
			switch where {
			case "tags":
				tags += fmt.Sprintf(`,"vu":"%d","iter":"%d"`, vu, s)
			case "metadata":
				meta = fmt.Sprintf(`,"metadata":{"vu":"%d","iter":"%d"}`, vu, s)
			}
			for _, m := range []string{"http_req_duration", "http_req_waiting"} {
				fmt.Fprintf(&b, `{"type":"Point","data":{"time":%q,"value":%d,"tags":{%s}%s},"metric":%q}`+"\n", end, 100*vu, tags, meta, m)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "k6.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Issue 18 item 4: k6 ≥ 0.41 writes vu and iter in data.metadata; the
// importer read only tags and collapsed a real file into one user and one
// session. 20 s × 2 VUs = 40 requests, 2 users, 40 (vu, session) pairs.
func TestK6VUFromMetadata(t *testing.T) {
	for _, where := range []string{"metadata", "tags", "none"} {
		t.Run(where, func(t *testing.T) {
			res, err := K6(context.Background(), k6File(t, where), Options{RunsDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			files, _ := parquet.TraceFiles(filepath.Join(res.Dir, rundir.TracesDir))
			rows, err := parquet.ReadTraces(context.Background(), files[0])
			if err != nil {
				t.Fatal(err)
			}
			vus, sessions := map[int32]bool{}, map[[2]int64]bool{}
			for _, r := range rows {
				vus[r.VU] = true
				sessions[[2]int64{int64(r.VU), r.Session}] = true
			}
			warned := false
			for _, w := range res.Warnings {
				warned = warned || strings.Contains(w, "40 of 40 requests name no VU or iteration")
			}
			wantVUs, wantSessions := 2, 40
			if where == "none" {
				// Without vu the two same-instant requests still stay two rows.
				wantVUs, wantSessions = 1, 1
			}
			if len(rows) != 40 || len(vus) != wantVUs || len(sessions) != wantSessions || warned != (where == "none") {
				t.Errorf("%d rows, %d VUs, %d sessions, warned %v; want 40, %d, %d, %v (warnings %q)",
					len(rows), len(vus), len(sessions), warned, wantVUs, wantSessions, where == "none", res.Warnings)
			}
		})
	}
}
