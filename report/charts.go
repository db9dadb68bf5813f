package report

import (
	"fmt"
	"image/color"
	"math"

	"brink/pricing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"brink"
)

// input is what the charts draw: the analysis summary and, when brink
// whatif has run, its projections.
type input struct {
	s *brink.Summary
	w *pricing.WhatIf
}

// chart draws itself into a canvas of any size.
type chart struct {
	name  string // file stem: latency → latency.png
	title string
	sub   func(in *input) string // the line under the title
	draw  func(c draw.Canvas, in *input)
}

var charts = []chart{
	{"latency", "1. Conversation latency vs users", subHold, drawLatency},
	{"throughput", "2. Throughput vs users", subHold, drawThroughput},
	{"errors", "3. Errors, throttles and timeouts vs users", func(in *input) string {
		return "Hold window of each level; share of the requests of all steps (timeouts: of the conversation step)"
	}, drawErrors},
	{"timeline", "4. Timeline", func(in *input) string {
		return "Scenario time since the run started; shaded: level holds (L0, L1, ...), light orange: ramps"
	}, drawTimeline},
	{"infrastructure", "5. Infrastructure per level", func(in *input) string {
		return "Platform metrics (CloudWatch) over each level's hold window"
	}, drawInfra},
	{"latency_distribution", "6. Latency distribution per level", subHold, drawDist},
	{"cost", "7. Cost per active user per minute, by component", func(in *input) string {
		if in.s.Cost == nil {
			return ""
		}
		return fmt.Sprintf("Hold windows: cost of the level ÷ (users × minutes); %s prices as of %s", in.s.Cost.PriceSheet, in.s.Cost.PricesAsOf)
	}, drawCost},
	{"whatif", "8. What-if: cost per day vs concurrent users", func(in *input) string {
		if in.w == nil {
			return ""
		}
		return fmt.Sprintf("brink whatif, projected from level %d (%d users, %.2f questions/user-min); $/day = users x $/user-min x 60 x the hours a day shown (24 h: the whole day at that concurrency); %s prices as of %s; both axes logarithmic",
			in.w.Baseline.Level, in.w.Baseline.Users, in.w.Baseline.TurnsPerUserMinute, in.w.PriceSheet, in.w.PricesAsOf)
	}, drawWhatIf},
}

func subHold(in *input) string {
	s := in.s
	sub := fmt.Sprintf("Hold window of each level, scenario time; latency of answered %q requests, exact percentiles", s.Step)
	if len(s.Approximate) > 0 {
		sub += "; imported run: some values approximate"
	}
	return sub
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

func usersOf(s *brink.Summary) []int {
	out := make([]int, len(s.Levels))
	for i, l := range s.Levels {
		out[i] = l.Users
	}
	return out
}

// usersAxis sets a panel's x axis to the tested users.
func usersAxis(pn *panel, s *brink.Summary, xmax float64) {
	pn.X.Min = 0
	if xmax <= 0 {
		xmax = 1
		if n := len(s.Levels); n > 0 {
			xmax = float64(s.Levels[n-1].Users) * 1.04
		}
	}
	pn.X.Max = xmax
	pn.X.Tick.Marker = usersTicks{usersOf(s)}
}

// markEdge adds the edge of failure as a vertical line.
func markEdge(pn *panel, s *brink.Summary) {
	if s.Edge != nil {
		pn.vline(fmt.Sprintf("edge of failure: %d users", s.Edge.Users), float64(s.Edge.Users), colEdge, vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2))
	}
}

func secs(v float64) string { return trimFloat(v, 2) }

