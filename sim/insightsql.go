package sim

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The Logs Insights query language, the subset capacity reviews use over
// Lambda REPORT lines: commands joined by "|" —
//
//	fields F, ...                 (non-stats queries: the columns; default @timestamp, @message)
//	filter COND                   (=, !=, <, <=, >, >=, like "text" or /regex/, and, or, not,
//	                               ispresent(F), strcontains(F, "text"))
//	stats AGG [as NAME], ... [by bin(N unit)]
//	                              (count(*), count(F), sum(E), avg(E), min(E), max(E), pct(E, P))
//	sort F [asc|desc]
//	limit N
//
// Expressions take numbers, "strings", fields, + - * / and parentheses.
// Fields of a REPORT line: @timestamp, @message, @type, @requestId,
// @duration, @billedDuration, @initDuration (cold starts only; ms),
// @restoreDuration (SnapStart), @memorySize, @maxMemoryUsed (bytes, as
// Lambda's discovered fields are). Under the JSON log format a
// platform.report event has none of those but type, time, record.requestId,
// record.status and record.metrics.{durationMs, billedDurationMs,
// memorySizeMB, maxMemoryUsedMB, initDurationMs, restoreDurationMs}.

type iqQuery struct {
	filters []iqNode
	fields  []iqNode // fields command
	stats   []iqAgg
	bin     time.Duration // stats … by bin(); 0: one group
	binName string
	sortBy  string
	desc    bool
	limit   int
}

type iqAgg struct {
	fn   string  // count, sum, avg, min, max, pct
	arg  *iqNode // nil for count(*)
	p    float64
	name string
}

// iqNode is an expression: a literal, a field, an operator or a call.
type iqNode struct {
	kind string // "num", "str", "regex", "field", "op", "call", "not"
	num  float64
	str  string
	re   *regexp.Regexp
	args []iqNode
	text string // as written, for default column names
}

type iqLexer struct {
	toks []string
	i    int
}

func (l *iqLexer) peek() string {
	if l.i < len(l.toks) {
		return l.toks[l.i]
	}
	return ""
}

func (l *iqLexer) next() string { t := l.peek(); l.i++; return t }

func (l *iqLexer) expect(t string) error {
	if got := l.next(); !strings.EqualFold(got, t) {
		return fmt.Errorf("expected %q, found %q", t, got)
	}
	return nil
}

// iqTokens splits a query into tokens: quoted strings and /regexes/ whole,
// two-character operators, identifiers with @ and dots.
func iqTokens(q string) ([]string, error) {
	var out []string
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case unicode.IsSpace(rune(c)):
			i++
		case c == '"' || c == '\'' || c == '`' || c == '/' && (len(out) == 0 || strings.EqualFold(out[len(out)-1], "like") || out[len(out)-1] == "="):
			j := i + 1
			for j < len(q) && q[j] != c {
				if q[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(q) {
				return nil, fmt.Errorf("unterminated %c at offset %d", c, i)
			}
			out = append(out, q[i:j+1])
			i = j + 1
		case strings.ContainsRune("<>!=", rune(c)) && i+1 < len(q) && q[i+1] == '=':
			out = append(out, q[i:i+2])
			i += 2
		case strings.ContainsRune("|,()*+-/<>=", rune(c)):
			out = append(out, string(c))
			i++
		default:
			j := i
			for j < len(q) && (unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j])) || strings.ContainsRune("@._:$", rune(q[j]))) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q at offset %d", c, i)
			}
			out = append(out, q[i:j])
			i = j
		}
	}
	return out, nil
}

