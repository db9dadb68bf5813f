package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"brink"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours: a colour-blind-safe palette (Okabe-Ito), one meaning each.
var (
	colP50     = color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff} // blue
	colP95     = color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff} // vermillion
	colP99     = color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff} // purple
	colErr     = color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}
	colThr     = color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff} // orange
	colTimeout = color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff} // sky blue
	colGreen   = color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}
	colYellow  = color.RGBA{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff}
	colLimit   = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	colKnee    = color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}
	colEdge    = color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}
	colBandA   = color.RGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}
	colBandB   = color.RGBA{R: 0xf8, G: 0xf8, B: 0xf8, A: 0xff}
	colRamp    = color.RGBA{R: 0xfd, G: 0xf1, B: 0xdc, A: 0xff}
	colGrey    = color.Gray{Y: 0x66}
)

// boldSans is Liberation Sans Bold under a name of its own with a normal
// weight: vgpdf registers every face with the regular style but selects
// bold faces with style "B", so a face of bold weight fails in the PDF.
var boldSans = font.Font{Typeface: "Liberation", Variant: "SansBoldFace"}

func init() {
	for _, f := range liberation.Collection() {
		if f.Font.Typeface == "Liberation" && f.Font.Variant == "Sans" && f.Font.Weight == xfont.WeightBold && f.Font.Style == xfont.StyleNormal {
			font.DefaultCache.Add(font.Collection{{Font: boldSans, Face: f.Face}})
		}
	}
}

func sans(size vg.Length, bold bool) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold && font.DefaultCache.Has(boldSans) {
		f = boldSans
	}
	return text.Style{Color: color.Black, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

// panel is a plot with its own legend, drawn under the plot in rows so it
// never covers the data.
type panel struct {
	*plot.Plot
	items []legendItem
}

type legendItem struct {
	name   string
	thumbs []plot.Thumbnailer
}

func newPanel(title, x, y string) *panel {
	p := plot.New()
	p.Title.Text = title
	// Keep gonum's alignments and rotations; change only the fonts.
	p.Title.TextStyle.Font = sans(12, true).Font
	p.Title.Padding = vg.Points(4)
	p.X.Label.Text, p.Y.Label.Text = x, y
	p.X.Label.TextStyle.Font, p.Y.Label.TextStyle.Font = sans(11, false).Font, sans(11, false).Font
	p.X.Tick.Label.Font, p.Y.Tick.Label.Font = sans(10, false).Font, sans(10, false).Font
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = color.Gray{Y: 0xdd}, color.Gray{Y: 0xdd}
	p.Add(g)
	return &panel{Plot: p}
}

func (pn *panel) legend(name string, th ...plot.Thumbnailer) {
	pn.items = append(pn.items, legendItem{name, th})
}

// line adds a series drawn as a line with points.
func (pn *panel) line(name string, col color.Color, pts plotter.XYs) {
	pn.styled(name, col, pts, nil, draw.CircleGlyph{})
}

// wide adds a series drawn as a wide line with points.
func (pn *panel) wide(name string, col color.Color, pts plotter.XYs, width vg.Length) {
	pn.series(name, col, pts, nil, draw.CircleGlyph{}, width)
}

// styled adds a series with the given dashes and glyph (nil: no points).
func (pn *panel) styled(name string, col color.Color, pts plotter.XYs, dashes []vg.Length, glyph draw.GlyphDrawer) {
	pn.series(name, col, pts, dashes, glyph, vg.Points(2))
}

func (pn *panel) series(name string, col color.Color, pts plotter.XYs, dashes []vg.Length, glyph draw.GlyphDrawer, width vg.Length) {
	if len(pts) == 0 {
		return
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return
	}
	l.Color, l.Width, l.Dashes = col, width, dashes
	pn.Add(l)
	th := []plot.Thumbnailer{l}
	if glyph != nil {
		s, err := plotter.NewScatter(pts)
		if err == nil {
			s.Color, s.Shape, s.Radius = col, glyph, vg.Points(3)
			pn.Add(s)
			th = append(th, s)
		}
	}
	if name != "" {
		pn.legend(name, th...)
	}
}

// rule is a dashed line across the whole plot at X (vertical) or Y
// (horizontal), whatever the axis ranges turn out to be.
type rule struct {
	vertical bool
	at       float64
	style    draw.LineStyle
}

func (r *rule) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if r.vertical {
		x := trX(r.at)
		c.StrokeLine2(r.style, x, c.Min.Y, x, c.Max.Y)
		return
	}
	y := trY(r.at)
	c.StrokeLine2(r.style, c.Min.X, y, c.Max.X, y)
}

