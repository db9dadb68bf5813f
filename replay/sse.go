package replay

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// sseResult is what a server-sent event stream delivered.
type sseResult struct {
	events    int
	lastData  []byte // data of the final event (where usage is read)
	firstData bool   // at least one event carried data
}

// Default caps of a server-sent event stream (Step.MaxEventBytes, MaxStreamBytes).
const (
	DefaultMaxEventBytes  = 1 << 20
	DefaultMaxStreamBytes = 64 << 20
)

// errTooLarge: an event or the stream passed its cap.
var errTooLarge = errors.New("the answer passed its size cap")

// readSSE reads a text/event-stream to its end. onFirst is called when the
// first event with data is complete (the first token). It returns the bytes
// read. An event's data past maxEvent is not kept, and the stream stops
// being read past maxStream: both are errTooLarge.
func readSSE(r io.Reader, onFirst func(), maxEvent, maxStream int64) (sseResult, int64, error) {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEventBytes
	}
	if maxStream <= 0 {
		maxStream = DefaultMaxStreamBytes
	}
	tooLarge := false
	var res sseResult
	br := bufio.NewReaderSize(r, 16<<10)
	var n int64
	var data bytes.Buffer
	has := false
	for {
		line, err := br.ReadSlice('\n')
		n += int64(len(line))
		if n > maxStream {
			return res, n, errTooLarge
		}
		if err == bufio.ErrBufferFull {
			// An over-long line: keep reading it, it is counted but not kept.
			for err == bufio.ErrBufferFull {
				var more []byte
				more, err = br.ReadSlice('\n')
				n += int64(len(more))
				if n > maxStream {
					return res, n, errTooLarge
				}
			}
			continue
		}
		trimmed := bytes.TrimRight(line, "\r\n")
		switch {
		case len(trimmed) == 0 && len(line) > 0: // blank line: dispatch
			if has {
				res.events++
				res.lastData = append(res.lastData[:0], data.Bytes()...)
				if !res.firstData {
					res.firstData = true
					if onFirst != nil {
						onFirst()
					}
				}
			}
			data.Reset()
			has = false
		case bytes.HasPrefix(trimmed, []byte("data:")):
			if has {
				data.WriteByte('\n')
			}
			if int64(data.Len()+len(trimmed)) > maxEvent {
				tooLarge = true // counted, not kept
			} else {
				data.Write(bytes.TrimPrefix(bytes.TrimPrefix(trimmed, []byte("data:")), []byte(" ")))
			}
			has = true
		}
		if err == io.EOF {
			if has { // a last event without the closing blank line
				res.events++
				res.lastData = append(res.lastData[:0], data.Bytes()...)
			}
			if tooLarge {
				return res, n, errTooLarge
			}
			return res, n, nil
		}
		if err != nil {
			return res, n, err
		}
	}
}
