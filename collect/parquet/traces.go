package parquet

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"brink/rundir"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"brink"
)

// TraceOptions configure a TraceWriter. Zero values take the defaults.
type TraceOptions struct {
	RunID      string
	FlushEvery time.Duration // wall time; default 5 s
	MaxRows    int           // rows per segment; default 1,000,000 (one row group)
	Prefix     string        // file name prefix; default rundir.TraceSegmentPrefix ("part-")
	// Stored, when set, is called (from the closer, one segment at a time)
	// after each segment is closed: a sharded or remote run stores it and
	// lists it. Its error counts as a write error.
	Stored func(path string, rows int64) error
}

const (
	defaultFlushEvery = 5 * time.Second
	defaultMaxRows    = 1 << 20
	tmpSuffix         = ".tmp"
)

// TraceWriter buffers trace rows and writes them as closed Parquet segments.
// Write is safe for concurrent use and never waits for disk.
type TraceWriter struct {
	dir  string
	opts TraceOptions

	mu      sync.Mutex
	buf     []brink.Trace
	spare   []brink.Trace // the last written segment's rows, reused as the next buffer
	err     error // first write error; later segments are still attempted
	next    int   // number of the next segment
	rows    int64 // rows in closed segments
	files   []string
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
	closeMu sync.Mutex // serialises segment writes
}

// NewTraceWriter creates dir (the run's traces/ folder) and starts the
// background segment closer. Numbering continues after existing segments.
func NewTraceWriter(dir string, opts TraceOptions) (*TraceWriter, error) {
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = defaultFlushEvery
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = defaultMaxRows
	}
	if opts.Prefix == "" {
		opts.Prefix = rundir.TraceSegmentPrefix
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create traces directory: %w", err)
	}
	next, err := nextSegment(dir, opts.Prefix)
	if err != nil {
		return nil, err
	}
	w := &TraceWriter{dir: dir, opts: opts, next: next,
		buf:  make([]brink.Trace, 0, 4096),
		kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	go w.loop()
	return w, nil
}

func nextSegment(dir, prefix string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("list traces: %w", err)
	}
	next := 0
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".parquet") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, prefix), ".parquet"))
		if err == nil && n >= next {
			next = n + 1
		}
	}
	return next, nil
}

// Write buffers one row. It returns the first error a segment write hit, so
// a caller can stop early; the row is buffered either way.
func (w *TraceWriter) Write(t brink.Trace) error {
	w.mu.Lock()
	w.buf = append(w.buf, t)
	full := len(w.buf) >= w.opts.MaxRows
	err := w.err
	w.mu.Unlock()
	if full {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return err
}

// WriteBatch buffers rows (copied: the caller may reuse the slice) under one
// lock. Otherwise it behaves like Write.
func (w *TraceWriter) WriteBatch(rows []brink.Trace) error {
	w.mu.Lock()
	w.buf = append(w.buf, rows...)
	full := len(w.buf) >= w.opts.MaxRows
	err := w.err
	w.mu.Unlock()
	if full {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return err
}

func (w *TraceWriter) loop() {
	defer close(w.stopped)
	t := time.NewTicker(w.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		case <-w.kick:
		}
		w.Flush()
	}
}

// Flush closes the open segment now (nothing is written when it is empty).
func (w *TraceWriter) Flush() error {
	w.closeMu.Lock()
	defer w.closeMu.Unlock()
	for {
		w.mu.Lock()
		n := min(len(w.buf), w.opts.MaxRows)
		if n == 0 {
			err := w.err
			w.mu.Unlock()
			return err
		}
		old := w.buf
		rows := old[:n:n]
		// The buffer the last segment was written from becomes the open
		// one: a segment is ~220 bytes a row, and allocating (and
		// clearing) a new one for each, then growing it, cost the
		// generator's core 2-3% at 16k requests/s.
		rest := w.spare[:0]
		if cap(rest) < len(old)-n {
			rest = make([]brink.Trace, 0, max(cap(old), 4096))
		}
		w.buf, w.spare = append(rest, old[n:]...), nil
		seg := w.next
		w.next++
		w.mu.Unlock()

		path := filepath.Join(w.dir, rundir.SegmentName(w.opts.Prefix, seg))
		err := writeTraceFile(path, w.opts.RunID, rows)
		if err == nil && w.opts.Stored != nil {
			err = w.opts.Stored(path, int64(len(rows)))
		}
		w.mu.Lock()
		if err != nil && w.err == nil {
			w.err = err
		}
		if err == nil {
			w.rows += int64(len(rows))
			w.files = append(w.files, path)
		}
		if w.spare == nil {
			w.spare = old[:0] // written: its rows are no longer read
		}
		w.mu.Unlock()
	}
}

// Close stops the background closer and writes the last segment.
func (w *TraceWriter) Close() error {
	select {
	case <-w.done:
	default:
		close(w.done)
	}
	<-w.stopped
	return w.Flush()
}

// Rows is the number of rows in closed segments.
func (w *TraceWriter) Rows() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rows
}