func parseInsights(q string) (*iqQuery, error) {
	toks, err := iqTokens(q)
	if err != nil {
		return nil, err
	}
	l := &iqLexer{toks: toks}
	out := &iqQuery{}
	for l.peek() != "" {
		cmd := strings.ToLower(l.next())
		switch cmd {
		case "filter":
			n, err := l.cond()
			if err != nil {
				return nil, fmt.Errorf("filter: %w", err)
			}
			out.filters = append(out.filters, n)
		case "fields", "display":
			for {
				n, err := l.expr()
				if err != nil {
					return nil, fmt.Errorf("fields: %w", err)
				}
				out.fields = append(out.fields, n)
				if l.peek() != "," {
					break
				}
				l.next()
			}
		case "stats":
			if err := l.stats(out); err != nil {
				return nil, fmt.Errorf("stats: %w", err)
			}
		case "sort":
			// A column: a field, an alias or a stats column such as bin(1m).
			start := l.i
			for t := strings.ToLower(l.peek()); t != "" && t != "|" && t != "asc" && t != "desc"; t = strings.ToLower(l.peek()) {
				l.next()
			}
			if out.sortBy = strings.Join(l.toks[start:l.i], ""); out.sortBy == "" {
				return nil, fmt.Errorf("sort: name a field")
			}
			switch strings.ToLower(l.peek()) {
			case "asc":
				l.next()
			case "desc":
				l.next()
				out.desc = true
			}
		case "limit":
			n, err := strconv.Atoi(l.next())
			if err != nil || n < 1 || n > 10000 {
				return nil, fmt.Errorf("limit must be a number in 1..10000")
			}
			out.limit = n
		default:
			return nil, fmt.Errorf("command %q is not one brink sim answers (fields, filter, stats, sort, limit)", cmd)
		}
		if t := l.peek(); t != "" && t != "|" {
			return nil, fmt.Errorf("%s: unexpected %q", cmd, t)
		}
		if l.peek() == "|" {
			l.next()
		}
	}
	return out, nil
}

func (l *iqLexer) stats(q *iqQuery) error {
	for {
		fn := strings.ToLower(l.next())
		agg := iqAgg{fn: fn}
		start := l.i - 1
		if err := l.expect("("); err != nil {
			return err
		}
		switch fn {
		case "count":
			if l.peek() == "*" {
				l.next()
			} else {
				n, err := l.expr()
				if err != nil {
					return err
				}
				agg.arg = &n
			}
		case "sum", "avg", "min", "max", "pct":
			n, err := l.expr()
			if err != nil {
				return err
			}
			agg.arg = &n
			if fn == "pct" {
				if err := l.expect(","); err != nil {
					return err
				}
				p, err := strconv.ParseFloat(l.next(), 64)
				if err != nil || p < 0 || p > 100 {
					return fmt.Errorf("pct wants a percentile in 0..100")
				}
				agg.p = p
			}
		default:
			return fmt.Errorf("function %q is not one brink sim answers (count, sum, avg, min, max, pct)", fn)
		}
		if err := l.expect(")"); err != nil {
			return err
		}
		agg.name = strings.Join(l.toks[start:l.i], "")
		if strings.EqualFold(l.peek(), "as") {
			l.next()
			agg.name = l.next()
		}
		q.stats = append(q.stats, agg)
		if l.peek() != "," {
			break
		}
		l.next()
	}
	if !strings.EqualFold(l.peek(), "by") {
		return nil
	}
	l.next()
	start := l.i
	if err := l.expect("bin"); err != nil {
		return fmt.Errorf("brink sim groups by bin() only: %w", err)
	}
	if err := l.expect("("); err != nil {
		return err
	}
	w := l.next()
	unit := strings.TrimLeft(w, "0123456789")
	if unit == "" { // "5 m" written apart
		unit = l.next()
	}
	n, err := strconv.Atoi(strings.TrimSuffix(w, unit))
	d := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit]
	if err != nil || n < 1 || d == 0 {
		return fmt.Errorf("bin(%s): want a positive width such as 1m, 30s or 1h", w)
	}
	if err := l.expect(")"); err != nil {
		return err
	}
	q.bin, q.binName = time.Duration(n)*d, strings.Join(l.toks[start:l.i], "")
	return nil
}

// cond := and ("or" and)*; and := unary ("and" unary)*; unary := "not" unary | cmp.
func (l *iqLexer) cond() (iqNode, error) {
	left, err := l.andCond()
	for err == nil && strings.EqualFold(l.peek(), "or") {
		l.next()
		var right iqNode
		if right, err = l.andCond(); err == nil {
			left = iqNode{kind: "op", str: "or", args: []iqNode{left, right}}
		}
	}
	return left, err
}