func drawLatency(c draw.Canvas, in *input) {
	s := in.s
	var p50, p95, p99, umed, umax plotter.XYs
	for _, l := range s.Levels {
		x := float64(l.Users)
		if l.P50MS != nil {
			p50 = append(p50, plotter.XY{X: x, Y: *l.P50MS / 1000})
			p95 = append(p95, plotter.XY{X: x, Y: *l.P95MS / 1000})
			p99 = append(p99, plotter.XY{X: x, Y: *l.P99MS / 1000})
		}
		if l.UserP95MedianMS != nil {
			umed = append(umed, plotter.XY{X: x, Y: *l.UserP95MedianMS / 1000})
		}
		if l.UserP95MaxMS != nil {
			umax = append(umax, plotter.XY{X: x, Y: *l.UserP95MaxMS / 1000})
		}
	}
	limit := latencyRule(s) / 1000
	left := newPanel("Per request", in.usersAxis(), "conversation latency (s)")
	shadeSuspect(left, s) // first, so the lines are drawn over it
	left.line("p50", colP50, p50)
	left.line("p95", colP95, p95)
	left.line("p99", colP99, p99)
	left.hline(fmt.Sprintf("%s s limit", secs(limit)), limit, colLimit)
	if s.LatencyKnee != nil {
		left.vline(fmt.Sprintf("p95 knee: %d users", s.LatencyKnee.Users), float64(s.LatencyKnee.Users), colKnee)
	}
	markEdge(left, s)
	right := newPanel("Per user: the slowest 5% of users", in.usersAxis(), "conversation latency (s)")
	right.line("95th-percentile user: their median latency", colP50, umed)
	right.line("95th-percentile user: their slowest request", colP95, umax)
	right.styled("p95 per request", colGrey, p95, []vg.Length{vg.Points(3), vg.Points(3)}, nil)
	right.hline("", limit, colLimit)
	markEdge(right, s)
	if len(umed) == 0 && len(umax) == 0 {
		right.Title.Text += " (not available)"
	}
	ymax := 0.0
	for _, pn := range []*panel{left, right} {
		usersAxis(pn, s, 0)
		pn.Y.Min = 0
		ymax = max(ymax, pn.Y.Max*1.05)
		pn.Y.Tick.Marker = fmtTicks{format: func(v float64) string { return trimFloat(v, 1) }}
	}
	left.Y.Max, right.Y.Max = ymax, ymax
	drawPanels(c, [][]*panel{{left, right}}, 0)
}

func drawThroughput(c draw.Canvas, in *input) {
	s := in.s
	var pts plotter.XYs
	for _, l := range s.Levels {
		pts = append(pts, plotter.XY{X: float64(l.Users), Y: l.AnsweredRPS})
	}
	pn := newPanel("", in.usersAxis(), "answered conversations per second")
	pn.line("measured (hold windows)", colP50, pts)
	xmax := 1.0
	if n := len(s.Levels); n > 0 {
		xmax = float64(s.Levels[n-1].Users) * 1.1
	}
	if u := s.USL; u != nil {
		if u.PeakN != nil {
			xmax = max(xmax, min(*u.PeakN*1.25, xmax*3))
		}
		var curve plotter.XYs
		for i := 0; i <= 200; i++ {
			n := xmax * float64(i) / 200
			curve = append(curve, plotter.XY{X: n, Y: u.Lambda * n / (1 + u.Sigma*(n-1) + u.Kappa*n*(n-1))})
		}
		pn.styled(fmt.Sprintf("USL fit (sigma %.3f, kappa %.5f, R^2 %.3f)", u.Sigma, u.Kappa, u.R2), colP95, curve, []vg.Length{vg.Points(6), vg.Points(3)}, nil)
		if u.PeakN != nil && u.PeakX != nil {
			pn.vline(fmt.Sprintf("USL peak N* = %.0f users (%.2f/s)", *u.PeakN, *u.PeakX), *u.PeakN, colP95, vg.Points(1), vg.Points(3))
		} else {
			pn.Title.Text = "USL: no peak in sight (kappa = 0)"
		}
	} else {
		pn.Title.Text = "no USL fit"
	}
	if k := s.ThroughputKnee; k != nil {
		pn.vline(fmt.Sprintf("throughput knee: %d users", k.Users), float64(k.Users), colKnee)
	}
	markEdge(pn, s)
	usersAxis(pn, s, xmax)
	pn.Y.Min = 0
	pn.Y.Max *= 1.08
	drawPanels(c, [][]*panel{{pn}}, 0)
}

