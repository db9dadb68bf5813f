package report

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"io"
	"slices"
	"strings"
	"time"

	"brink/rundir"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"brink"
)

// CompareFormats are the formats brink report --compare can write.
var CompareFormats = []string{"pdf", "png", "svg", "md"}

// CompareOptions configure a comparison. Zero values take the defaults.
type CompareOptions struct {
	OutDir  string    // where compare.* go; required by Compare, default run B's report folder in CompareRuns
	Formats []string  // default pdf, png, md
	Now     time.Time // the comparison's creation time; default now
	// Stats are the per-level differences with their significance tests
	// (analyze.Compare, which reads the raw values). They make the verdict
	// and the common-levels table; without them neither judges anything.
	Stats *brink.Comparison
}

// Change is one headline row of a comparison: a single figure of run A and
// of run B (the edge, a knee). Single figures have no spread to test, so
// they are shown but never judged.
type Change struct {
	What string
	A, B *float64
	Unit string // "users", "ms", "%", "$", "/s"
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func (c Change) fmt(v *float64) string {
	if v == nil {
		return "-"
	}
	switch c.Unit {
	case "users":
		return fmt.Sprintf("%.0f", *v)
	case "ms":
		return fmt.Sprintf("%.0f ms", *v)
	case "%":
		return fmt.Sprintf("%.2f%%", *v*100)
	case "$":
		return fmt.Sprintf("$%.6f", *v)
	default:
		return fmt.Sprintf("%.2f%s", *v, c.Unit)
	}
}

func (c Change) delta() string {
	if c.A == nil || c.B == nil {
		return "-"
	}
	d := *c.B - *c.A
	rel := ""
	if *c.A != 0 {
		rel = fmt.Sprintf(" (%+.0f%%)", 100*d/abs(*c.A))
	}
	switch c.Unit {
	case "users":
		return fmt.Sprintf("%+.0f%s", d, rel)
	case "ms":
		return fmt.Sprintf("%+.0f ms%s", d, rel)
	case "%":
		return fmt.Sprintf("%+.2f pp", d*100)
	case "$":
		return fmt.Sprintf("%+.6f%s", d, rel)
	default:
		return fmt.Sprintf("%+.2f%s%s", d, c.Unit, rel)
	}
}

func fptr(v float64) *float64 { return &v }

func intPtr(v *int) *float64 {
	if v == nil {
		return nil
	}
	return fptr(float64(*v))
}

// comparison is what brink report --compare tabulates.
type comparison struct {
	a, b     *brink.Summary
	headline []Change
	stats    *brink.Comparison
}

func compare(a, b *brink.Summary, stats *brink.Comparison) *comparison {
	cmp := &comparison{a: a, b: b, stats: stats}
	edge := func(s *brink.Summary) *float64 {
		if s.Edge == nil {
			return nil
		}
		return fptr(float64(s.Edge.Users))
	}
	knee := func(k *brink.KneePoint) *float64 {
		if k == nil {
			return nil
		}
		return fptr(float64(k.Users))
	}
	peak := func(s *brink.Summary) *float64 {
		if s.USL == nil {
			return nil
		}
		return s.USL.PeakN
	}
	ha, hb := headline(&input{s: a}, time.Time{}), headline(&input{s: b}, time.Time{})
	cmp.headline = []Change{
		{What: "Edge of failure (users)", A: edge(a), B: edge(b), Unit: "users"},
		{What: "p95 latency knee (users)", A: knee(a.LatencyKnee), B: knee(b.LatencyKnee), Unit: "users"},
		{What: "Throughput knee (users)", A: knee(a.ThroughputKnee), B: knee(b.ThroughputKnee), Unit: "users"},
		{What: "USL peak N* (users)", A: peak(a), B: peak(b), Unit: "users"},
		{What: "Peak answered conversations/s", A: ha.MaxAnsweredRPS, B: hb.MaxAnsweredRPS, Unit: "/s"},
		{What: "p95 first over the latency limit (users)", A: intPtr(ha.P95CrossedUsers), B: intPtr(hb.P95CrossedUsers), Unit: "users"},
		{What: "Cost per active user-minute (baseline level)", A: ha.USDPerUserMinute, B: hb.USDPerUserMinute, Unit: "$"},
	}
	return cmp
}

// notJudged says why the headline rows carry no verdict.
const notJudged = "Single figures per run (each run's own levels): shown, not tested for significance, and never part of the verdict."

// verdict is the significance tests' sentence.
func (c *comparison) verdict() string {
	if c.stats == nil {
		return "Not tested for significance (no per-level tests were given): no verdict."
	}
	return c.stats.Verdict
}

// levelRows are the common levels' differences as table cells: users,
// metric, run A, run B, change (~ when not significant), p.
func (c *comparison) levelRows() [][]string {
	if c.stats == nil {
		return nil
	}
	var out [][]string
	for _, d := range c.stats.Differences {
		out = append(out, []string{fmt.Sprint(d.Users), d.Metric, metricValue(d.Metric, d.A), metricValue(d.Metric, d.B), changeCell(d), pCell(d.PValue)})
	}
	return out
}

func metricValue(metric string, v *float64) string {
	if v == nil {
		return "-"
	}
	switch metric {
	case brink.MetricErrorRate:
		return fmt.Sprintf("%.2f%%", *v*100)
	case brink.MetricUSDPerUserMin:
		return fmt.Sprintf("$%.6f", *v)
	default:
		return fmt.Sprintf("%.0f ms", *v)
	}
}

// changeCell is benchstat's delta column: the change when significant, "~"
// when not, "?" when it could not be tested.
func changeCell(d brink.Difference) string {
	switch {
	case d.PValue == nil || d.A == nil || d.B == nil:
		return "?"
	case !d.Significant:
		return "~"
	case d.DeltaPct != nil:
		return fmt.Sprintf("%+.1f%%", *d.DeltaPct)
	case d.Metric == brink.MetricErrorRate:
		return fmt.Sprintf("%+.2f pp", (*d.B-*d.A)*100)
	default:
		return fmt.Sprintf("%+g", *d.B-*d.A)
	}
}

func pCell(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("p=%.3g", *p)
}

var levelHeader = []string{"users", "metric", "run A", "run B", "change", "p"}

// Compare writes compare.png (and .svg), compare.pdf and compare.md: the
// two runs' latency, throughput and error curves overlaid, and the change
// from run A to run B in the edge of failure, the knees, p95 at each common
// level and the cost per active user-minute.
func Compare(ctx context.Context, a, b *brink.Summary, o CompareOptions) (*Result, error) {
	if o.OutDir == "" {
		return nil, fmt.Errorf("compare: no output directory")
	}
	return compareTo(ctx, a, b, o, &output{dir: o.OutDir})
}

// CompareRuns compares the analysed runs in dirA and dirB; the files go to
// run B's report folder unless o.OutDir names another.
func CompareRuns(ctx context.Context, dirA, dirB string, o CompareOptions) (*Result, error) {
	var sums [2]*brink.Summary
	var runB *rundir.Run
	for i, d := range []string{dirA, dirB} {
		run, s, err := rundir.OpenAnalysed(ctx, d)
		if err != nil {
			return nil, err
		}
		sums[i], runB = s, run
	}
	return compareTo(ctx, sums[0], sums[1], o, &output{run: runB, dir: o.OutDir})
}

func compareTo(ctx context.Context, a, b *brink.Summary, o CompareOptions, out *output) (*Result, error) {
	if len(o.Formats) == 0 {
		o.Formats = []string{"pdf", "png", "md"}
	}
	for _, f := range o.Formats {
		if !slices.Contains(CompareFormats, f) {
			return nil, fmt.Errorf("%w %q for --compare: want one of %s", ErrFormat, f, strings.Join(CompareFormats, ", "))
		}
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	cmp := compare(a, b, o.Stats)
	for _, f := range o.Formats {
		var buf bytes.Buffer
		var err error
		switch f {
		case "png":
			img := vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(150))
			cmp.drawChart(draw.New(img))
			_, err = (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf)
		case "svg":
			c := vgsvg.New(chartW, chartH)
			cmp.drawChart(draw.New(c))
			_, err = c.WriteTo(&buf)
		case "pdf":
			err = cmp.writePDF(&buf, o.Now)
		case "md":
			cmp.markdown(&buf, o.Now)
		}
		if err != nil {
			return &out.Result, fmt.Errorf("compare %s: %w", f, err)
		}
		if err := out.write(ctx, rundir.CompareFile(f), buf.Bytes()); err != nil {
			return &out.Result, err
		}
	}
	return &out.Result, nil
}

var (
	colRunA = color.RGBA{R: 0x88, G: 0x88, B: 0x88, A: 0xff}
	colRunB = colP50
)

func (c *comparison) drawChart(dc draw.Canvas) {
	dc.FillPolygon(color.White, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
	sty := sans(8, false)
	sty.Color = colGrey
	dc.FillText(sty, vg.Point{X: dc.Min.X + 6, Y: dc.Min.Y + 4}, fmt.Sprintf("brink %s - A: run %s, B: run %s", brink.Version, c.a.RunID, c.b.RunID))
	body := heading(draw.Crop(dc, 0, 0, 16, 0), "Run A vs run B", "A: "+c.a.RunID+" (grey, dashed)   B: "+c.b.RunID+" (blue)   hold windows")
	lat := newPanel("p95 conversation latency", "concurrent users", "p95 (s)")
	thr := newPanel("Throughput", "concurrent users", "answered conversations/s")
	errs := newPanel("Error rate (all steps)", "concurrent users", "share of requests (%)")
	xmax := 0.0
	for i, s := range []*brink.Summary{c.a, c.b} {
		var p95, x, e plotter.XYs
		for _, l := range s.Levels {
			u := float64(l.Users)
			xmax = max(xmax, u)
			if l.P95MS != nil {
				p95 = append(p95, plotter.XY{X: u, Y: *l.P95MS / 1000})
			}
			x = append(x, plotter.XY{X: u, Y: l.AnsweredRPS})
			e = append(e, plotter.XY{X: u, Y: l.AllErrorRate * 100})
		}
		col, name, dash := colRunB, "B", []vg.Length(nil)
		if i == 0 {
			col, name, dash = colRunA, "A", []vg.Length{vg.Points(5), vg.Points(3)}
		}
		lat.styled(name, col, p95, dash, draw.CircleGlyph{})
		thr.styled(name, col, x, dash, draw.CircleGlyph{})
		errs.styled(name, col, e, dash, draw.CircleGlyph{})
		if s.Edge != nil {
			for _, pn := range []*panel{lat, thr, errs} {
				pn.vline(fmt.Sprintf("edge %s: %d users", name, s.Edge.Users), float64(s.Edge.Users), col, vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2))
			}
		}
	}
	limit := latencyRule(c.b) / 1000
	lat.hline(fmt.Sprintf("%s s limit", secs(limit)), limit, colLimit)
	erule := errorRule(c.b) * 100
	errs.hline(fmt.Sprintf("%s%% limit", trimFloat(erule, 2)), erule, colLimit)
	users := append(usersOf(c.a), usersOf(c.b)...)
	for _, pn := range []*panel{lat, thr, errs} {
		pn.X.Min, pn.X.Max = 0, xmax*1.04
		pn.X.Tick.Marker = usersTicks{users}
		pn.Y.Min = 0
		pn.Y.Max *= 1.08
	}
	errs.Y.Max = max(errs.Y.Max, erule*2)
	drawPanels(body, [][]*panel{{lat, thr, errs}}, 0)
}

func (c *comparison) writePDF(out io.Writer, now time.Time) error {
	pdf := vgpdf.New(pageW, pageH)
	// Fonts are named, not embedded: Liberation Sans and Mono are metric-
	// compatible with Arial and Courier New, which every viewer has, and the
	// PDF carries their widths; with the fonts embedded (fpdf via vgpdf),
	// poppler drew the text with broken letter spacing ("Lam bda").
	pdf.EmbedFonts(false)
	w := newWriter(pdf, c.b)
	w.line(textStyle(18, true), "brink: run A vs run B - did the change help?")
	w.y -= 4
	w.line(textStyle(10, false), fmt.Sprintf("A: run %s (%s, %d levels)   B: run %s (%s, %d levels)   compared %s",
		c.a.RunID, c.a.Status, len(c.a.Levels), c.b.RunID, c.b.Status, len(c.b.Levels), now.Format("2006-01-02 15:04Z")))
	w.y -= 4
	w.wrapped(textStyle(12, true), c.verdict(), "  ")
	w.y -= 4
	mono := textStyle(8.5, false)
	mono.Font.Variant = "Mono"
	for _, row := range c.tableText() {
		w.line(mono, row)
	}
	pdf.NextPage()
	c.drawChart(draw.Crop(draw.New(cp1252Canvas{pdf}), margin/2, -margin/2, margin/3, -margin/3))
	_, err := pdf.WriteTo(out)
	return err
}

// tableText is the comparison as fixed-width lines: the headline numbers,
// then one line per common level and metric.
func (c *comparison) tableText() []string {
	head := [][]string{{"", "run A", "run B", "change"}}
	for _, ch := range c.headline {
		head = append(head, []string{ch.What, ch.fmt(ch.A), ch.fmt(ch.B), ch.delta()})
	}
	out := append(columns(head), notJudged, "")
	if rows := c.levelRows(); len(rows) > 0 {
		out = append(out, columns(append([][]string{levelHeader}, rows...))...)
		out = append(out, c.testsNote())
	}
	return out
}

// testsNote says how the common levels were tested.
func (c *comparison) testsNote() string {
	note := fmt.Sprintf("~: no significant difference (p >= %g); ?: not tested. Latency percentiles: Mann-Whitney U test on the answered %q requests of the two holds; error rate (all steps): Fisher's exact test; $/user-minute: U test on each user's LLM spend per minute.", c.stats.Alpha, c.stats.Step)
	for _, n := range c.stats.Notes {
		note += " " + n + "."
	}
	return note
}

// columns lays rows out in fixed-width columns, the first left aligned.
func columns(rows [][]string) []string {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, s := range r {
			widths[i] = max(widths[i], len(s))
		}
	}
	var out []string
	for _, r := range rows {
		line := fmt.Sprintf("%-*s", widths[0], r[0])
		for i := 1; i < len(r); i++ {
			line += fmt.Sprintf("  %*s", widths[i], r[i])
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

func (c *comparison) markdown(w io.Writer, now time.Time) {
	fmt.Fprintf(w, "# brink: run A vs run B\n\nA: run %s (%s, %d levels, target %s)  \nB: run %s (%s, %d levels, target %s)  \nCompared %s.\n\n",
		c.a.RunID, c.a.Status, len(c.a.Levels), c.a.Target, c.b.RunID, c.b.Status, len(c.b.Levels), c.b.Target, now.Format("2006-01-02 15:04Z"))
	fmt.Fprintf(w, "**Did the change help?** %s\n\n![Run A vs run B](compare.png)\n\n", c.verdict())
	fmt.Fprintf(w, "## Headline numbers\n\n%s\n\n| | run A | run B | change |\n|---|---:|---:|---:|\n", notJudged)
	for _, ch := range c.headline {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", ch.What, ch.fmt(ch.A), ch.fmt(ch.B), ch.delta())
	}
	fmt.Fprintf(w, "\n## Common levels\n\n")
	rows := c.levelRows()
	switch {
	case c.stats == nil:
		fmt.Fprintf(w, "Not tested for significance.\n")
		return
	case len(rows) == 0:
		fmt.Fprintf(w, "The runs share no user level.\n")
		return
	}
	fmt.Fprintf(w, "Hold windows, at the user levels both runs held. %s\n\n", c.testsNote())
	fmt.Fprintf(w, "| %s |\n|---:|---|---:|---:|---:|---:|\n", strings.Join(levelHeader, " | "))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
}