// Files lists the closed segment files in the order written.
func (w *TraceWriter) Files() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.files...)
}

// writeTraceFile writes rows to path via path.tmp, fsync and rename, in
// order of start (ties in the order written).
func writeTraceFile(path, runID string, rows []brink.Trace) error {
	rec := buildTraceRecord(memory.DefaultAllocator, rows, startOrder(rows))
	defer rec.Release()

	return writeFile(path, "trace segment", TraceSchema.Fields(), fileMetadata("traces", runID), rec, plainTraceColumns...)
}

// plainTraceColumns are nearly unique per row (microsecond times, latencies):
// a dictionary of them is hashed for every value and then abandoned when it
// outgrows its page, so they are written plain (2% of the generator's core).
var plainTraceColumns = []string{"start", "latency_ms", "ttfb_ms", "scheduled"}

// startOrder is the order of rows by start, ties in the order written (a
// stable sort). It sorts indices, not the rows: a row is ~220 bytes, and
// moving rows made sorting most of a segment's cost.
func startOrder(rows []brink.Trace) []int32 {
	idx := make([]int32, len(rows))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := rows[a].Start.Compare(rows[b].Start); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return idx
}

// buildTraceRecord makes the Arrow record of rows in the given order.
func buildTraceRecord(mem memory.Allocator, rows []brink.Trace, order []int32) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, TraceSchema)
	defer b.Release()
	b.Reserve(len(rows))
	runID := b.Field(0).(*array.StringBuilder)
	vu := b.Field(1).(*array.Int32Builder)
	session := b.Field(2).(*array.Int64Builder)
	step := b.Field(3).(*array.BinaryDictionaryBuilder)
	level := b.Field(4).(*array.Int32Builder)
	users := b.Field(5).(*array.Int32Builder)
	phase := b.Field(6).(*array.StringBuilder)
	start := b.Field(7).(*array.TimestampBuilder)
	lat := b.Field(8).(*array.Float64Builder)
	ttfb := b.Field(9).(*array.Float64Builder)
	status := b.Field(10).(*array.Int32Builder)
	errc := b.Field(11).(*array.StringBuilder)
	thr := b.Field(12).(*array.BooleanBuilder)
	sent := b.Field(13).(*array.Int64Builder)
	recv := b.Field(14).(*array.Int64Builder)
	in := b.Field(15).(*array.Int32Builder)
	out := b.Field(16).(*array.Int32Builder)
	model := b.Field(17).(*array.StringBuilder)
	sched := b.Field(18).(*array.TimestampBuilder)
	for _, i := range order {
		r := &rows[i]
		runID.Append(r.RunID)
		vu.Append(r.VU)
		session.Append(r.Session)
		if err := step.AppendString(r.Step); err != nil {
			panic(fmt.Sprintf("step dictionary: %v", err)) // only on allocation failure
		}
		level.Append(r.Level)
		users.Append(r.Users)
		phase.Append(r.Phase)
		start.Append(arrow.Timestamp(r.Start.UnixMicro()))
		lat.Append(r.LatencyMS)
		ttfb.Append(r.TTFBMS)
		status.Append(r.Status)
		errc.Append(r.Error)
		thr.Append(r.Throttled)
		sent.Append(r.BytesSent)
		recv.Append(r.BytesReceived)
		if r.HasUsage {
			in.Append(r.InputTokens)
			out.Append(r.OutputTokens)
		} else {
			in.AppendNull()
			out.AppendNull()
		}
		if r.Model != "" {
			model.Append(r.Model)
		} else {
			model.AppendNull()
		}
		if r.Scheduled.IsZero() {
			sched.AppendNull()
		} else {
			sched.Append(arrow.Timestamp(r.Scheduled.UnixMicro()))
		}
	}
	return b.NewRecordBatch()
}