func drawErrors(c draw.Canvas, in *input) {
	s := in.s
	var errs, thr, tmo plotter.XYs
	for _, l := range s.Levels {
		x := float64(l.Users)
		errs = append(errs, plotter.XY{X: x, Y: l.AllErrorRate * 100})
		thr = append(thr, plotter.XY{X: x, Y: l.AllThrottle * 100})
		tmo = append(tmo, plotter.XY{X: x, Y: l.TimeoutRate * 100})
	}
	pn := newPanel("", in.usersAxis(), "share of requests (%)")
	// Errors are drawn wide and throttles narrow and dashed on top, so a
	// level where every error was a 429 still shows both lines.
	pn.wide("errors (all steps)", colErr, errs, vg.Points(5))
	pn.styled("throttled, HTTP 429 (all steps; dashed)", colThr, thr, []vg.Length{vg.Points(5), vg.Points(3)}, draw.SquareGlyph{})
	pn.styled(fmt.Sprintf("timeouts (%s step)", s.Step), colTimeout, tmo, nil, draw.TriangleGlyph{})
	erule := errorRule(s) * 100
	pn.hline(fmt.Sprintf("%s%% limit", trimFloat(erule, 2)), erule, colLimit)
	markEdge(pn, s)
	usersAxis(pn, s, 0)
	pn.Y.Min = 0
	pn.Y.Max = max(pn.Y.Max*1.08, erule*2)
	pn.Y.Tick.Marker = fmtTicks{format: func(v float64) string { return trimFloat(v, 2) }}
	drawPanels(c, [][]*panel{{pn}}, 0)
}

// bands shades the level windows of a timeline (minutes): ramps light
// orange, holds alternately grey, labelled at the top when label is set.
type bands struct {
	spans []span
	label bool
}

type span struct {
	from, to float64
	col      color.Color
	text     string
}

func (b *bands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := sans(9, false)
	sty.Color = colGrey
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	for _, s := range b.spans {
		x0, x1 := trX(s.from), trX(s.to)
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(s.col, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		if b.label && s.text != "" && x1-x0 > sty.Width(s.text)+2 {
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: c.Max.Y - 2}, s.text)
		}
	}
}

func levelSpans(s *brink.Summary) []span {
	var out []span
	prevEnd := 0.0
	for i, l := range s.Levels {
		from := l.WindowStart.Sub(s.StartedAt).Minutes()
		to := l.WindowEnd.Sub(s.StartedAt).Minutes()
		if from > prevEnd {
			out = append(out, span{prevEnd, from, colRamp, ""})
		}
		col := colBandA
		if i%2 == 1 {
			col = colBandB
		}
		out = append(out, span{from, to, col, fmt.Sprintf("L%d", l.Level)})
		prevEnd = to
	}
	return out
}

