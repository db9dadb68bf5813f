package knee

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"brink/analyze/xycsv"
)

// FindFile finds the knee of the curve in a CSV file of x,y rows (a header
// row first, sorted by x); an error names the file and line of a bad point.
func FindFile(path string, opt Options) (Result, xycsv.Data, error) {
	d, err := xycsv.ReadFile(path)
	if err != nil {
		return Result{}, d, err
	}
	if err := d.CheckIncreasing(); err != nil {
		return Result{}, d, err
	}
	res, err := Find(d.X, d.Y, opt)
	var pe *PointError
	if errors.As(err, &pe) {
		return res, d, d.At(pe.Index, "%s", pe.Msg)
	}
	return res, d, err
}

// JSON is brink knee --json's answer: the knee's x and y, null when there
// is none.
type JSON struct {
	X *float64 `json:"knee_x"`
	Y *float64 `json:"knee_y"`
}

// ToJSON is res as JSON.
func (r Result) ToJSON() JSON {
	var out JSON
	if r.Found {
		out.X, out.Y = &r.X, &r.Y
	}
	return out
}

// WriteText writes res in words, at full precision, with the names and
// line numbers of d.
func (r Result) WriteText(w io.Writer, d xycsv.Data) error {
	if !r.Found {
		_, err := fmt.Fprintf(w, "no knee: %s\n", r.Reason)
		return err
	}
	fmt.Fprintf(w, "knee at %s = %s, %s = %s (line %d)\n", d.XName, full(r.X), d.YName, full(r.Y), d.Lines[r.Index])
	if len(r.All) > 1 {
		xs := make([]string, len(r.All))
		for i, j := range r.All {
			xs[i] = full(d.X[j])
		}
		_, err := fmt.Fprintf(w, "knees found in order: %s = %s (online mode reports the last)\n", d.XName, strings.Join(xs, ", "))
		return err
	}
	return nil
}

// full prints a float at full precision, the shortest form that reads back
// to the same value.
func full(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
