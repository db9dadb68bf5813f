package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"brink"
	"brink/collect/parquet"
	"brink/rundir"
)

func TestAttack(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" { // brink asks /_brink/clock first
			http.NotFound(w, r)
			return
		}
		served.Add(1)
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	runs := t.TempDir()
	code, out, errs := brinkMain(t, "attack", "--target", srv.URL+"/health", "--connections", "3", "--duration", "300ms", "--runs-dir", runs)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	m := regexp.MustCompile(`^rps=([0-9.]+) p50_ms=[0-9.]+ p99_ms=[0-9.]+ errors=([0-9]+)$`).FindStringSubmatch(lines[len(lines)-1])
	if m == nil || m[2] != "0" {
		t.Fatalf("last line %q: want rps=N p50_ms=N p99_ms=N errors=0", lines[len(lines)-1])
	}
	if rps, _ := strconv.ParseFloat(m[1], 64); rps <= 0 {
		t.Errorf("rps %v", rps)
	}
	dirs, _ := filepath.Glob(filepath.Join(runs, "*"))
	if len(dirs) != 1 {
		t.Fatalf("run directories %v", dirs)
	}
	man, err := readManifest(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if man.Status != brink.StatusCompleted || len(man.Levels) != 1 || man.Levels[0].Users != 3 || man.Plan.MaxUsers != 3 {
		t.Fatalf("manifest %+v", man)
	}
	files, err := parquet.TraceFiles(filepath.Join(dirs[0], rundir.TracesDir))
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, f := range files {
		tr, err := parquet.ReadTraces(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tr {
			if r.Start.Before(man.Levels[0].SteadyStart) || !r.Start.Before(man.Levels[0].End) || r.Status != 200 {
				t.Fatalf("row %+v outside level %+v", r, man.Levels[0])
			}
		}
		rows += int64(len(tr))
	}
	if rows == 0 || rows != served.Load() {
		t.Errorf("%d rows for %d requests served", rows, served.Load())
	}
}

func TestAttackUsage(t *testing.T) {
	for _, args := range [][]string{
		{"attack"},
		{"attack", "--target", "127.0.0.1:1"},
		{"attack", "--target", "http://127.0.0.1:1", "--connections", "0"},
		{"attack", "--target", "http://127.0.0.1:1", "--rate", "-1"},
	} {
		if code, _, _ := brinkMain(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