func drawTimeline(c draw.Canvas, in *input) {
	s := in.s
	if len(s.Timeline) == 0 {
		message(c, "No timeline in this analysis.", "Imported runs have none; for a brink run, re-run brink analyze with this brink.")
		return
	}
	spans := levelSpans(s)
	var users, rps, ans, errs, p95 plotter.XYs
	for _, p := range s.Timeline {
		t0, t1 := p.OffsetS/60, (p.OffsetS+p.BucketS)/60
		if p.Level != nil {
			users = append(users, plotter.XY{X: t0, Y: float64(p.Users)}, plotter.XY{X: t1, Y: float64(p.Users)})
		}
		mid := (t0 + t1) / 2
		rps = append(rps, plotter.XY{X: mid, Y: p.RPS})
		ans = append(ans, plotter.XY{X: mid, Y: p.AnsweredRPS})
		errs = append(errs, plotter.XY{X: mid, Y: p.ErrorRPS})
		if p.P95MS != nil {
			p95 = append(p95, plotter.XY{X: mid, Y: *p.P95MS / 1000})
		}
	}
	bucket := s.Timeline[0].BucketS
	top := newPanel("Target concurrent users", "", "users")
	top.Add(&bands{spans: spans, label: true})
	top.styled("target users of the level", colP50, users, nil, nil)
	mid := newPanel(fmt.Sprintf("Requests per second (%s buckets)", trimFloat(bucket, 0)+" s"), "", "per second")
	mid.Add(&bands{spans: spans})
	mid.styled("requests, all steps", colGrey, rps, nil, nil)
	mid.styled(fmt.Sprintf("answered %s (throughput)", s.Step), colP50, ans, nil, nil)
	mid.styled("failed, all steps", colErr, errs, nil, nil)
	bot := newPanel(fmt.Sprintf("p95 latency of answered %s requests", s.Step), "scenario time (minutes since the run started)", "p95 (s)")
	bot.Add(&bands{spans: spans})
	bot.styled("p95 per bucket", colP95, p95, nil, nil)
	limit := latencyRule(s) / 1000
	bot.hline(fmt.Sprintf("%s s limit", secs(limit)), limit, colLimit)
	xmax := 0.0
	for _, pn := range []*panel{top, mid, bot} {
		xmax = max(xmax, pn.X.Max)
	}
	for _, pn := range []*panel{top, mid, bot} {
		pn.X.Min, pn.X.Max = 0, xmax
		pn.Y.Min = 0
		pn.Y.Max *= 1.12
		pn.Title.TextStyle.Font = sans(10, true).Font
		pn.Title.Padding = 2
		pn.Y.Tick.Marker = fmtTicks{format: countLabel}
		pn.X.Tick.Marker = stepTicks{}
	}
	top.Y.Max *= 1.15 // room for the level labels
	drawPanels(c, [][]*panel{{top}, {mid}, {bot}}, vg.Points(4))
}

func drawInfra(c draw.Canvas, in *input) {
	s := in.s
	collected := false
	for _, l := range s.Levels {
		collected = collected || l.Infra != nil
	}
	if !s.MetricsCollected || !collected {
		message(c, "Infrastructure metrics: not collected for this run.",
			"Run brink collect --run DIR (CloudWatch), then brink analyze, to see Lambda, DynamoDB and Bedrock here.")
		return
	}
	get := func(f func(*brink.InfraStats) *float64, scale float64) plotter.XYs {
		var out plotter.XYs
		for _, l := range s.Levels {
			if l.Infra == nil {
				continue
			}
			if v := f(l.Infra); v != nil {
				out = append(out, plotter.XY{X: float64(l.Users), Y: *v * scale})
			}
		}
		return out
	}
	var a brink.CostAssumptions
	if s.Cost != nil {
		a = s.Cost.Assumptions
	}
	lam := newPanel("Lambda", "", "max concurrent executions")
	lam.line("max concurrency", colP50, get(func(i *brink.InfraStats) *float64 { return i.LambdaMaxConcurrency }, 1))
	if a.LambdaConcurrencyLimit > 0 {
		lam.hline(fmt.Sprintf("limit %d", a.LambdaConcurrencyLimit), float64(a.LambdaConcurrencyLimit), colLimit)
	}
	ddb := newPanel("DynamoDB", "", "write capacity units/s")
	ddb.line("consumed WCU/s", colP50, get(func(i *brink.InfraStats) *float64 { return i.DDBConsumedWCUPerS }, 1))
	ddb.styled("provisioned WCU", colLimit, get(func(i *brink.InfraStats) *float64 { return i.DDBProvisionedWCU }, 1), []vg.Length{vg.Points(6), vg.Points(3)}, nil)
	br := newPanel("Bedrock", "", "tokens per minute")
	br.line("input + output tokens/min", colP50, get(func(i *brink.InfraStats) *float64 {
		if i.BedrockInputTPM == nil || i.BedrockOutputTPM == nil {
			return nil
		}
		v := *i.BedrockInputTPM + *i.BedrockOutputTPM
		return &v
	}, 1))
	if a.BedrockTPMQuota > 0 {
		br.hline("tokens/min quota "+countLabel(a.BedrockTPMQuota), a.BedrockTPMQuota, colLimit)
	}
	thr := func(name string, f func(*brink.InfraStats) *float64) *panel {
		pn := newPanel("", in.usersAxis(), "throttles in the hold")
		pn.line(name, colErr, get(f, 1))
		return pn
	}
	lamT := thr("Lambda throttles", func(i *brink.InfraStats) *float64 { return i.LambdaThrottles })
	ddbT := thr("DynamoDB write throttle events", func(i *brink.InfraStats) *float64 { return i.DDBWriteThrottles })
	brT := thr("Bedrock invocation throttles", func(i *brink.InfraStats) *float64 { return i.BedrockThrottles })
	all := []*panel{lam, ddb, br, lamT, ddbT, brT}
	for _, pn := range all {
		usersAxis(pn, s, 0)
		pn.Y.Min = 0
		pn.Y.Max = max(pn.Y.Max*1.1, 1)
		pn.Y.Tick.Marker = fmtTicks{format: countLabel}
		pn.X.Label.TextStyle.Font.Size = 10
		pn.Y.Label.TextStyle.Font.Size = 10
	}
	for _, pn := range []*panel{lamT, ddbT, brT} {
		markEdge(pn, s)
		pn.Y.Max = max(pn.Y.Max, 4) // counts: no fractional ticks
	}
	drawPanels(c, [][]*panel{{lam, ddb, br}, {lamT, ddbT, brT}}, vg.Points(6))
}

