package parquet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sort"
)

// Page checksums. The Parquet format lets each page header carry the CRC-32
// (IEEE, as gzip's) of the page's bytes as stored; arrow-go neither writes
// nor checks it, so brink does both here: writeFile adds the checksums to a
// file arrow-go has just written (the page headers grow by a few bytes, so
// the footer's offsets move with them), and VerifyPages checks them. A
// flipped bit in a compressed page otherwise either fails a whole analysis
// with a decompression error or, worse, decodes to wrong numbers silently.

var (
	// ErrChecksum marks a page whose bytes do not match its CRC.
	ErrChecksum = errors.New("page checksum mismatch")
	// ErrNoChecksums marks a file written without page checksums (by a
	// brink from before they were written): it can only be checked by
	// decoding it.
	ErrNoChecksums = errors.New("no page checksums")
)

// Field ids of parquet.thrift.
const (
	fmRowGroups = 4  // FileMetaData.row_groups
	fmEncrypt   = 8  // FileMetaData.encryption_algorithm
	rgColumns   = 1  // RowGroup.columns
	rgOffset    = 5  // RowGroup.file_offset
	rgSize      = 6  // RowGroup.total_compressed_size
	ccOffset    = 2  // ColumnChunk.file_offset
	ccMeta      = 3  // ColumnChunk.meta_data
	ccOffIndex  = 4  // ColumnChunk.offset_index_offset
	ccColIndex  = 6  // ColumnChunk.column_index_offset
	cmSize      = 7  // ColumnMetaData.total_compressed_size
	cmData      = 9  // ColumnMetaData.data_page_offset
	cmIndex     = 10 // ColumnMetaData.index_page_offset
	cmDict      = 11 // ColumnMetaData.dictionary_page_offset
	cmBloom     = 14 // ColumnMetaData.bloom_filter_offset
	phSize      = 3  // PageHeader.compressed_page_size
	phCRC       = 4  // PageHeader.crc
)

var magic = []byte("PAR1")

// footer returns a whole file's decoded FileMetaData and where it starts.
func footer(data []byte) (*tStructV, int, error) {
	n := len(data)
	if n < 12 || !bytes.Equal(data[:4], magic) || !bytes.Equal(data[n-4:], magic) {
		return nil, 0, fmt.Errorf("%w: no PAR1 magic at both ends", ErrTorn)
	}
	flen := int(binary.LittleEndian.Uint32(data[n-8:]))
	start := n - 8 - flen
	if flen <= 0 || start < 4 {
		return nil, 0, fmt.Errorf("%w: footer length %d does not fit the file", ErrTorn, flen)
	}
	r := &tReader{b: data[start : n-8]}
	md, err := r.structV()
	if err != nil {
		return nil, 0, fmt.Errorf("%w: footer: %v", ErrTorn, err)
	}
	if md.get(fmEncrypt) != nil {
		return nil, 0, errors.New("encrypted parquet files are not supported")
	}
	return md, start, nil
}

// chunk is one column chunk: its metadata and its pages.
type chunk struct {
	cc, meta   *tStructV
	start, end int
	pages      []page
}

// page is one page as stored: its header and its data.
type page struct {
	hdr           *tStructV
	start, dataAt int // header start, data start (= header end)
	end           int
}

