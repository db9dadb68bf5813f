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

func textStyle(size vg.Length, bold bool) draw.TextStyle {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = 700
	}
	return text.Style{Color: color.Black, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

// footer writes the run id and brink version at the bottom of a canvas and
// returns the area above it.
func footer(c draw.Canvas, s *brink.Summary) draw.Canvas {
	sty := textStyle(8, false)
	sty.Color = color.Gray{Y: 0x66}
	c.FillText(sty, vg.Point{X: c.Min.X + 6, Y: c.Min.Y + 4}, pdfText(fmt.Sprintf("brink %s - run %s", brink.Version, s.RunID)))
	return draw.Crop(c, 0, 0, 16, 0)
}

// writer lays out lines of text top to bottom on a page.
type writer struct {
	c draw.Canvas
	y vg.Length
}

func (w *writer) line(sty draw.TextStyle, s string) {
	w.y -= sty.Font.Size * 1.45
	w.c.FillText(sty, vg.Point{X: w.c.Min.X + margin, Y: w.y}, pdfText(s))
}

// wrapped writes s wrapped to the page width (by a character estimate).
func (w *writer) wrapped(sty draw.TextStyle, s string, indent string) {
	width := int(float64(pageW-2*margin) / float64(sty.Font.Size) * 1.9)
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			w.line(sty, cur.String())
			cur.Reset()
			cur.WriteString(indent)
		}
		if cur.Len() > 0 && strings.TrimSpace(cur.String()) != "" {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		w.line(sty, cur.String())
	}
}

func writePDF(path string, s *brink.Summary, now time.Time) error {
	pdf := vgpdf.New(pageW, pageH)
	pdf.EmbedFonts(true)

	// Page 1: run facts, findings and the headline chart.
	dc := draw.New(pdf)
	body := footer(dc, s)
	w := &writer{c: body, y: body.Max.Y - margin/2}
	w.line(textStyle(18, true), "brink capacity report")
	w.line(textStyle(10, false), runFacts(s, now))
	w.line(textStyle(10, false), planFacts(s))
	w.y -= 4
	w.line(textStyle(12, true), "Findings")
	for _, f := range s.Findings {
		w.wrapped(textStyle(10, false), "- "+f, "  ")
	}
	for _, warn := range s.Warnings {
		w.wrapped(textStyle(9, false), "Note: "+warn, "  ")
	}
	chartArea := body
	chartArea.Max.Y = w.y - 8
	chartArea.Min.X += margin / 2
	chartArea.Max.X -= margin / 2
	if chartArea.Max.Y-chartArea.Min.Y > 60 {
		drawLatency(chartArea, s)
	}

	// Then one page per chart, then the level table.
	for _, ch := range charts {
		pdf.NextPage()
		dc := draw.New(pdf)
		body := footer(dc, s)
		ch.draw(draw.Crop(body, margin/2, -margin/2, margin/2, -margin/2), s)
	}
	pdf.NextPage()
	dc = draw.New(pdf)
	body = footer(dc, s)
	w = &writer{c: body, y: body.Max.Y - margin/2}
	w.line(textStyle(14, true), "Level table (hold windows, "+s.Step+" step)")
	mono := text.Style{Color: color.Black, Font: font.From(font.Font{Typeface: "Liberation", Variant: "Mono"}, 8), Handler: plot.DefaultTextHandler}
	for _, row := range LevelTableText(s) {
		if w.y < body.Min.Y+margin {
			pdf.NextPage()
			dc = draw.New(pdf)
			body = footer(dc, s)
			w = &writer{c: body, y: body.Max.Y - margin/2}
		}
		w.line(mono, row)
	}

	var b bytes.Buffer
	if _, err := pdf.WriteTo(&b); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return brink.WriteFileAtomic(path, b.Bytes())
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
