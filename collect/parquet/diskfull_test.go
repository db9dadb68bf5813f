//go:build linux

package parquet

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDiskFull writes segments into a 256 KiB tmpfs until it fills: the
// error says so, and every segment closed before is whole and readable.
// It needs root (mount); elsewhere it is skipped.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	// Not t.TempDir: its cleanup would race the unmount and fail on a
	// busy mount point. The mount point is removed after the unmount.
	dir, err := os.MkdirTemp("", "brink-diskfull-")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		os.Remove(dir)
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if exec.Command("umount", dir).Run() != nil {
			exec.Command("umount", "-l", dir).Run() // lazily, if something still holds it
		}
		os.Remove(dir)
	})
	w, err := NewTraceWriter(filepath.Join(dir, "traces"), TraceOptions{RunID: "full", FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rows := sampleTraces(2000)
	var werr error
	for i := 0; i < 200 && werr == nil; i++ {
		for _, r := range rows {
			w.Write(r)
		}
		werr = w.Flush()
	}
	if werr == nil || !strings.Contains(werr.Error(), "no space left on device") {
		t.Fatalf("flush error %v: want one saying the disk is full", werr)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed segment: want the error again")
	}
	files, _ := TraceFiles(filepath.Join(dir, "traces"))
	if len(files) == 0 {
		t.Fatal("no segment was closed before the disk filled")
	}
	for _, f := range files {
		got, err := ReadTraces(context.Background(), f)
		if err != nil || len(got) != len(rows) {
			t.Fatalf("closed segment %s: %d rows, %v", f, len(got), err)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "traces", "*.tmp")); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}