// DataRange includes the rule's position on its own axis only.
func (r *rule) DataRange() (xmin, xmax, ymin, ymax float64) {
	if r.vertical {
		return r.at, r.at, math.Inf(1), math.Inf(-1)
	}
	return math.Inf(1), math.Inf(-1), r.at, r.at
}

func (r *rule) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(r.style, c.Min.X, y, c.Max.X, y)
}

func (pn *panel) hline(name string, y float64, col color.Color) {
	r := &rule{at: y, style: draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}}
	pn.Add(r)
	if name != "" {
		pn.legend(name, r)
	}
}

func (pn *panel) vline(name string, x float64, col color.Color, dashes ...vg.Length) {
	if dashes == nil {
		dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	}
	r := &rule{vertical: true, at: x, style: draw.LineStyle{Color: col, Width: vg.Points(1.5), Dashes: dashes}}
	pn.Add(r)
	if name != "" {
		pn.legend(name, r)
	}
}

// legendLayout places the legend's items in rows across width w.
func (pn *panel) legendLayout(w vg.Length) (rows [][]legendItem, height vg.Length) {
	sty := sans(10, false)
	var row []legendItem
	var x vg.Length
	for _, it := range pn.items {
		iw := legendThumbW + 4 + sty.Width(it.name) + 14
		if len(row) > 0 && x+iw > w {
			rows = append(rows, row)
			row, x = nil, 0
		}
		row = append(row, it)
		x += iw
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows, vg.Length(len(rows)) * legendRowH
}

const (
	legendThumbW = vg.Length(22)
	legendRowH   = vg.Length(15)
)

// drawLegend draws the legend's rows from the top of c, left aligned with
// the plot's data area at x0.
func (pn *panel) drawLegend(c draw.Canvas, x0 vg.Length) {
	sty := sans(10, false)
	rows, _ := pn.legendLayout(c.Max.X - x0 - 10)
	y := c.Max.Y - 4
	for _, row := range rows {
		x := x0
		for _, it := range row {
			th := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - legendRowH + 3}, Max: vg.Point{X: x + legendThumbW, Y: y - 3}}}
			for _, t := range it.thumbs {
				t.Thumbnail(&th)
			}
			sty.YAlign = draw.YCenter
			c.FillText(sty, vg.Point{X: x + legendThumbW + 4, Y: y - legendRowH/2}, it.name)
			x += legendThumbW + 4 + sty.Width(it.name) + 14
		}
		y -= legendRowH
	}
}

