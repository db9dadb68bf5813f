package parquet

import (
	"brink"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// writeFile writes rec as one whole Parquet file at path, with the schema's
// fields and md as key-value metadata: zstd, dictionary encoding, one row
// group of up to ~1M rows (WriteBuffered), through path.tmp, fsync and a
// rename, so a reader never sees half a file. what names the file in errors.
// Columns named in plain are written without a dictionary.
func writeFile(path, what string, fields []arrow.Field, md map[string]string, rec arrow.RecordBatch, plain ...string) (err error) {
	keys := make([]string, 0, len(md))
	vals := make([]string, 0, len(md))
	for k, v := range md {
		keys = append(keys, k)
		vals = append(vals, v)
	}
	meta := arrow.NewMetadata(keys, vals)
	schema := arrow.NewSchema(fields, &meta)

	tmp := path + tmpSuffix
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	opts := []pq.WriterProperty{
		pq.WithCompression(compress.Codecs.Zstd),
		pq.WithMaxRowGroupLength(defaultMaxRows),
		pq.WithDictionaryDefault(true),
	}
	for _, c := range plain {
		opts = append(opts, pq.WithDictionaryFor(c, false))
	}
	props := pq.NewWriterProperties(opts...)
	fw, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("write %s %s: %w", what, path, err)
	}
	if err := fw.WriteBuffered(rec); err != nil {
		fw.Close()
		closed = true
		return fmt.Errorf("write %s %s: %w", what, path, err)
	}
	closed = true
	if err := fw.Close(); err != nil { // also closes f
		return fmt.Errorf("write %s %s: %w", what, path, err)
	}
	// fw.Close closed f. Add the page checksums arrow-go does not write
	// (crc.go), and fsync the data before the rename makes it visible.
	if err := checksumFile(tmp); err != nil {
		return fmt.Errorf("write %s %s: %w", what, path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// checksumFile rewrites the Parquet file at path with a CRC in every page
// header, and syncs it.
func checksumFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if data, err = addPageCRCs(data); err != nil {
		return fmt.Errorf("page checksums: %w", err)
	}
	g, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := g.Write(data); err != nil {
		g.Close()
		return err
	}
	if err := g.Sync(); err != nil {
		g.Close()
		return fmt.Errorf("sync: %w", err)
	}
	return g.Close()
}

// readFile opens a Parquet file brink wrote, checks its schema version, its
// kind (when kind is not "") and its columns against fields, and reads it
// whole. The caller releases the table. what names the file in errors.
func readFile(ctx context.Context, path, what, kind string, fields []arrow.Field) (arrow.Table, error) {
	if err := VerifyPages(path); err != nil && !errors.Is(err, ErrNoChecksums) {
		return nil, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w: %v", what, path, ErrTorn, err)
	}
	defer rdr.Close()
	kv := rdr.MetaData().KeyValueMetadata()
	if v := kv.FindValue(MetaSchemaVersion); v == nil {
		return nil, fmt.Errorf("read %s %s: no %s metadata: not written by brink", what, path, MetaSchemaVersion)
	} else if n, err := strconv.Atoi(*v); err != nil || n != brink.SchemaVersion {
		return nil, fmt.Errorf("read %s %s: schema version %s is not one this brink reads (%d)", what, path, *v, brink.SchemaVersion)
	}
	if kind != "" {
		if v := kv.FindValue(MetaKind); v == nil || *v != kind {
			return nil, fmt.Errorf("read %s %s: not a %s file (%s is not %q)", what, path, kind, MetaKind, kind)
		}
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	tbl, err := fr.ReadTable(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	if int(tbl.NumCols()) != len(fields) {
		tbl.Release()
		return nil, fmt.Errorf("read %s %s: %d columns, want %d", what, path, tbl.NumCols(), len(fields))
	}
	for i, f := range fields {
		if tbl.Schema().Field(i).Name != f.Name {
			tbl.Release()
			return nil, fmt.Errorf("read %s %s: column %d is %q, want %q", what, path, i, tbl.Schema().Field(i).Name, f.Name)
		}
	}
	return tbl, nil
}