// boxes draws one box plot per level from its quantiles: whiskers p5-p95,
// box p25-p75, a bar at the median, a dot at p99.
type boxes struct {
	dist  []brink.LatencyQuantiles
	width float64 // in users
}

func (b *boxes) q(d brink.LatencyQuantiles, p float64) float64 {
	v, _ := d.Quantile(p)
	return v / 1000
}

func (b *boxes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	line := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	for _, d := range b.dist {
		x := float64(d.Users)
		xc, xl, xr := trX(x), trX(x-b.width/2), trX(x+b.width/2)
		y05, y25, y50, y75, y95, y99 := trY(b.q(d, 0.05)), trY(b.q(d, 0.25)), trY(b.q(d, 0.5)), trY(b.q(d, 0.75)), trY(b.q(d, 0.95)), trY(b.q(d, 0.99))
		c.StrokeLine2(line, xc, y05, xc, y25)
		c.StrokeLine2(line, xc, y75, xc, y95)
		c.StrokeLine2(line, (xc+xl)/2, y05, (xc+xr)/2, y05)
		c.StrokeLine2(line, (xc+xl)/2, y95, (xc+xr)/2, y95)
		box := []vg.Point{{X: xl, Y: y25}, {X: xr, Y: y25}, {X: xr, Y: y75}, {X: xl, Y: y75}, {X: xl, Y: y25}}
		c.FillPolygon(color.RGBA{R: 0xc6, G: 0xdb, B: 0xef, A: 0xff}, box)
		c.StrokeLines(line, box)
		c.StrokeLine2(draw.LineStyle{Color: colP95, Width: vg.Points(2.5)}, xl, y50, xr, y50)
		c.DrawGlyph(draw.GlyphStyle{Color: colP99, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, vg.Point{X: xc, Y: y99})
	}
}

func (b *boxes) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, d := range b.dist {
		x := float64(d.Users)
		xmin, xmax = min(xmin, x-b.width), max(xmax, x+b.width)
		ymin, ymax = min(ymin, b.q(d, 0.05)), max(ymax, b.q(d, 0.99))
	}
	return
}

