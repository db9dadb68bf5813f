package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A small Thrift compact-protocol codec, enough to rewrite a Parquet file's
// page headers and footer: arrow-go writes no page checksums and keeps its
// Thrift types internal, so crc.go adds them by decoding each header and
// the footer into generic values, setting fields, and encoding them again.

// Compact-protocol type codes.
const (
	tStop   = 0
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tDouble = 7
	tBinary = 8
	tList   = 9
	tSet    = 10
	tMap    = 11
	tStruct = 12
)

var errThrift = errors.New("bad thrift")

// tField is one field of a struct: its id, its compact type and its value
// (int64 for the integer types, bool, float64, []byte, *tStructV, *tListV
// or *tMapV).
type tField struct {
	id  int16
	typ byte
	val any
}

type tStructV struct{ fields []tField }

type tListV struct {
	elem  byte
	items []any
	set   bool
}

type tMapV struct {
	key, val byte
	keys     []any
	vals     []any
}

func (s *tStructV) get(id int16) *tField {
	for i := range s.fields {
		if s.fields[i].id == id {
			return &s.fields[i]
		}
	}
	return nil
}

// setInt sets an integer field, adding it in id order when absent.
func (s *tStructV) setInt(id int16, typ byte, v int64) {
	if f := s.get(id); f != nil {
		f.val = v
		return
	}
	at := len(s.fields)
	for i, f := range s.fields {
		if f.id > id {
			at = i
			break
		}
	}
	s.fields = append(s.fields, tField{})
	copy(s.fields[at+1:], s.fields[at:])
	s.fields[at] = tField{id: id, typ: typ, val: v}
}

func (s *tStructV) int(id int16) (int64, bool) {
	if f := s.get(id); f != nil {
		v, ok := f.val.(int64)
		return v, ok
	}
	return 0, false
}

type tReader struct {
	b     []byte
	pos   int
	depth int
}

func (r *tReader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, fmt.Errorf("%w: truncated at byte %d", errThrift, r.pos)
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *tReader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad varint at byte %d", errThrift, r.pos)
	}
	r.pos += n
	return v, nil
}

func (r *tReader) zigzag() (int64, error) {
	u, err := r.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (r *tReader) value(typ byte) (any, error) {
	switch typ {
	case tTrue:
		return true, nil
	case tFalse:
		return false, nil
	case tByte:
		c, err := r.byte()
		return int64(int8(c)), err
	case tI16, tI32, tI64:
		return r.zigzag()
	case tDouble:
		if r.pos+8 > len(r.b) {
			return nil, fmt.Errorf("%w: truncated double", errThrift)
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.pos:]))
		r.pos += 8
		return v, nil
	case tBinary:
		n, err := r.uvarint()
		if err != nil {
			return nil, err
		}
		if n > uint64(len(r.b)-r.pos) {
			return nil, fmt.Errorf("%w: binary of %d bytes past the end", errThrift, n)
		}
		v := r.b[r.pos : r.pos+int(n)]
		r.pos += int(n)
		return v, nil
	case tList, tSet:
		h, err := r.byte()
		if err != nil {
			return nil, err
		}
		n := uint64(h >> 4)
		if n == 15 {
			if n, err = r.uvarint(); err != nil {
				return nil, err
			}
		}
		if n > uint64(len(r.b)-r.pos) { // every element takes a byte at least
			return nil, fmt.Errorf("%w: list of %d past the end", errThrift, n)
		}
		l := &tListV{elem: h & 0x0f, set: typ == tSet, items: make([]any, 0, n)}
		for range n {
			var v any
			if l.elem == tTrue || l.elem == tFalse { // a bool in a container is a byte
				c, err := r.byte()
				if err != nil {
					return nil, err
				}
				v = c == tTrue
			} else if v, err = r.value(l.elem); err != nil {
				return nil, err
			}
			l.items = append(l.items, v)
		}
		return l, nil
	case tMap:
		n, err := r.uvarint()
		if err != nil {
			return nil, err
		}
		m := &tMapV{}
		if n == 0 {
			return m, nil
		}
		if n > uint64(len(r.b)-r.pos) {
			return nil, fmt.Errorf("%w: map of %d past the end", errThrift, n)
		}
		kv, err := r.byte()
		if err != nil {
			return nil, err
		}
		m.key, m.val = kv>>4, kv&0x0f
		for range n {
			k, err := r.value(m.key)
			if err != nil {
				return nil, err
			}
			v, err := r.value(m.val)
			if err != nil {
				return nil, err
			}
			m.keys, m.vals = append(m.keys, k), append(m.vals, v)
		}
		return m, nil
	case tStruct:
		return r.structV()
	}
	return nil, fmt.Errorf("%w: unknown type %d at byte %d", errThrift, typ, r.pos)
}

