package report

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgpdf"

	"brink"
)

// A4 landscape keeps the charts at the PNGs' proportions.
const (
	pageW  = 297 * vg.Millimeter
	pageH  = 210 * vg.Millimeter
	margin = 15 * vg.Millimeter
)

func textStyle(size vg.Length, bold bool) draw.TextStyle { return sans(size, bold) }

// footer writes the run id and brink version at the bottom of a canvas and
// returns the area above it.
func footer(c draw.Canvas, s *brink.Summary) draw.Canvas {
	sty := textStyle(8, false)
	sty.Color = color.Gray{Y: 0x66}
	c.FillText(sty, vg.Point{X: c.Min.X + 6, Y: c.Min.Y + 4}, fmt.Sprintf("brink %s - run %s", brink.Version, s.RunID))
	return draw.Crop(c, 0, 0, 16, 0)
}

// writer lays out lines of text top to bottom, starting a new page when
// one is full.
type writer struct {
	pdf  *vgpdf.Canvas
	s    *brink.Summary
	c    draw.Canvas
	y    vg.Length
	page int
}

func newWriter(pdf *vgpdf.Canvas, s *brink.Summary) *writer {
	w := &writer{pdf: pdf, s: s}
	w.start()
	return w
}

func (w *writer) start() {
	w.c = footer(draw.New(cp1252Canvas{w.pdf}), w.s)
	w.y = w.c.Max.Y - margin/2
}

func (w *writer) newPage() {
	w.pdf.NextPage()
	w.start()
}

func (w *writer) line(sty draw.TextStyle, s string) {
	h := sty.Font.Size * 1.45
	if w.y-h < w.c.Min.Y+margin/2 {
		w.newPage()
	}
	w.y -= h
	w.c.FillText(sty, vg.Point{X: w.c.Min.X + margin, Y: w.y}, s)
}

// wrapped writes s wrapped to the page width, measuring the text.
func (w *writer) wrapped(sty draw.TextStyle, s string, indent string) {
	width := pageW - 2*margin
	var cur string
	for _, word := range strings.Fields(s) {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if cur != "" && sty.Width(next) > width {
			w.line(sty, cur)
			cur = indent + word
			continue
		}
		cur = next
	}
	if cur != "" {
		w.line(sty, cur)
	}
}

// cp1252Canvas passes text to the PDF in cp1252, the encoding of its
// fonts, so charts and pages are drawn from the same UTF-8 strings as the
// PNG and SVG files.
type cp1252Canvas struct{ *vgpdf.Canvas }

func (c cp1252Canvas) FillString(f font.Face, pt vg.Point, s string) {
	c.Canvas.FillString(f, pt, pdfText(s))
}

func drawPDF(in *input, now time.Time) ([]byte, error) {
	s := in.s
	pdf := vgpdf.New(pageW, pageH)
	// Fonts are named, not embedded: Liberation Sans and Mono are metric-
	// compatible with Arial and Courier New, which every viewer has, and the
	// PDF carries their widths; with the fonts embedded (fpdf via vgpdf),
	// poppler drew the text with broken letter spacing ("Lam bda").
	pdf.EmbedFonts(false)

	// Page 1: run facts and findings.
	w := newWriter(pdf, s)
	w.line(textStyle(18, true), "brink capacity report: run "+s.RunID)
	w.y -= 4
	w.wrapped(textStyle(10, false), runFacts(s, now), "    ")
	w.wrapped(textStyle(10, false), planFacts(s), "    ")
	if len(s.Approximate) > 0 {
		w.y -= 4
		w.line(textStyle(12, true), "Approximate answers (imported run, no per-request rows)")
		for _, a := range s.Approximate {
			w.wrapped(textStyle(10, false), "- "+a, "  ")
		}
	}
	w.y -= 6
	w.line(textStyle(13, true), "Findings")
	for _, f := range findings(in) {
		w.wrapped(textStyle(10.5, false), "- "+f, "  ")
	}
	w.y -= 6
	w.line(textStyle(13, true), "Headline numbers")
	headlineTable(w, headlineRows(in))
	if len(s.Warnings) > 0 {
		w.y -= 4
		w.line(textStyle(11, true), "Notes")
		for _, warn := range s.Warnings {
			w.wrapped(textStyle(9, false), "- "+warn, "  ")
		}
	}

	// Then one page per chart, then the level table.
	for _, ch := range charts {
		pdf.NextPage()
		drawChart(draw.Crop(draw.New(cp1252Canvas{pdf}), margin/2, -margin/2, margin/3, -margin/3), in, ch)
	}
	w.newPage()
	w.line(textStyle(14, true), "Level table (hold windows, "+s.Step+" step)")
	// The table fills the page's width: the monospaced size is chosen so
	// the longest row spans it (7.5 to 11 pt).
	table := LevelTableText(s)
	mono := text.Style{Color: color.Black, Font: font.From(font.Font{Typeface: "Liberation", Variant: "Mono"}, 7.5), Handler: plot.DefaultTextHandler}
	widest := vg.Length(0)
	for _, row := range table {
		widest = max(widest, mono.Width(row))
	}
	if widest > 0 {
		size := min(11, max(7.5, 7.5*float64((pageW-2*margin)/widest)))
		mono.Font = font.From(font.Font{Typeface: "Liberation", Variant: "Mono"}, font.Length(size))
	}
	for _, row := range table {
		w.line(mono, row)
	}
	if n := SuspectNote(s); n != "" {
		w.wrapped(textStyle(9, false), n, "")
	}
	w.y -= 6
	w.wrapped(textStyle(9, false), fmt.Sprintf("Latency of answered %q requests in scenario ms, exact percentiles; rates of all %q requests unless the column says all steps; user p95 is the 95th percentile across the level's users of each user's median latency.", s.Step, s.Step), "")

	var b bytes.Buffer
	if _, err := pdf.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("draw the PDF: %w", err)
	}
	return b.Bytes(), nil
}