// chunks lists every column chunk of the file with its pages, in file order.
func chunks(data []byte, md *tStructV, footerAt int) ([]*chunk, error) {
	var out []*chunk
	rgs, _ := fieldList(md, fmRowGroups)
	for _, rgv := range rgs {
		rg, ok := rgv.(*tStructV)
		if !ok {
			return nil, fmt.Errorf("%w: row group is not a struct", ErrTorn)
		}
		cols, _ := fieldList(rg, rgColumns)
		for _, ccv := range cols {
			cc, ok := ccv.(*tStructV)
			if !ok {
				return nil, fmt.Errorf("%w: column chunk is not a struct", ErrTorn)
			}
			f := cc.get(ccMeta)
			if f == nil {
				return nil, fmt.Errorf("%w: column chunk without metadata", ErrTorn)
			}
			meta, ok := f.val.(*tStructV)
			if !ok {
				return nil, fmt.Errorf("%w: column metadata is not a struct", ErrTorn)
			}
			start, _ := meta.int(cmData)
			if d, ok := meta.int(cmDict); ok && d > 0 && d < start {
				start = d
			}
			size, _ := meta.int(cmSize)
			if start < 4 || size <= 0 || start+size > int64(footerAt) {
				return nil, fmt.Errorf("%w: column chunk at %d of %d bytes lies outside the data", ErrTorn, start, size)
			}
			c := &chunk{cc: cc, meta: meta, start: int(start), end: int(start + size)}
			for pos := c.start; pos < c.end; {
				r := &tReader{b: data[:c.end], pos: pos}
				hdr, err := r.structV()
				if err != nil {
					return nil, fmt.Errorf("%w: page header at byte %d: %v", ErrTorn, pos, err)
				}
				n, _ := hdr.int(phSize)
				if n < 0 || int64(r.pos)+n > int64(c.end) {
					return nil, fmt.Errorf("%w: page at byte %d of %d bytes runs past its column chunk", ErrTorn, pos, n)
				}
				c.pages = append(c.pages, page{hdr: hdr, start: pos, dataAt: r.pos, end: r.pos + int(n)})
				pos = r.pos + int(n)
			}
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	for i := 1; i < len(out); i++ {
		if out[i].start < out[i-1].end {
			return nil, fmt.Errorf("%w: column chunks overlap at byte %d", ErrTorn, out[i].start)
		}
	}
	return out, nil
}

func fieldList(s *tStructV, id int16) ([]any, bool) {
	if f := s.get(id); f != nil {
		if l, ok := f.val.(*tListV); ok {
			return l.items, true
		}
	}
	return nil, false
}

// crcOf is a page's checksum as parquet.thrift stores it (a signed i32).
func crcOf(b []byte) int64 { return int64(int32(crc32.ChecksumIEEE(b))) }

// addPageCRCs returns data, a whole Parquet file, with the CRC of every
// page in its header and the footer's offsets and sizes moved to match.
func addPageCRCs(data []byte) ([]byte, error) {
	md, footerAt, err := footer(data)
	if err != nil {
		return nil, err
	}
	cs, err := chunks(data, md, footerAt)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(data)/64+1024)
	out = append(out, magic...)
	// moved[i]: how far the bytes at and after old offset starts[i] moved.
	var starts []int
	var moved []int
	copied := 4
	for _, c := range cs {
		if c.cc.get(ccOffIndex) != nil || c.cc.get(ccColIndex) != nil || c.meta.get(cmBloom) != nil {
			return nil, errors.New("page indexes and bloom filters are not supported")
		}
		for _, p := range c.pages {
			out = append(out, data[copied:p.start]...) // nothing, in a file arrow-go wrote
			starts, moved = append(starts, p.start), append(moved, len(out)-p.start)
			p.hdr.setInt(phCRC, tI32, crcOf(data[p.dataAt:p.end]))
			w := &tWriter{b: out}
			w.structV(p.hdr)
			out = append(w.b, data[p.dataAt:p.end]...)
			copied = p.end
		}
	}
	out = append(out, data[copied:footerAt]...)
	starts, moved = append(starts, copied), append(moved, len(out)-copied)
	shift := func(off int64) int64 {
		i := sort.SearchInts(starts, int(off)+1) - 1 // the last start at or before off
		if i < 0 {
			return off
		}
		return off + int64(moved[i])
	}
	for _, c := range cs {
		for _, id := range []int16{cmData, cmIndex, cmDict} {
			if v, ok := c.meta.int(id); ok && v > 0 {
				c.meta.setInt(id, tI64, shift(v))
			}
		}
		c.meta.setInt(cmSize, tI64, shift(int64(c.end))-shift(int64(c.start)))
		if v, ok := c.cc.int(ccOffset); ok && v > 0 {
			c.cc.setInt(ccOffset, tI64, shift(v))
		}
	}
	rgs, _ := fieldList(md, fmRowGroups)
	for _, rgv := range rgs {
		rg := rgv.(*tStructV)
		if v, ok := rg.int(rgOffset); ok && v > 0 {
			rg.setInt(rgOffset, tI64, shift(v))
		}
		if _, ok := rg.int(rgSize); ok {
			var total int64
			cols, _ := fieldList(rg, rgColumns)
			for _, ccv := range cols {
				n, _ := ccv.(*tStructV).get(ccMeta).val.(*tStructV).int(cmSize)
				total += n
			}
			rg.setInt(rgSize, tI64, total)
		}
	}
	w := &tWriter{b: out}
	w.structV(md)
	flen := len(w.b) - len(out)
	out = binary.LittleEndian.AppendUint32(w.b, uint32(flen))
	return append(out, magic...), nil
}

// VerifyPages checks every page of the Parquet file at path against the
// CRC in its header, and that the footer and the page headers hold
// together. It returns ErrNoChecksums (wrapped) for a file whose pages
// carry none, ErrChecksum for a page whose bytes changed, and ErrTorn for a
// file cut short or with a damaged footer or header.
func VerifyPages(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	md, footerAt, err := footer(data)
	if err != nil {
		return err
	}
	cs, err := chunks(data, md, footerAt)
	if err != nil {
		return err
	}
	checked := 0
	for _, c := range cs {
		for _, p := range c.pages {
			want, ok := p.hdr.int(phCRC)
			if !ok {
				continue
			}
			if got := crcOf(data[p.dataAt:p.end]); got != want {
				return fmt.Errorf("%w: page at byte %d (%d bytes)", ErrChecksum, p.start, p.end-p.dataAt)
			}
			checked++
		}
	}
	if checked == 0 {
		return ErrNoChecksums
	}
	return nil
}