// drawPanels lays out panels in a grid (nil cells stay empty), aligns
// their data areas and draws each with its legend under it. Each row
// reserves the height of its tallest legend.
func drawPanels(c draw.Canvas, grid [][]*panel, padY vg.Length) {
	rows, cols := len(grid), len(grid[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(16), PadY: padY, PadTop: vg.Points(2), PadBottom: vg.Points(2), PadLeft: vg.Points(4), PadRight: vg.Points(12)}
	plots := make([][]*plot.Plot, rows)
	for i, row := range grid {
		plots[i] = make([]*plot.Plot, cols)
		for j, pn := range row {
			if pn != nil {
				plots[i][j] = pn.Plot
			}
		}
	}
	// Align first, then take each row's legend room from the bottom of
	// its cells: cropping the bottom keeps the columns' x alignment, and
	// the legend is laid out in the width it is drawn in.
	cs := plot.Align(plots, tiles, c)
	legH := make([]vg.Length, rows)
	x0 := make([][]vg.Length, rows)
	for i, row := range grid {
		x0[i] = make([]vg.Length, cols)
		for j, pn := range row {
			if pn == nil {
				continue
			}
			x0[i][j] = pn.DataCanvas(cs[i][j]).Min.X
			if _, h := pn.legendLayout(cs[i][j].Max.X - x0[i][j] - 10); h > 0 {
				legH[i] = max(legH[i], h+4)
			}
		}
	}
	for i, row := range grid {
		for j, pn := range row {
			if pn == nil {
				continue
			}
			cell := cs[i][j]
			pn.Draw(draw.Crop(cell, 0, 0, legH[i], 0))
			if legH[i] > 0 {
				leg := cell
				leg.Max.Y = cell.Min.Y + legH[i]
				pn.drawLegend(leg, x0[i][j])
			}
		}
	}
}

// heading writes a chart's title at the top of c and returns the rest.
func heading(c draw.Canvas, title, sub string) draw.Canvas {
	sty := sans(15, true)
	sty.YAlign = draw.YTop
	c.FillText(sty, vg.Point{X: c.Min.X + 8, Y: c.Max.Y - 6}, title)
	used := vg.Length(6) + sty.Height(title)
	if sub != "" {
		s := sans(10, false)
		s.Color = colGrey
		s.YAlign = draw.YTop
		c.FillText(s, vg.Point{X: c.Min.X + 8, Y: c.Max.Y - used - 3}, sub)
		used += 3 + s.Height(sub)
	}
	return draw.Crop(c, 0, 0, 0, -(used + 6))
}

// message writes a short notice in the middle of c: a chart with nothing
// to draw says why instead.
func message(c draw.Canvas, lines ...string) {
	sty := sans(13, false)
	sty.Color = colGrey
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	mid := c.Center()
	for i, l := range lines {
		c.FillText(sty, vg.Point{X: mid.X, Y: mid.Y - vg.Length(i)*20}, l)
	}
}

// usersTicks marks the tested users on the x axis (at most about a dozen
// labels), with unlabelled minor ticks between.
type usersTicks struct{ users []int }

func (t usersTicks) Ticks(min, max float64) []plot.Tick {
	var in []int
	for _, u := range t.users {
		if float64(u) >= min && float64(u) <= max {
			in = append(in, u)
		}
	}
	if len(in) == 0 {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	every := (len(in) + 11) / 12
	var out []plot.Tick
	for i, u := range in {
		lbl := ""
		if i%every == 0 || i == len(in)-1 && every == 1 {
			lbl = strconv.Itoa(u)
		}
		out = append(out, plot.Tick{Value: float64(u), Label: lbl})
	}
	if min <= 0 && in[0] > 0 {
		out = append([]plot.Tick{{Value: 0, Label: "0"}}, out...)
	}
	return out
}

// fmtTicks keeps the default tick positions but formats their labels.
type fmtTicks struct {
	format func(float64) string
	base   plot.Ticker
}

func (t fmtTicks) Ticks(min, max float64) []plot.Tick {
	base := t.base
	if base == nil {
		base = plot.DefaultTicks{}
	}
	ts := base.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = t.format(ts[i].Value)
		}
	}
	return ts
}

// trimFloat formats v with up to prec decimals and no trailing zeros.
func trimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if prec > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// countLabel formats large counts with k and M.
func countLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return trimFloat(v/1e6, 2) + "M"
	case a >= 1e4:
		return trimFloat(v/1e3, 1) + "k"
	default:
		return trimFloat(v, 2)
	}
}

func usd(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return fmt.Sprintf("$%.2fM", v/1e6)
	case a >= 1000:
		return fmt.Sprintf("$%.0f", v)
	case a >= 1:
		return fmt.Sprintf("$%.2f", v)
	default:
		return fmt.Sprintf("$%.4f", v)
	}
}

// stepTicks labels round steps (1, 2, 5, 10, 15, 30, 60, ...) so that at
// most about a dozen labels fit, with unlabelled minor ticks between.
type stepTicks struct{}

func (stepTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if span <= 0 {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1440} {
		step = s
		if span/s <= 12 {
			break
		}
	}
	var out []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		out = append(out, plot.Tick{Value: v, Label: trimFloat(v, 0)})
		if half := v + step/2; step >= 2 && half < max {
			out = append(out, plot.Tick{Value: half})
		}
	}
	return out
}

// band shades an x range over the panel's whole height: the suspect
// levels, whose numbers the instrument distorted.
type band struct {
	from, to float64
	col      color.Color
}

func (b *band) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	x0, x1 := max(tx(b.from), c.Min.X), min(tx(b.to), c.Max.X)
	if x1 > x0 {
		c.FillPolygon(b.col, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

func (b *band) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(b.col, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

// shadeSuspect shades each suspect level of s, half a level's step wide on
// either side, with one legend entry.
func shadeSuspect(pn *panel, s *brink.Summary) {
	step := float64(max(s.Plan.StepUsers, 1))
	var first *band
	for _, l := range s.Levels {
		if l.Verdict != brink.VerdictSuspect {
			continue
		}
		b := &band{from: float64(l.Users) - step/2, to: float64(l.Users) + step/2, col: color.RGBA{R: 0xf0, G: 0xb0, B: 0x40, A: 0x50}}
		pn.Add(b)
		if first == nil {
			first = b
		}
	}
	if first != nil {
		pn.legend("suspect level: the instrument distorted it", first)
	}
}