// headlineTable draws label and value pairs in two columns, so the facts
// page holds them all, each column as wide as its widest text; when two do
// not fit the page's width, in one.
func headlineTable(w *writer, rows [][2]string) {
	label, value := textStyle(10, false), textStyle(10, true)
	const gap, colGap = 12, 28
	widths := func(rows [][2]string) (vg.Length, vg.Length) {
		var lw, vw vg.Length
		for _, r := range rows {
			lw, vw = max(lw, label.Width(r[0])), max(vw, value.Width(r[1]))
		}
		return lw, vw
	}
	half := (len(rows) + 1) / 2
	l0, v0 := widths(rows[:half])
	l1, v1 := widths(rows[half:])
	cols := [][][2]string{rows[:half], rows[half:]}
	labelW := []vg.Length{l0, l1}
	if l0+gap+v0+colGap+l1+gap+v1 > pageW-2*margin-4 {
		lw, _ := widths(rows)
		cols, labelW = [][][2]string{rows}, []vg.Length{lw}
	}
	for i := range cols[0] {
		w.line(label, "")
		x := w.c.Min.X + margin + 4
		for col, rs := range cols {
			if col > 0 {
				x += labelW[col-1] + gap + v0 + colGap
			}
			if i >= len(rs) {
				continue
			}
			w.c.FillText(label, vg.Point{X: x, Y: w.y}, rs[i][0])
			w.c.FillText(value, vg.Point{X: x + labelW[col] + gap, Y: w.y}, rs[i][1])
		}
	}
}

func runFacts(s *brink.Summary, now time.Time) string {
	ended := "-"
	if s.EndedAt != nil {
		ended = s.EndedAt.Format("2006-01-02 15:04:05Z")
	}
	return fmt.Sprintf("Run %s   status %s   target %s   scenario %s to %s   time scale %g   report %s",
		s.RunID, s.Status, s.Target, s.StartedAt.Format("2006-01-02 15:04:05Z"), ended, s.TimeScale, now.Format("2006-01-02 15:04Z"))
}

func planFacts(s *brink.Summary) string {
	p := s.Plan
	rules := make([]string, len(s.StopRules))
	for i, r := range s.StopRules {
		rules[i] = r.String()
	}
	return fmt.Sprintf("Plan: %d users +%d per level up to %d, ramp %v, hold %v.   Stop rules: %s.   Requests recorded: %d.",
		p.StartUsers, p.StepUsers, p.MaxUsers, p.Ramp.Std(), p.Hold.Std(), strings.Join(rules, "; "), s.TotalRequests)
}

// pdfText maps s into cp1252, the PDF fonts' encoding: common typography
// outside it becomes ASCII, anything else a '?'.
func pdfText(s string) string {
	s = strings.NewReplacer("→", "->", "≤", "<=", "≥", ">=", "≈", "~", "−", "-", "µ", "u").Replace(s)
	var b strings.Builder
	enc := charmap.Windows1252
	for _, r := range s {
		if c, ok := enc.EncodeRune(r); ok {
			b.WriteByte(c)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}
