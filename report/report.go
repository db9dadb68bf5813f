package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"path"
	"slices"
	"strings"
	"time"

	"brink/pricing"
	"brink/rundir"

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
	OutDir  string    // default: the run's report folder
	Formats []string  // default DefaultFormats
	Now     time.Time // the report's creation time; default now (tests fix it)
	// WhatIf is drawn in chart 8; nil reads the run's analysis/whatif.json
	// when there is one.
	WhatIf *pricing.WhatIf
}

// Result lists the files written.
type Result struct {
	Files []string
}

// WriteRun draws the report of the analysed run in runDir from its
// analysis/summary.json: brink report's one call.
func WriteRun(ctx context.Context, runDir string, o Options) (*Result, error) {
	run, s, err := rundir.OpenAnalysed(ctx, runDir)
	if err != nil {
		return nil, err
	}
	return Write(ctx, run, s, o)
}

// Write draws the report of run from its summary s.
func Write(ctx context.Context, run *rundir.Run, s *brink.Summary, o Options) (*Result, error) {
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
	in := &input{s: s, w: o.WhatIf}
	if in.w == nil {
		w, err := pricing.ReadWhatIf(ctx, run)
		if err != nil {
			return nil, err
		}
		in.w = w
	}
	out := &output{run: run, dir: o.OutDir}
	want := func(f string) bool { return slices.Contains(o.Formats, f) }
	for _, ext := range []string{"png", "svg"} {
		if !want(ext) {
			continue
		}
		for _, ch := range charts {
			b, err := drawImage(ext, in, ch)
			if err != nil {
				return &out.Result, err
			}
			if err := out.write(ctx, rundir.ChartFile(ch.name, ext), b); err != nil {
				return &out.Result, err
			}
		}
	}
	if want("pdf") {
		b, err := drawPDF(in, o.Now)
		if err != nil {
			return &out.Result, err
		}
		if err := out.write(ctx, rundir.ReportPDFFile, b); err != nil {
			return &out.Result, err
		}
	}
	if want("md") {
		var b bytes.Buffer
		markdown(&b, in, o.Now)
		if err := out.write(ctx, rundir.ReportMarkdownFile, b.Bytes()); err != nil {
			return &out.Result, err
		}
	}
	if want("json") {
		b, err := headlineJSON(in, o.Now)
		if err != nil {
			return &out.Result, err
		}
		if err := out.write(ctx, rundir.ReportSummaryFile, b); err != nil {
			return &out.Result, err
		}
	}
	return &out.Result, nil
}

// output puts report files in the run's report folder, or in dir (under
// their base names) when the user named one.
type output struct {
	Result
	run *rundir.Run
	dir string
}

func (o *output) write(ctx context.Context, name string, data []byte) error {
	var p string
	var err error
	if o.dir == "" {
		p, err = o.run.Location(name), o.run.WriteFile(ctx, name, data)
	} else {
		d := rundir.Dir(o.dir)
		p, err = d.Path(path.Base(name)), rundir.Put(ctx, d, path.Base(name), data)
	}
	if err == nil {
		o.Files = append(o.Files, p)
	}
	return err
}

// Chart size: a 16:10 slide-friendly PNG at 150 dpi.
const (
	chartW = 10 * vg.Inch
	chartH = 6.25 * vg.Inch
)

// drawImage draws one chart as a PNG or an SVG file.
func drawImage(ext string, in *input, ch chart) ([]byte, error) {
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
		return nil, fmt.Errorf("draw %s.%s: %w", ch.name, ext, err)
	}
	return b.Bytes(), nil
}

// drawChart draws a chart with its heading and the run's footer.
func drawChart(dc draw.Canvas, in *input, ch chart) {
	dc.FillPolygon(color.White, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
	body := footer(dc, in.s)
	body = heading(body, ch.title, ch.sub(in))
	ch.draw(body, in)
}
