package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"brink"
)

// Formats brink report can write: the PDF, a PNG per chart, an SVG per
// chart, summary.md and report/summary.json.
var Formats = []string{"pdf", "png", "svg", "md", "json"}

// DefaultFormats are written when Options.Formats is empty.
var DefaultFormats = []string{"pdf", "png", "md", "json"}

// ErrFormat is returned for a format brink report cannot write.
var ErrFormat = errors.New("unknown report format")

// Options configure a report. Zero values take the defaults.
type Options struct {
	OutDir  string    // default <run>/report
	Formats []string  // default Formats
	Now     time.Time // the report's creation time; default now (tests fix it)
	// WhatIf is drawn in chart 8; nil reads <run>/analysis/whatif.json
	// when there is one.
	WhatIf *WhatIf
}

// Result lists the files written.
type Result struct {
	Files []string
}

// Write draws the report of the run in runDir from its summary.
func Write(runDir string, s *brink.Summary, o Options) (*Result, error) {
	if o.OutDir == "" {
		o.OutDir = filepath.Join(runDir, brink.ReportDir)
	}
	if len(o.Formats) == 0 {
		o.Formats = DefaultFormats
	}
	for _, f := range o.Formats {
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("%w %q: want one of %s", ErrFormat, f, strings.Join(Formats, ", "))
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("create report directory: %w", err)
	}
	in := &input{s: s, w: o.WhatIf}
	if in.w == nil {
		w, err := ReadWhatIf(runDir)
		if err != nil {
			return nil, err
		}
		in.w = w
	}
	res := &Result{}
	want := func(f string) bool { return slices.Contains(o.Formats, f) }
	for _, ext := range []string{"png", "svg"} {
		if !want(ext) {
			continue
		}
		for _, ch := range charts {
			path := filepath.Join(o.OutDir, ch.name+"."+ext)
			if err := writeImage(path, ext, in, ch); err != nil {
				return res, err
			}
			res.Files = append(res.Files, path)
		}
	}
	if want("pdf") {
		path := filepath.Join(o.OutDir, "report.pdf")
		if err := writePDF(path, in, o.Now); err != nil {
			return res, err
		}
		res.Files = append(res.Files, path)
	}
	if want("md") {
		path := filepath.Join(o.OutDir, "summary.md")
		var b bytes.Buffer
		markdown(&b, in, o.Now)
		if err := brink.WriteFileAtomic(path, b.Bytes()); err != nil {
			return res, err
		}
		res.Files = append(res.Files, path)
	}
	if want("json") {
		path := filepath.Join(o.OutDir, brink.SummaryFile)
		b, err := headlineJSON(in, o.Now)
		if err != nil {
			return res, err
		}
		if err := brink.WriteFileAtomic(path, b); err != nil {
			return res, err
		}
		res.Files = append(res.Files, path)
	}
	return res, nil
}

// Chart size: a 16:10 slide-friendly PNG at 150 dpi.
const (
	chartW = 10 * vg.Inch
	chartH = 6.25 * vg.Inch
)

// writeImage draws one chart as a PNG or an SVG file.
func writeImage(path, ext string, in *input, ch chart) error {
	var b bytes.Buffer
	var err error
	switch ext {
	case "svg":
		c := vgsvg.New(chartW, chartH)
		drawChart(draw.New(c), in, ch)
		_, err = c.WriteTo(&b)
	default:
		img := vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(150))
		drawChart(draw.New(img), in, ch)
		_, err = (vgimg.PngCanvas{Canvas: img}).WriteTo(&b)
	}
	if err != nil {
		return fmt.Errorf("draw %s: %w", path, err)
	}
	return brink.WriteFileAtomic(path, b.Bytes())
}

// drawChart draws a chart with its heading and the run's footer.
func drawChart(dc draw.Canvas, in *input, ch chart) {
	dc.FillPolygon(color.White, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
	body := footer(dc, in.s)
	body = heading(body, ch.title, ch.sub(in))
	ch.draw(body, in)
}
