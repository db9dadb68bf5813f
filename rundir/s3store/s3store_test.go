package s3store

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"brink/rundir"
	"brink/rundir/s3store/fakes3"
)

func write(t *testing.T, s rundir.Store, name, data string) {
	t.Helper()
	w, err := s.Create(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, s rundir.Store, name string) string {
	t.Helper()
	r, err := s.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

// The store does what rundir asks of one, against a real S3 protocol.
func TestStore(t *testing.T) {
	fakes3.Start(t, "runs")
	ctx := context.Background()
	s, err := New(ctx, "runs", "team/chat")
	if err != nil {
		t.Fatal(err)
	}
	write(t, s, "r1/run.json", `{"a":1}`)
	write(t, s, "r1/traces/shard=1/part-00000.parquet", "PAR1")
	write(t, s, "r1/traces/part-00000.parquet", "PAR1")
	write(t, s, "r1/traces/.part-00001.parquet.tmp", "half")
	write(t, s, "r10/run.json", "{}")
	if got := read(t, s, "r1/run.json"); got != `{"a":1}` {
		t.Fatalf("read back %q", got)
	}
	if _, err := s.Open(ctx, "r1/nope.json"); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "s3://runs/team/chat/r1/nope.json") {
		t.Fatalf("missing object: %v", err)
	}
	names, err := s.List(ctx, "r1")
	if want := []string{"r1/run.json", "r1/traces/part-00000.parquet", "r1/traces/shard=1/part-00000.parquet"}; err != nil || !reflect.DeepEqual(names, want) {
		t.Fatalf("list r1: %v %v, want %v (not r10's, not hidden names)", names, err, want)
	}
	if err := s.Rename(ctx, "r1", "r2"); err != nil {
		t.Fatal(err)
	}
	if names, _ := s.List(ctx, "r1"); len(names) != 0 {
		t.Fatalf("after rename, r1 holds %v", names)
	}
	if got := read(t, s, "r2/traces/shard=1/part-00000.parquet"); got != "PAR1" {
		t.Fatalf("renamed object reads %q", got)
	}
	if err := s.Remove(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	if names, _ := s.List(ctx, "r2"); len(names) != 0 {
		t.Fatalf("after remove, r2 holds %v", names)
	}
}

// An unreachable bucket, and missing credentials, say what to fix.
func TestStoreErrors(t *testing.T) {
	fakes3.Start(t, "runs")
	ctx := context.Background()
	s, err := New(ctx, "no-such-bucket", "p")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	w, _ := s.Create(ctx, "r/run.json")
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "s3://no-such-bucket/p/r/run.json") {
		t.Fatalf("upload to a missing bucket: %v", err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	if _, err := New(ctx, "runs", "p"); err == nil || !strings.Contains(err.Error(), "default chain was tried") {
		t.Fatalf("no credentials: %v", err)
	}
}
