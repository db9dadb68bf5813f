package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"brink"
)

// Formats brink report can write.
var Formats = []string{"pdf", "png", "md"}

// Options configure a report. Zero values take the defaults.
type Options struct {
	OutDir  string    // default <run>/report
	Formats []string  // default Formats
	Now     time.Time // the report's creation time; default now (tests fix it)
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
		o.Formats = Formats
	}
	for _, f := range o.Formats {
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("report format %q: want one of %s", f, strings.Join(Formats, ", "))
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("create report directory: %w", err)
	}
	res := &Result{}
	want := func(f string) bool { return slices.Contains(o.Formats, f) }
	if want("png") {
		for _, ch := range charts {
			path := filepath.Join(o.OutDir, ch.name+".png")
			if err := writePNG(path, s, ch); err != nil {
				return res, err
			}
			res.Files = append(res.Files, path)
		}
	}
	if want("pdf") {
		path := filepath.Join(o.OutDir, "report.pdf")
		if err := writePDF(path, s, o.Now); err != nil {
			return res, err
		}
		res.Files = append(res.Files, path)
	}
	if want("md") {
		path := filepath.Join(o.OutDir, "summary.md")
		var b bytes.Buffer
		Markdown(&b, s, o.Now)
		if err := brink.WriteFileAtomic(path, b.Bytes()); err != nil {
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

func writePNG(path string, s *brink.Summary, ch chart) error {
	img := vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(150))
	dc := draw.New(img)
	body := footer(dc, s)
	ch.draw(body, s)
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return fmt.Errorf("draw %s: %w", path, err)
	}
	return brink.WriteFileAtomic(path, b.Bytes())
}