func (l *iqLexer) andCond() (iqNode, error) {
	left, err := l.unary()
	for err == nil && strings.EqualFold(l.peek(), "and") {
		l.next()
		var right iqNode
		if right, err = l.unary(); err == nil {
			left = iqNode{kind: "op", str: "and", args: []iqNode{left, right}}
		}
	}
	return left, err
}

func (l *iqLexer) unary() (iqNode, error) {
	if strings.EqualFold(l.peek(), "not") {
		l.next()
		n, err := l.unary()
		return iqNode{kind: "not", args: []iqNode{n}}, err
	}
	left, err := l.expr()
	if err != nil {
		return left, err
	}
	op := strings.ToLower(l.peek())
	switch op {
	case "=", "!=", "<", "<=", ">", ">=", "like":
		l.next()
		right, err := l.expr()
		if err != nil {
			return left, err
		}
		if op == "like" && right.kind == "regex" {
			op = "=~"
		}
		return iqNode{kind: "op", str: op, args: []iqNode{left, right}}, nil
	}
	return left, nil
}

// expr := term (("+"|"-") term)*; term := factor (("*"|"/") factor)*.
func (l *iqLexer) expr() (iqNode, error) {
	left, err := l.term()
	for err == nil && (l.peek() == "+" || l.peek() == "-") {
		op := l.next()
		var right iqNode
		if right, err = l.term(); err == nil {
			left = iqNode{kind: "op", str: op, args: []iqNode{left, right}}
		}
	}
	return left, err
}

func (l *iqLexer) term() (iqNode, error) {
	left, err := l.factor()
	for err == nil && (l.peek() == "*" || l.peek() == "/") {
		op := l.next()
		var right iqNode
		if right, err = l.factor(); err == nil {
			left = iqNode{kind: "op", str: op, args: []iqNode{left, right}}
		}
	}
	return left, err
}

func (l *iqLexer) factor() (iqNode, error) {
	t := l.next()
	switch {
	case t == "":
		return iqNode{}, fmt.Errorf("the query ends too soon")
	case t == "(":
		n, err := l.cond()
		if err == nil {
			err = l.expect(")")
		}
		return n, err
	case t[0] == '"' || t[0] == '\'' || t[0] == '`':
		return iqNode{kind: "str", str: unquote(t[1 : len(t)-1]), text: t}, nil
	case len(t) >= 2 && t[0] == '/' && t[len(t)-1] == '/':
		re, err := regexp.Compile(t[1 : len(t)-1])
		if err != nil {
			return iqNode{}, fmt.Errorf("regex %s: %w", t, err)
		}
		return iqNode{kind: "regex", re: re, text: t}, nil
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		return iqNode{kind: "num", num: f, text: t}, nil
	}
	if l.peek() == "(" {
		fn := strings.ToLower(t)
		if fn != "ispresent" && fn != "strcontains" {
			return iqNode{}, fmt.Errorf("function %q is not one brink sim answers in expressions (ispresent, strcontains)", t)
		}
		l.next()
		n := iqNode{kind: "call", str: fn}
		for {
			a, err := l.expr()
			if err != nil {
				return n, err
			}
			n.args = append(n.args, a)
			if l.peek() != "," {
				break
			}
			l.next()
		}
		if want := map[string]int{"ispresent": 1, "strcontains": 2}[fn]; len(n.args) != want {
			return n, fmt.Errorf("%s takes %d arguments", fn, want)
		}
		return n, l.expect(")")
	}
	if !regexp.MustCompile(`^@?[A-Za-z_][A-Za-z0-9_.]*$`).MatchString(t) {
		return iqNode{}, fmt.Errorf("unexpected %q", t)
	}
	return iqNode{kind: "field", str: t, text: t}, nil
}