func (r *tReader) structV() (*tStructV, error) {
	if r.depth++; r.depth > 32 {
		return nil, fmt.Errorf("%w: nested too deep", errThrift)
	}
	defer func() { r.depth-- }()
	s := &tStructV{}
	var last int16
	for {
		h, err := r.byte()
		if err != nil {
			return nil, err
		}
		if h == tStop {
			return s, nil
		}
		typ := h & 0x0f
		id := last + int16(h>>4)
		if h>>4 == 0 {
			v, err := r.zigzag()
			if err != nil {
				return nil, err
			}
			id = int16(v)
		}
		v, err := r.value(typ)
		if err != nil {
			return nil, err
		}
		if typ == tTrue || typ == tFalse {
			typ = tTrue // the value carries it
		}
		s.fields = append(s.fields, tField{id: id, typ: typ, val: v})
		last = id
	}
}

type tWriter struct{ b []byte }

func (w *tWriter) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *tWriter) zigzag(v int64)   { w.uvarint(uint64(v<<1) ^ uint64(v>>63)) }

func (w *tWriter) value(typ byte, v any) {
	switch typ {
	case tByte:
		w.b = append(w.b, byte(v.(int64)))
	case tI16, tI32, tI64:
		w.zigzag(v.(int64))
	case tDouble:
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v.(float64)))
	case tBinary:
		b := v.([]byte)
		w.uvarint(uint64(len(b)))
		w.b = append(w.b, b...)
	case tList, tSet:
		l := v.(*tListV)
		if n := len(l.items); n < 15 {
			w.b = append(w.b, byte(n)<<4|l.elem)
		} else {
			w.b = append(w.b, 0xf0|l.elem)
			w.uvarint(uint64(n))
		}
		for _, it := range l.items {
			if l.elem == tTrue || l.elem == tFalse {
				w.b = append(w.b, boolType(it.(bool)))
				continue
			}
			w.value(l.elem, it)
		}
	case tMap:
		m := v.(*tMapV)
		w.uvarint(uint64(len(m.keys)))
		if len(m.keys) > 0 {
			w.b = append(w.b, m.key<<4|m.val)
		}
		for i := range m.keys {
			w.value(m.key, m.keys[i])
			w.value(m.val, m.vals[i])
		}
	case tStruct:
		w.structV(v.(*tStructV))
	}
}

func boolType(b bool) byte {
	if b {
		return tTrue
	}
	return tFalse
}

func (w *tWriter) structV(s *tStructV) {
	var last int16
	for _, f := range s.fields {
		typ := f.typ
		if typ == tTrue {
			typ = boolType(f.val.(bool))
		}
		if d := f.id - last; d > 0 && d <= 15 {
			w.b = append(w.b, byte(d)<<4|typ)
		} else {
			w.b = append(w.b, typ)
			w.zigzag(int64(f.id))
		}
		if typ != tTrue && typ != tFalse {
			w.value(typ, f.val)
		}
		last = f.id
	}
	w.b = append(w.b, tStop)
}