// boxThumb draws the legend's sample of one part of a box.
type boxThumb struct{ part string }

func (t boxThumb) Thumbnail(c *draw.Canvas) {
	line := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	midY, midX := (c.Min.Y+c.Max.Y)/2, (c.Min.X+c.Max.X)/2
	switch t.part {
	case "box":
		r := []vg.Point{{X: c.Min.X + 3, Y: c.Min.Y}, {X: c.Max.X - 3, Y: c.Min.Y}, {X: c.Max.X - 3, Y: c.Max.Y}, {X: c.Min.X + 3, Y: c.Max.Y}, {X: c.Min.X + 3, Y: c.Min.Y}}
		c.FillPolygon(color.RGBA{R: 0xc6, G: 0xdb, B: 0xef, A: 0xff}, r)
		c.StrokeLines(line, r)
	case "median":
		c.StrokeLine2(draw.LineStyle{Color: colP95, Width: vg.Points(2.5)}, c.Min.X+3, midY, c.Max.X-3, midY)
	case "whisker":
		c.StrokeLine2(line, midX, c.Min.Y, midX, c.Max.Y)
		c.StrokeLine2(line, midX-4, c.Min.Y, midX+4, c.Min.Y)
		c.StrokeLine2(line, midX-4, c.Max.Y, midX+4, c.Max.Y)
	case "p99":
		c.DrawGlyph(draw.GlyphStyle{Color: colP99, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, vg.Point{X: midX, Y: midY})
	}
}

func drawDist(c draw.Canvas, in *input) {
	s := in.s
	if len(s.LatencyDist) == 0 {
		message(c, "No latency distribution in this analysis.", "Imported runs have none; for a brink run, re-run brink analyze with this brink.")
		return
	}
	pn := newPanel("", in.usersAxis(), "conversation latency (s)")
	w := 6.0
	if n := len(s.LatencyDist); n > 1 {
		w = float64(s.LatencyDist[n-1].Users-s.LatencyDist[0].Users) / float64(n-1) * 0.55
	}
	pn.Add(&boxes{dist: s.LatencyDist, width: w})
	pn.legend("p25-p75", boxThumb{"box"})
	pn.legend("median", boxThumb{"median"})
	pn.legend("p5-p95", boxThumb{"whisker"})
	pn.legend("p99", boxThumb{"p99"})
	limit := latencyRule(s) / 1000
	pn.hline(fmt.Sprintf("%s s limit", secs(limit)), limit, colLimit)
	markEdge(pn, s)
	xmax := 0.0
	if n := len(s.LatencyDist); n > 0 {
		xmax = float64(s.LatencyDist[n-1].Users) + w
	}
	usersAxis(pn, s, max(xmax, pn.X.Max))
	pn.Y.Min = 0
	pn.Y.Max *= 1.05
	pn.Y.Tick.Marker = fmtTicks{format: func(v float64) string { return trimFloat(v, 1) }}
	drawPanels(c, [][]*panel{{pn}}, 0)
}

func drawCost(c draw.Canvas, in *input) {
	s := in.s
	if s.Cost == nil || len(s.Cost.Levels) == 0 {
		message(c, "No cost in this analysis.", "brink analyze prices a run's holds from its tokens and requests; see its warnings.")
		return
	}
	levels := s.Cost.Levels
	comps := []struct {
		name string
		col  color.Color
		get  func(brink.CostBreakdown) float64
	}{
		{"LLM input tokens", colP50, func(b brink.CostBreakdown) float64 { return b.LLMInput }},
		{"LLM output tokens", colTimeout, func(b brink.CostBreakdown) float64 { return b.LLMOutput }},
		{"Lambda", colThr, func(b brink.CostBreakdown) float64 { return b.Lambda }},
		{"DynamoDB", colGreen, func(b brink.CostBreakdown) float64 { return b.DynamoDB }},
		{"API Gateway", colP99, func(b brink.CostBreakdown) float64 { return b.APIGateway }},
	}
	pn := newPanel("", in.usersAxis(), "US$ per active user per minute")
	width := min(vg.Points(36), c.Size().X*0.7/vg.Length(len(levels)+1))
	var below *plotter.BarChart
	labels := make([]string, len(levels))
	for i, l := range levels {
		labels[i] = fmt.Sprint(l.Users)
	}
	for _, comp := range comps {
		vals := make(plotter.Values, len(levels))
		share := 0.0
		for i, l := range levels {
			vals[i] = comp.get(l.PerUserMinute)
			if t := l.PerUserMinute.Total; t > 0 {
				share = max(share, vals[i]/t)
			}
		}
		// A segment under 1% of the bar is a hairline: the legend says how
		// small it is, so its absence from the picture is not read as 0.
		name := comp.name
		if share > 0 && share < 0.01 {
			name = fmt.Sprintf("%s (under 1%%: at most $%.6f/user-min, too thin to see)", comp.name, maxOf(vals))
		}
		bc, err := plotter.NewBarChart(vals, width)
		if err != nil {
			continue
		}
		bc.Color, bc.LineStyle.Width = comp.col, 0
		if below != nil {
			bc.StackOn(below)
		}
		below = bc
		pn.Add(bc)
		pn.legend(name, bc)
	}
	pn.NominalX(labels...)
	for i, l := range levels {
		if l.Level == s.Cost.BaselineLevel {
			pn.vline(fmt.Sprintf("baseline (headline): %d users, %s/user-min at %.2f questions/user-min", l.Users, usd(l.PerUserMinute.Total), l.QuestionsPerUserMinute()), float64(i), colKnee)
		}
		if s.Edge != nil && l.Level == s.Edge.Level {
			pn.vline(fmt.Sprintf("edge of failure: %d users", l.Users), float64(i), colEdge, vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2))
		}
	}
	pn.Y.Min = 0
	pn.Y.Max *= 1.1
	pn.Y.Tick.Marker = fmtTicks{format: func(v float64) string { return "$" + trimFloat(v, 5) }}
	drawPanels(c, [][]*panel{{pn}}, 0)
}