func unquote(s string) string { return strings.NewReplacer(`\"`, `"`, `\'`, `'`, `\\`, `\`).Replace(s) }

// iqValue is a value during evaluation: a number, a string or nothing.
type iqValue struct {
	num     float64
	str     string
	isNum   bool
	present bool
}

func (v iqValue) text() string {
	if v.isNum {
		return strconv.FormatFloat(v.num, 'f', -1, 64)
	}
	return v.str
}

func (v iqValue) truth() bool {
	if v.isNum {
		return v.num != 0
	}
	return v.present && v.str != ""
}

func numV(f float64) iqValue { return iqValue{num: f, isNum: true, present: true} }

func boolV(b bool) iqValue {
	if b {
		return numV(1)
	}
	return numV(0)
}

const iqTime = "2006-01-02 15:04:05.000"

// reportField reads a REPORT line's field, or a platform.report event's.
func reportField(e *LogEvent, name string) iqValue {
	switch name {
	case "@timestamp":
		return iqValue{str: e.Time.UTC().Format(iqTime), present: true}
	case "@message":
		return iqValue{str: e.Message, present: true}
	case "@logStream":
		return iqValue{str: e.Time.UTC().Format("2006/01/02") + "/[$LATEST]brinksim", present: true}
	}
	if e.JSON {
		return jsonField(e, name)
	}
	switch name {
	case "@type":
		return iqValue{str: e.Type, present: true}
	case "@requestId":
		return iqValue{str: e.RequestID, present: true}
	case "@duration":
		return numV(e.Duration)
	case "@billedDuration":
		return numV(e.BilledDuration)
	case "@initDuration":
		if e.InitDuration > 0 {
			return numV(e.InitDuration)
		}
	case "@restoreDuration":
		if e.RestoreDuration > 0 {
			return numV(e.RestoreDuration)
		}
	case "@memorySize":
		return numV(float64(e.MemorySizeMB) * 1e6)
	case "@maxMemoryUsed":
		return numV(float64(e.MaxMemoryMB) * 1e6)
	}
	return iqValue{}
}

// jsonField reads the fields Logs Insights discovers in a platform.report
// event (JSON log format); the @-fields of REPORT lines are absent there.
func jsonField(e *LogEvent, name string) iqValue {
	switch name {
	case "type":
		return iqValue{str: "platform.report", present: true}
	case "time":
		return iqValue{str: e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), present: true}
	case "record.requestId":
		return iqValue{str: e.RequestID, present: true}
	case "record.status":
		return iqValue{str: "success", present: true}
	case "record.metrics.durationMs":
		return numV(e.Duration)
	case "record.metrics.billedDurationMs":
		return numV(e.BilledDuration)
	case "record.metrics.memorySizeMB":
		return numV(float64(e.MemorySizeMB))
	case "record.metrics.maxMemoryUsedMB":
		return numV(float64(e.MaxMemoryMB))
	case "record.metrics.initDurationMs":
		if e.InitDuration > 0 {
			return numV(e.InitDuration)
		}
	case "record.metrics.restoreDurationMs":
		if e.RestoreDuration > 0 {
			return numV(e.RestoreDuration)
		}
	}
	return iqValue{}
}

func (n *iqNode) eval(e *LogEvent) iqValue {
	switch n.kind {
	case "num":
		return numV(n.num)
	case "str":
		return iqValue{str: n.str, present: true}
	case "field":
		return reportField(e, n.str)
	case "not":
		return boolV(!n.args[0].eval(e).truth())
	case "call":
		a := n.args[0].eval(e)
		if n.str == "ispresent" {
			return boolV(a.present)
		}
		return boolV(a.present && strings.Contains(a.text(), n.args[1].eval(e).text()))
	case "op":
		if n.str == "=~" {
			a := n.args[0].eval(e)
			return boolV(a.present && n.args[1].re.MatchString(a.text()))
		}
		a, b := n.args[0].eval(e), n.args[1].eval(e)
		switch n.str {
		case "and":
			return boolV(a.truth() && b.truth())
		case "or":
			return boolV(a.truth() || b.truth())
		case "like":
			return boolV(a.present && strings.Contains(a.text(), b.text()))
		}
		if !a.present || !b.present {
			return iqValue{}
		}
		if a.isNum && b.isNum || n.str == "+" || n.str == "-" || n.str == "*" || n.str == "/" {
			x, y := a.num, b.num
			switch n.str {
			case "+":
				return numV(x + y)
			case "-":
				return numV(x - y)
			case "*":
				return numV(x * y)
			case "/":
				if y == 0 {
					return iqValue{}
				}
				return numV(x / y)
			}
			return boolV(compare(n.str, cmpFloat(x, y)))
		}
		return boolV(compare(n.str, strings.Compare(a.text(), b.text())))
	}
	return iqValue{}
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func compare(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// run evaluates the query over events (in time order) and returns the rows
// and how many events the filters matched.
func (q *iqQuery) run(events []LogEvent, limit int) ([][]resultField, int) {
	if q.limit > 0 {
		limit = min(limit, q.limit)
	}
	var matched []*LogEvent
	for i := range events {
		ok := true
		for j := range q.filters {
			if !q.filters[j].eval(&events[i]).truth() {
				ok = false
				break
			}
		}
		if ok {
			matched = append(matched, &events[i])
		}
	}
	var rows [][]resultField
	if len(q.stats) == 0 {
		fields := q.fields
		if len(fields) == 0 {
			fields = []iqNode{{kind: "field", str: "@timestamp", text: "@timestamp"}, {kind: "field", str: "@message", text: "@message"}}
		}
		if q.sortBy == "" { // Logs Insights' default: newest first
			q.sortBy, q.desc = "@timestamp", true
		}
		for _, e := range matched {
			var row []resultField
			for i := range fields {
				if v := fields[i].eval(e); v.present {
					row = append(row, resultField{fields[i].text, v.text()})
				}
			}
			rows = append(rows, row)
		}
	} else {
		rows = q.aggregate(matched)
	}
	if q.sortBy != "" {
		slices.SortStableFunc(rows, func(a, b []resultField) int {
			c := compareCells(cell(a, q.sortBy), cell(b, q.sortBy))
			if q.desc {
				return -c
			}
			return c
		})
	}
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return rows, len(matched)
}

func cell(row []resultField, name string) string {
	for _, f := range row {
		if f.Field == name {
			return f.Value
		}
	}
	return ""
}

func compareCells(a, b string) int {
	x, errX := strconv.ParseFloat(a, 64)
	y, errY := strconv.ParseFloat(b, 64)
	if errX == nil && errY == nil {
		return cmpFloat(x, y)
	}
	return strings.Compare(a, b)
}

// aggregate groups matched events by bin (ascending) and computes the stats.
func (q *iqQuery) aggregate(events []*LogEvent) [][]resultField {
	type group struct {
		start time.Time
		vals  [][]float64 // per agg: the values it saw
		count []int
	}
	groups := map[int64]*group{}
	var keys []int64
	for _, e := range events {
		k := int64(0)
		if q.bin > 0 {
			k = e.Time.UnixNano() / int64(q.bin) * int64(q.bin)
		}
		g := groups[k]
		if g == nil {
			g = &group{start: time.Unix(0, k).UTC(), vals: make([][]float64, len(q.stats)), count: make([]int, len(q.stats))}
			groups[k] = g
			keys = append(keys, k)
		}
		for i, a := range q.stats {
			if a.arg == nil {
				g.count[i]++
				continue
			}
			v := a.arg.eval(e)
			if !v.present {
				continue
			}
			g.count[i]++
			if v.isNum {
				g.vals[i] = append(g.vals[i], v.num)
			}
		}
	}
	slices.Sort(keys)
	var rows [][]resultField
	for _, k := range keys {
		g := groups[k]
		var row []resultField
		if q.bin > 0 {
			row = append(row, resultField{q.binName, g.start.Format(iqTime)})
		}
		for i, a := range q.stats {
			v, ok := aggValue(a, g.vals[i], g.count[i])
			if ok {
				row = append(row, resultField{a.name, strconv.FormatFloat(v, 'f', -1, 64)})
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func aggValue(a iqAgg, vals []float64, count int) (float64, bool) {
	if a.fn == "count" {
		return float64(count), true
	}
	if a.fn == "sum" {
		return sumOf(vals), true
	}
	if len(vals) == 0 {
		return 0, false
	}
	switch a.fn {
	case "avg":
		return sumOf(vals) / float64(len(vals)), true
	case "min":
		return slices.Min(vals), true
	case "max":
		return slices.Max(vals), true
	}
	s := slices.Sorted(slices.Values(vals)) // pct: nearest rank
	r := int(math.Ceil(a.p / 100 * float64(len(s))))
	return s[min(max(r, 1), len(s))-1], true
}
