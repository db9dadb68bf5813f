package parquet

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// writeSegment writes rows of sampleTraces as one segment and returns its path.
func writeSegment(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	w, err := NewTraceWriter(dir, TraceOptions{RunID: "run-1", FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range sampleTraces(n) {
		w.Write(tr)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := TraceFiles(dir)
	if len(files) != 1 {
		t.Fatalf("%d segments, want 1", len(files))
	}
	return files[0]
}

// TestPageChecksumsWritten walks a written segment's pages by hand (its own
// reading of the footer's offsets and the page headers' sizes) and checks
// every page carries the CRC-32 of its bytes, and the rows read back whole.
func TestPageChecksumsWritten(t *testing.T) {
	path := writeSegment(t, 500)
	data, _ := os.ReadFile(path)
	md, at, err := footer(data)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := chunks(data, md, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(TraceSchema.Fields()) {
		t.Fatalf("%d column chunks, want one per column (%d)", len(cs), len(TraceSchema.Fields()))
	}
	pages := 0
	for _, c := range cs {
		for _, p := range c.pages {
			got, ok := p.hdr.int(phCRC)
			if !ok {
				t.Fatalf("page at %d has no crc", p.start)
			}
			if want := int32(crc32.ChecksumIEEE(data[p.dataAt:p.end])); int32(got) != want {
				t.Fatalf("page at %d: crc %d, want %d", p.start, got, want)
			}
			pages++
		}
	}
	// Each column holds a dictionary page or not, and one data page at least.
	if pages < len(cs) {
		t.Fatalf("%d pages for %d chunks", pages, len(cs))
	}
	if err := VerifyPages(path); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadTraces(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if want := sampleTraces(500); !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows differ after the checksums were added")
	}
}

// TestThriftRoundTrip decodes and re-encodes a footer and every page
// header: the bytes come back the same.
func TestThriftRoundTrip(t *testing.T) {
	data, _ := os.ReadFile(writeSegment(t, 300))
	md, at, err := footer(data)
	if err != nil {
		t.Fatal(err)
	}
	w := &tWriter{}
	w.structV(md)
	if !bytes.Equal(w.b, data[at:len(data)-8]) {
		t.Fatalf("footer re-encoded to %d bytes, was %d", len(w.b), len(data)-8-at)
	}
	cs, _ := chunks(data, md, at)
	for _, c := range cs {
		for _, p := range c.pages {
			w := &tWriter{}
			w.structV(p.hdr)
			if !bytes.Equal(w.b, data[p.start:p.dataAt]) {
				t.Fatalf("page header at %d re-encoded differently", p.start)
			}
		}
	}
}

// TestVerifyPagesFindsDamage flips a byte in a data page, truncates a copy
// and damages a footer: each is named for what it is.
func TestVerifyPagesFindsDamage(t *testing.T) {
	path := writeSegment(t, 500)
	data, _ := os.ReadFile(path)
	md, at, _ := footer(data)
	cs, _ := chunks(data, md, at)
	p := cs[len(cs)/2].pages[len(cs[len(cs)/2].pages)-1]
	dir := t.TempDir()

	flipped := bytes.Clone(data)
	flipped[(p.dataAt+p.end)/2] ^= 0x5a
	put := func(name string, b []byte) string {
		f := filepath.Join(dir, name)
		os.WriteFile(f, b, 0o644)
		return f
	}
	if err := VerifyPages(put("flipped.parquet", flipped)); !errors.Is(err, ErrChecksum) {
		t.Errorf("flipped byte: %v, want ErrChecksum", err)
	}
	if _, err := ReadTraces(context.Background(), filepath.Join(dir, "flipped.parquet")); !errors.Is(err, ErrChecksum) {
		t.Errorf("ReadTraces of a flipped byte: %v, want ErrChecksum", err)
	}
	if err := VerifyPages(put("cut.parquet", data[:len(data)/2])); !errors.Is(err, ErrTorn) {
		t.Errorf("truncated: %v, want ErrTorn", err)
	}
	badFooter := bytes.Clone(data)
	binary.LittleEndian.PutUint32(badFooter[len(badFooter)-8:], uint32(len(data)))
	if err := VerifyPages(put("footer.parquet", badFooter)); !errors.Is(err, ErrTorn) {
		t.Errorf("footer length past the file: %v, want ErrTorn", err)
	}
	garbled := bytes.Clone(data)
	for i := at; i < at+20; i++ {
		garbled[i] = 0xff
	}
	if err := VerifyPages(put("garbled.parquet", garbled)); !errors.Is(err, ErrTorn) {
		t.Errorf("garbled footer: %v, want ErrTorn", err)
	}
}

// FuzzVerifyPages: damaged files are refused with an error, never a panic.
func FuzzVerifyPages(f *testing.F) {
	dir := f.TempDir()
	w, _ := NewTraceWriter(dir, TraceOptions{RunID: "run-1", FlushEvery: time.Hour})
	for _, tr := range sampleTraces(50) {
		w.Write(tr)
	}
	w.Close()
	files, _ := TraceFiles(dir)
	data, _ := os.ReadFile(files[0])
	f.Add(data, 100, byte(1))
	f.Add(data, len(data)-10, byte(0x80))
	f.Fuzz(func(t *testing.T, data []byte, at int, x byte) {
		if at >= 0 && at < len(data) {
			data = bytes.Clone(data)
			data[at] ^= x
		}
		path := filepath.Join(t.TempDir(), "f.parquet")
		os.WriteFile(path, data, 0o644)
		VerifyPages(path)
		addPageCRCs(data)
	})
}
