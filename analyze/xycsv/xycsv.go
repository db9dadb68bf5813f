// Package xycsv reads two-column numeric CSV files: a header row naming the
// two columns, then one x,y pair per row. It is the input format of
// `brink knee` and `brink usl`.
//
// It keeps the rows in file order (it does not sort, merge duplicates or
// drop outliers) and remembers each row's line so that a later check can
// point at the line to fix. Empty lines and lines starting with '#' are
// skipped. Every error names the file, the line and (where there is one)
// the column, and says what to change.
package xycsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Data is the content of one file.
type Data struct {
	File         string    // the name errors use
	XName, YName string    // the header's two column names
	X, Y         []float64 // the rows, in file order
	Lines        []int     // Lines[i] is the line of row i (1-based)
}

// Error is a problem at a place in a file. Column is 0 when the problem is
// with a whole row.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ReadFile reads the file at path.
func ReadFile(path string) (Data, error) {
	f, err := os.Open(path)
	if err != nil {
		return Data{File: path}, err // *PathError already names the file
	}
	defer f.Close()
	return Read(f, path)
}

// Read reads a file's content from r; name is used in errors.
func Read(r io.Reader, name string) (Data, error) {
	d := Data{File: name}
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // checked here, with a better message
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	errAt := func(line, col int, format string, a ...any) error {
		return &Error{File: name, Line: line, Column: col, Msg: fmt.Sprintf(format, a...)}
	}
	header := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if pe.StartLine != pe.Line { // a quoted field ran over lines: point at its start
					return d, errAt(pe.StartLine, 0, "%v (a quoted field opens here and is still open on line %d); check the quoting", pe.Err, pe.Line)
				}
				return d, errAt(pe.Line, pe.Column, "%v; check the quoting on this line", pe.Err)
			}
			return d, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 2 {
			what := "x,y"
			if !header {
				what = "a number for each of " + d.XName + " and " + d.YName
			}
			return d, errAt(line, 0, "expected 2 columns (%s), found %d", what, len(rec))
		}
		if header {
			header = false
			a := strings.TrimSpace(string(bytes.TrimPrefix([]byte(rec[0]), []byte("\ufeff"))))
			b := strings.TrimSpace(rec[1])
			if isNumber(a) && isNumber(b) {
				return d, errAt(line, 0, "the first row must be a header naming the two columns, found numbers %q,%q; add a line such as \"users,throughput\" above it", a, b)
			}
			d.XName, d.YName = a, b
			continue
		}
		var xy [2]float64
		for i, field := range rec {
			s := strings.TrimSpace(field)
			col := d.XName
			if i == 1 {
				col = d.YName
			}
			_, c := cr.FieldPos(i)
			if s == "" {
				return d, errAt(line, c, "empty value in column %d (%s); give a number", i+1, col)
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return d, errAt(line, c, "%q in column %d (%s) is not a number; write it like 12 or 0.35", s, i+1, col)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return d, errAt(line, c, "%q in column %d (%s) is not a finite number; remove the row or give a value", s, i+1, col)
			}
			xy[i] = v
		}
		d.X = append(d.X, xy[0])
		d.Y = append(d.Y, xy[1])
		d.Lines = append(d.Lines, line)
	}
	if header {
		return d, errAt(0, 0, "no header row and no data; the file should start with a header such as \"users,throughput\" followed by x,y rows")
	}
	if len(d.X) == 0 {
		return d, errAt(0, 0, "no data rows after the header; add x,y rows such as \"10,42.5\"")
	}
	return d, nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// At returns an *Error about row i (an index into X and Y), for checks
// made after reading, so that they too point at the line to fix.
func (d Data) At(i int, format string, a ...any) error {
	line := 0
	if i >= 0 && i < len(d.Lines) {
		line = d.Lines[i]
	}
	return &Error{File: d.File, Line: line, Msg: fmt.Sprintf(format, a...)}
}

// CheckIncreasing reports the first row whose x is not greater than the
// row before it.
func (d Data) CheckIncreasing() error {
	for i := 1; i < len(d.X); i++ {
		if !(d.X[i] > d.X[i-1]) {
			return d.At(i, "%s = %s is not greater than %s = %s on line %d; sort the rows by %s and keep one row per value",
				d.XName, fmtNum(d.X[i]), d.XName, fmtNum(d.X[i-1]), d.Lines[i-1], d.XName)
		}
	}
	return nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
