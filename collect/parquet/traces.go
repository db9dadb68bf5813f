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
	MaxRows    int           // most rows per segment (whole 4,096-row blocks above that); default 1,048,576 (one row group)
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
	blockRows         = 4096
)

// TraceWriter buffers trace rows and writes them as closed Parquet segments.
// Write is safe for concurrent use and never waits for disk.
type TraceWriter struct {
	dir  string
	opts TraceOptions

	mu sync.Mutex
	// The open rows, in blocks of block rows: every block but the last is
	// full. A segment takes whole blocks, and written blocks are reused.
	// One growing slice instead was copied as it grew (10% of brink
	// attack's core at 35k requests/s), and a new one allocated per
	// segment was cleared and faulted in.
	blocks    [][]brink.Trace
	free      [][]brink.Trace
	block     int   // rows per block: 4,096, or MaxRows when that is smaller
	n         int   // rows in blocks
	err       error // first write error; later segments are still attempted
	next      int   // number of the next segment
	rows      int64 // rows in closed segments
	files     []string
	kick      chan struct{}
	done      chan struct{}
	stopped   chan struct{}
	closeMu   sync.Mutex // serialises segment writes
	closeOnce sync.Once
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
	w := &TraceWriter{dir: dir, opts: opts, next: next, block: min(opts.MaxRows, blockRows),
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
	b := w.room()
	*b = append(*b, t)
	w.n++
	return w.added()
}

// WriteBatch buffers rows (copied: the caller may reuse the slice) under one
// lock. Otherwise it behaves like Write.
func (w *TraceWriter) WriteBatch(rows []brink.Trace) error {
	w.mu.Lock()
	for len(rows) > 0 {
		b := w.room()
		k := min(w.block-len(*b), len(rows))
		*b = append(*b, rows[:k]...)
		rows = rows[k:]
		w.n += k
	}
	return w.added()
}

// room is the last block, with room for a row: a new (or reused) block
// when the last is full. w.mu is held.
func (w *TraceWriter) room() *[]brink.Trace {
	last := len(w.blocks) - 1
	if last < 0 || len(w.blocks[last]) == w.block {
		var b []brink.Trace
		if k := len(w.free) - 1; k >= 0 {
			b, w.free = w.free[k], w.free[:k]
		} else {
			b = make([]brink.Trace, 0, w.block)
		}
		w.blocks = append(w.blocks, b)
		last++
	}
	return &w.blocks[last]
}

// added ends a Write: it unlocks w.mu and kicks the closer when a segment
// is full.
func (w *TraceWriter) added() error {
	full := w.n >= w.segmentRows()
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

// segmentRows is the most rows a segment takes: MaxRows, in whole blocks.
func (w *TraceWriter) segmentRows() int { return w.opts.MaxRows / w.block * w.block }

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
		if w.n == 0 {
			err := w.err
			w.mu.Unlock()
			return err
		}
		k := min(len(w.blocks), w.segmentRows()/w.block)
		seg := rowBlocks{blocks: slices.Clone(w.blocks[:k]), block: w.block}
		for _, b := range seg.blocks {
			seg.n += len(b)
		}
		w.blocks = slices.Delete(w.blocks, 0, k)
		w.n -= seg.n
		idx := w.next
		w.next++
		w.mu.Unlock()

		path := filepath.Join(w.dir, rundir.SegmentName(w.opts.Prefix, idx))
		err := writeTraceFile(path, w.opts.RunID, seg)
		if err == nil && w.opts.Stored != nil {
			err = w.opts.Stored(path, int64(seg.n))
		}
		w.mu.Lock()
		if err != nil && w.err == nil {
			w.err = err
		}
		if err == nil {
			w.rows += int64(seg.n)
			w.files = append(w.files, path)
		}
		for _, b := range seg.blocks { // written: their rows are no longer read
			clear(b) // nor kept alive through their strings
			w.free = append(w.free, b[:0])
		}
		w.mu.Unlock()
	}
}

// Close stops the background closer and writes the last segment.
func (w *TraceWriter) Close() error {
	w.closeOnce.Do(func() { close(w.done) }) // Close may be called twice, at once
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

// rowBlocks are n rows in blocks of block rows, every block but the last
// full.
type rowBlocks struct {
	blocks [][]brink.Trace
	block  int
	n      int
}

// oneBlock is rows as rowBlocks.
func oneBlock(rows []brink.Trace) rowBlocks {
	return rowBlocks{blocks: [][]brink.Trace{rows}, block: max(len(rows), 1), n: len(rows)}
}

// at is row i.
func (r rowBlocks) at(i int) *brink.Trace { return &r.blocks[i/r.block][i%r.block] }

// writeTraceFile writes rows to path via path.tmp, fsync and rename, in
// order of start (ties in the order written).
func writeTraceFile(path, runID string, rows rowBlocks) error {
	rec := buildTraceRecord(memory.DefaultAllocator, rows, startOrder(rows))
	defer rec.Release()

	return writeFile(path, "trace segment", TraceSchema.Fields(), fileMetadata("traces", runID), rec, plainTraceColumns...)
}

// plainTraceColumns are nearly unique per row (microsecond times, latencies):
// a dictionary of them is hashed for every value and then abandoned when it
// outgrows its page, so they are written plain (2% of the generator's core).
var plainTraceColumns = []string{"start", "latency_ms", "ttfb_ms", "scheduled"}

// startOrder is the order of rows by start, ties in the order written (a
// stable sort). It sorts small keys, not the rows: a row is ~220 bytes, and
// moving rows made sorting most of a segment's cost.
func startOrder(rows rowBlocks) []int32 {
	type key struct {
		sec  int64
		nsec int32
		i    int32
	}
	keys := make([]key, 0, rows.n)
	for _, b := range rows.blocks {
		for j := range b {
			t := &b[j].Start
			keys = append(keys, key{t.Unix(), int32(t.Nanosecond()), int32(len(keys))})
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.sec, b.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(a.nsec, b.nsec); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	idx := make([]int32, len(keys))
	for k, key := range keys {
		idx[k] = key.i
	}
	return idx
}

// buildTraceRecord makes the Arrow record of rows in the given order.
func buildTraceRecord(mem memory.Allocator, rows rowBlocks, order []int32) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, TraceSchema)
	defer b.Release()
	b.Reserve(rows.n)
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
	// The string columns' bytes, reserved at once: grown by doubling they
	// were copied and re-copied (~2% of brink attack's core).
	var idBytes, phaseBytes, errBytes, modelBytes int
	for _, bl := range rows.blocks {
		for j := range bl {
			r := &bl[j]
			idBytes += len(r.RunID)
			phaseBytes += len(r.Phase)
			errBytes += len(r.Error)
			modelBytes += len(r.Model)
		}
	}
	runID.ReserveData(idBytes)
	phase.ReserveData(phaseBytes)
	errc.ReserveData(errBytes)
	model.ReserveData(modelBytes)
	for _, i := range order {
		r := rows.at(int(i))
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
