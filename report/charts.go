package report

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"brink"
)

var (
	colP50   = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	colP95   = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	colP99   = color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}
	colErr   = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	colThr   = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	colLimit = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	colEdge  = color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}
)

// chart draws itself into a canvas of any size.
type chart struct {
	name  string // file stem: latency → latency.png
	title string
	draw  func(c draw.Canvas, s *brink.Summary)
}

var charts = []chart{
	{name: "latency", title: "Conversation latency and errors vs users", draw: drawLatency},
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

func addSeries(p *plot.Plot, name string, col color.Color, pts plotter.XYs) {
	if len(pts) == 0 {
		return
	}
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return
	}
	l.Color, l.Width = col, vg.Points(1.8)
	s.Color, s.Shape = col, draw.CircleGlyph{}
	p.Add(l, s)
	p.Legend.Add(name, l, s)
}

func addHLine(p *plot.Plot, name string, y float64, col color.Color) {
	xmin, xmax := p.X.Min, p.X.Max
	l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: y}, {X: xmax, Y: y}})
	if err != nil {
		return
	}
	l.Color, l.Dashes, l.Width = col, []vg.Length{vg.Points(5), vg.Points(3)}, vg.Points(1.2)
	p.Add(l)
	p.Legend.Add(name, l)
	if p.Y.Max < y*1.15 {
		p.Y.Max = y * 1.15
	}
}

func addVLine(p *plot.Plot, name string, x float64, col color.Color) {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}})
	if err != nil {
		return
	}
	l.Color, l.Dashes, l.Width = col, []vg.Length{vg.Points(2), vg.Points(2)}, vg.Points(1.2)
	p.Add(l)
	p.Legend.Add(name, l)
}

func latencyRule(s *brink.Summary) float64 {
	for _, r := range s.StopRules {
		if r.Metric == brink.RuleLatency {
			return r.Threshold
		}
	}
	return 5000
}

func errorRule(s *brink.Summary) float64 {
	for _, r := range s.StopRules {
		if r.Metric == brink.RuleErrorRate {
			return r.Threshold
		}
	}
	return 0.01
}

// drawLatency: two stacked panels over users — p50/p95/p99 conversation
// latency with the latency limit, and error/throttle rates with the error
// limit — with the edge of failure marked on both.
func drawLatency(c draw.Canvas, s *brink.Summary) {
	var p50, p95, p99, errs, thr plotter.XYs
	for _, l := range s.Levels {
		x := float64(l.Users)
		if l.P50MS != nil {
			p50 = append(p50, plotter.XY{X: x, Y: *l.P50MS / 1000})
			p95 = append(p95, plotter.XY{X: x, Y: *l.P95MS / 1000})
			p99 = append(p99, plotter.XY{X: x, Y: *l.P99MS / 1000})
		}
		errs = append(errs, plotter.XY{X: x, Y: l.AllErrorRate * 100})
		thr = append(thr, plotter.XY{X: x, Y: l.AllThrottle * 100})
	}
	xmax := 1.0
	if len(s.Levels) > 0 {
		xmax = float64(s.Levels[len(s.Levels)-1].Users) * 1.05
	}
	top := newPlot(fmt.Sprintf("Conversation latency (%s step, hold windows)", s.Step), "", "latency (s)")
	top.X.Min, top.X.Max = 0, xmax
	addSeries(top, "p50", colP50, p50)
	addSeries(top, "p95", colP95, p95)
	addSeries(top, "p99", colP99, p99)
	top.Y.Min = 0
	limit := latencyRule(s) / 1000
	addHLine(top, fmt.Sprintf("%g s limit", limit), limit, colLimit)

	bot := newPlot("Errors (all steps)", "concurrent users", "rate (%)")
	bot.X.Min, bot.X.Max = 0, xmax
	addSeries(bot, "error rate", colErr, errs)
	addSeries(bot, "throttle rate", colThr, thr)
	bot.Y.Min = 0
	erule := errorRule(s) * 100
	addHLine(bot, fmt.Sprintf("%g%% limit", erule), erule, colLimit)

	if s.LatencyKnee != nil {
		addVLine(top, fmt.Sprintf("p95 knee: %d users", s.LatencyKnee.Users), float64(s.LatencyKnee.Users), colP99)
	}
	if s.Edge != nil {
		addVLine(top, fmt.Sprintf("edge: %d users", s.Edge.Users), float64(s.Edge.Users), colEdge)
		addVLine(bot, fmt.Sprintf("edge: %d users", s.Edge.Users), float64(s.Edge.Users), colEdge)
	}
	// Keep the x ranges of the panels aligned.
	lo, hi := min(top.X.Min, bot.X.Min), max(top.X.Max, bot.X.Max)
	top.X.Min, top.X.Max, bot.X.Min, bot.X.Max = lo, hi, lo, hi
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Points(8), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	cs := plot.Align([][]*plot.Plot{{top}, {bot}}, tiles, c)
	top.Draw(cs[0][0])
	bot.Draw(cs[1][0])
}