func drawWhatIf(c draw.Canvas, in *input) {
	s, w := in.s, in.w
	if w == nil || len(w.Results) == 0 {
		message(c, "No what-if projection for this run.", "Run brink whatif --run DIR (brink demo does), then brink report.")
		return
	}
	pn := newPanel("", "concurrent active users (log scale)", "US$ per day (log scale)")
	pn.X.Scale, pn.Y.Scale = plot.LogScale{}, plot.LogScale{}
	// Log ticks fall on powers of ten, so a range inside one decade would
	// have no label at all: the scenarios' own values are ticks too.
	var xs, ys []float64
	for _, r := range w.Results {
		if r.AverageUsers > 0 && r.PerDay.Total > 0 {
			xs, ys = append(xs, r.AverageUsers), append(ys, r.PerDay.Total)
		}
	}
	pn.X.Tick.Marker = fmtTicks{format: countLabel, base: dataTicks{base: plot.LogTicks{Prec: -1}, at: xs}}
	pn.Y.Tick.Marker = fmtTicks{format: func(v float64) string { return "$" + countLabel(v) }, base: dataTicks{base: plot.LogTicks{Prec: -1}, at: ys}}
	lo, hi := math.Inf(1), 0.0
	for _, r := range w.Results {
		if r.AverageUsers > 0 {
			lo, hi = min(lo, r.AverageUsers), max(hi, r.AverageUsers)
		}
	}
	if s.Edge != nil {
		lo = min(lo, float64(s.Edge.Users))
	}
	if hi == 0 {
		message(c, "The what-if scenarios have no users.")
		return
	}
	lo, hi = lo/2, hi*2
	cols := []color.Color{colP50, colP95, colP99, colThr, colGreen, colTimeout}
	seen := map[string]bool{}
	var labels plotter.XYLabels
	for i, r := range w.Results {
		if r.AverageUsers <= 0 || r.PerDay.Total <= 0 {
			continue
		}
		col := cols[i%len(cols)]
		perUser := r.PerDay.Total / r.AverageUsers
		key := fmt.Sprintf("%.6g", perUser)
		if !seen[key] {
			seen[key] = true
			line := plotter.XYs{{X: lo, Y: perUser * lo}, {X: hi, Y: perUser * hi}}
			pn.styled(fmt.Sprintf("cost at %s per active user-minute (%.2f questions/user-min)", usd(r.PerUserMinute.Total), r.TurnsPerUserMinute), col, line, []vg.Length{vg.Points(5), vg.Points(3)}, nil)
		}
		pt := plotter.XYs{{X: r.AverageUsers, Y: r.PerDay.Total}}
		sc, _ := plotter.NewScatter(pt)
		sc.Color, sc.Shape, sc.Radius = col, draw.CircleGlyph{}, vg.Points(5)
		pn.Add(sc)
		over := ""
		if o := overQuota(r); o != "-" {
			over = "; over quota: " + o
		}
		pn.legend(fmt.Sprintf("%s: %s users, %s/day (%s h)%s", r.Scenario.Name, countLabel(r.AverageUsers), usd(r.PerDay.Total), trimFloat(hoursOf(r), 2), over), sc)
		labels.XYs = append(labels.XYs, pt[0])
		labels.Labels = append(labels.Labels, usd(r.PerDay.Total)+"/day")
		// Where this scenario's load reaches the measured edge of failure:
		// the edge in measured users, scaled by the scenario's turns per user.
		if s.Edge != nil && r.LoadEquivalentUsers > 0 {
			eu := float64(s.Edge.Users) * r.AverageUsers / r.LoadEquivalentUsers
			if math.Abs(eu-float64(s.Edge.Users)) > 0.5 {
				m, _ := plotter.NewScatter(plotter.XYs{{X: eu, Y: perUser * eu}})
				m.Color, m.Shape, m.Radius = colEdge, draw.CrossGlyph{}, vg.Points(6)
				pn.Add(m)
				if !seen["edge-x"] {
					seen["edge-x"] = true
					pn.legend("edge of failure at the scenario's engagement", m)
				}
			}
		}
	}
	if s.Edge != nil {
		pn.vline(fmt.Sprintf("edge of failure: %d users (measured engagement)", s.Edge.Users), float64(s.Edge.Users), colEdge, vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2))
	}
	if l, err := plotter.NewLabels(labels); err == nil {
		for i := range l.TextStyle {
			l.TextStyle[i] = sans(10, true)
			l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XLeft, draw.YTop
		}
		l.Offset = vg.Point{X: 9, Y: -6}
		pn.Add(l)
	}
	pn.X.Min, pn.X.Max = lo, hi
	pn.Y.Max *= 3
	drawPanels(c, [][]*panel{{pn}}, 0)
}

// usersAxis labels the level axis: concurrent users (closed model), or the
// arrival rate an open-model level holds, which summary.json keeps as users.
func (in *input) usersAxis() string {
	if in.s.Plan.Open() {
		return "new sessions per minute (open model)"
	}
	return "concurrent users"
}

func maxOf(v plotter.Values) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// dataTicks adds labelled ticks at given values to a base ticker's, when
// the base labels fewer than two values in the range.
type dataTicks struct {
	base plot.Ticker
	at   []float64
}

func (t dataTicks) Ticks(min, max float64) []plot.Tick {
	ts := t.base.Ticks(min, max)
	labelled := 0
	for _, tk := range ts {
		if tk.Label != "" && tk.Value >= min && tk.Value <= max {
			labelled++
		}
	}
	if labelled >= 2 {
		return ts
	}
	for _, v := range t.at {
		if v >= min && v <= max {
			ts = append(ts, plot.Tick{Value: v, Label: "x"})
		}
	}
	return ts
}
