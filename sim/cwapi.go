package sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CloudWatch's limits on one GetMetricData call.
const (
	maxQueries       = 500
	maxDatapoints    = 100_800
	listMetricsPage  = 500
	statusComplete   = "Complete"
	statusPartial    = "PartialData"
	scanDescending   = "TimestampDescending"
	scanAscending    = "TimestampAscending"
	defaultScanOrder = scanDescending
)

var queryIDPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// validPeriod is CloudWatch's rule: high-resolution periods of 1, 5, 10, 20
// or 30 seconds, otherwise a multiple of 60.
func validPeriod(p int64) bool {
	switch p {
	case 1, 5, 10, 20, 30:
		return true
	}
	return p >= 60 && p%60 == 0
}

// series of one validated query.
type plannedQuery struct {
	q      metricDataQuery
	series *series // nil: no such metric, an empty result
	period int64
	stat   stat
}

// getMetricData answers GetMetricData from the sim's store: each MetricStat
// query's datapoints, newest first unless ScanBy says otherwise, at most
// MaxDatapoints in all per page.
func (s *Sim) getMetricData(in *getMetricDataInput) (*getMetricDataOutput, *awsError) {
	if len(in.MetricDataQueries) == 0 {
		return nil, missingParameter("MetricDataQueries")
	}
	if len(in.MetricDataQueries) > maxQueries {
		return nil, invalidParameter("The collection MetricDataQueries must not have a size greater than %d (got %d).", maxQueries, len(in.MetricDataQueries))
	}
	if in.StartTime == nil {
		return nil, missingParameter("StartTime")
	}
	if in.EndTime == nil {
		return nil, missingParameter("EndTime")
	}
	if !in.StartTime.Before(in.EndTime.Time) {
		return nil, invalidParameter("The parameter StartTime (%s) must be less than the parameter EndTime (%s).",
			in.StartTime.Format(time.RFC3339), in.EndTime.Format(time.RFC3339))
	}
	limit := int64(maxDatapoints)
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints < 1 || *in.MaxDatapoints > maxDatapoints {
			return nil, invalidParameter("The parameter MaxDatapoints must be between 1 and %d (got %d).", maxDatapoints, *in.MaxDatapoints)
		}
		limit = *in.MaxDatapoints
	}
	scan := in.ScanBy
	if scan == "" {
		scan = defaultScanOrder
	}
	if scan != scanDescending && scan != scanAscending {
		return nil, invalidParameter("The parameter ScanBy must be %s or %s (got %q).", scanDescending, scanAscending, in.ScanBy)
	}
	plans, err := s.planQueries(in.MetricDataQueries)
	if err != nil {
		return nil, err
	}
	bare := *in
	bare.NextToken = nil
	fp := requestFingerprint(bare)
	qi, off := 0, int64(0)
	if in.NextToken != nil {
		var ok bool
		if qi, off, ok = parseToken(*in.NextToken, fp); !ok || qi >= len(plans) {
			return nil, invalidNextToken()
		}
	}

	out := &getMetricDataOutput{MetricDataResults: []metricDataResult{}, Messages: []messageData{}}
	now := s.clock.Now().Unix()
	from, to := in.StartTime.Unix(), in.EndTime.Unix()
	if in.EndTime.Nanosecond() > 0 {
		to++
	}
	left := limit
	for ; qi < len(plans); qi, off = qi+1, 0 {
		p := plans[qi]
		if p.q.ReturnData != nil && !*p.q.ReturnData {
			continue
		}
		var aggs []Aggregate
		if p.series != nil && (p.q.MetricStat.Unit == "" || p.q.MetricStat.Unit == p.series.unit) {
			aggs = s.metrics.aggregate(p.series, alignedStart(from, p.q.MetricStat.Period, p.period), to, p.period, now)
		}
		res := metricDataResult{ID: p.q.ID, Label: label(p, aggs), Timestamps: []awsTime{}, Values: []float64{},
			StatusCode: statusComplete, Messages: []messageData{}}
		if scan == scanDescending {
			slices.Reverse(aggs)
		}
		if off > int64(len(aggs)) {
			return nil, invalidNextToken()
		}
		aggs = aggs[off:]
		n := min(int64(len(aggs)), left)
		for _, a := range aggs[:n] {
			res.Timestamps = append(res.Timestamps, awsTime{a.Start})
			res.Values = append(res.Values, a.Value(p.stat))
		}
		left -= n
		if n < int64(len(aggs)) {
			res.StatusCode = statusPartial
			out.MetricDataResults = append(out.MetricDataResults, res)
			out.NextToken = makeToken(fp, qi, off+n)
			break
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
	}
	return out, nil
}

func mod(a, b int64) int64 { return ((a % b) + b) % b }

// alignedStart is where the datapoints of a query from StartTime from
// begin: from rounded down to the period asked, then up to the period the
// series is answered at (a coarser stored resolution), so no datapoint
// starts before the window asked.
func alignedStart(from, asked, answered int64) int64 {
	lo := from - mod(from, asked)
	if m := mod(lo, answered); m != 0 {
		lo += answered - m
	}
	return lo
}

func (s *Sim) planQueries(qs []metricDataQuery) ([]plannedQuery, *awsError) {
	seen := map[string]bool{}
	plans := make([]plannedQuery, len(qs))
	for i, q := range qs {
		switch {
		case q.ID == "":
			return nil, missingParameter(fmt.Sprintf("MetricDataQueries.member.%d.Id", i+1))
		case !queryIDPattern.MatchString(q.ID):
			return nil, invalidParameter("The value %q for parameter MetricDataQueries.member.%d.Id is invalid: it must start with a lowercase letter and hold only letters, digits and _.", q.ID, i+1)
		case seen[q.ID]:
			return nil, invalidParameter("The value %q for parameter MetricDataQueries.member.%d.Id is not unique.", q.ID, i+1)
		case q.Expression != "":
			return nil, validationError("Metric math is not supported by brink sim (query %s: %q): ask for each metric with MetricStat and combine the series yourself.", q.ID, q.Expression)
		case q.MetricStat == nil:
			return nil, invalidParameter("Query %s must have MetricStat (brink sim does not answer Expression queries).", q.ID)
		}
		seen[q.ID] = true
		ms := q.MetricStat
		if ms.Metric.Namespace == "" || ms.Metric.MetricName == "" {
			return nil, missingParameter(fmt.Sprintf("MetricDataQueries.member.%d.MetricStat.Metric.Namespace and MetricName", i+1))
		}
		if !validPeriod(ms.Period) {
			return nil, invalidParameter("The parameter MetricDataQueries.member.%d.MetricStat.Period %d must be 1, 5, 10, 20, 30 or a multiple of 60.", i+1, ms.Period)
		}
		st, err := parseStat(ms.Stat)
		if err != nil {
			return nil, invalidParameter("MetricDataQueries.member.%d.MetricStat.Stat: %v", i+1, err)
		}
		sr := s.metrics.lookup(MetricID{Namespace: ms.Metric.Namespace, Name: ms.Metric.MetricName, Dimensions: ms.Metric.Dimensions})
		plans[i] = plannedQuery{q: q, period: sr.period(ms.Period), stat: st, series: sr}
	}
	return plans, nil
}

// requestFingerprint ties a NextToken to the request it continues.
func requestFingerprint(v any) uint64 {
	b, _ := json.Marshal(v)
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

func makeToken(fp uint64, a int, b int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "v1:%x:%d:%d", fp, a, b))
}

func parseToken(tok string, fp uint64) (int, int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, false
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 4 || parts[0] != "v1" || parts[1] != strconv.FormatUint(fp, 16) {
		return 0, 0, false
	}
	a, err1 := strconv.Atoi(parts[2])
	b, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || a < 0 || b < 0 {
		return 0, 0, false
	}
	return a, b, true
}

// listMetrics lists the declared series that match the filters, 500 a page.
func (s *Sim) listMetrics(in *listMetricsInput) (*listMetricsOutput, *awsError) {
	for i, f := range in.Dimensions {
		if f.Name == "" {
			return nil, missingParameter(fmt.Sprintf("Dimensions.member.%d.Name", i+1))
		}
	}
	if len(in.Dimensions) > 30 {
		return nil, invalidParameter("The collection Dimensions must not have a size greater than 30.")
	}
	var match []cwMetric
	for _, id := range s.metrics.list() {
		if in.Namespace != "" && id.Namespace != in.Namespace || in.MetricName != "" && id.Name != in.MetricName {
			continue
		}
		if !dimsMatch(id.Dimensions, in.Dimensions) {
			continue
		}
		match = append(match, cwMetric{Namespace: id.Namespace, MetricName: id.Name, Dimensions: slices.Clone(id.Dimensions)})
	}
	fp := requestFingerprint(listMetricsInput{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions})
	start := 0
	if in.NextToken != nil {
		_, off, ok := parseToken(*in.NextToken, fp)
		if !ok || off > int64(len(match)) {
			return nil, invalidNextToken()
		}
		start = int(off)
	}
	end := min(start+listMetricsPage, len(match))
	out := &listMetricsOutput{Metrics: match[start:end]}
	if out.Metrics == nil {
		out.Metrics = []cwMetric{}
	}
	if end < len(match) {
		out.NextToken = makeToken(fp, 0, int64(end))
	}
	return out, nil
}

func dimsMatch(have []Dimension, filters []dimensionFilter) bool {
	for _, f := range filters {
		found := false
		for _, d := range have {
			if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

var dynamicLabel = regexp.MustCompile(`\$\{(PROP\('([A-Za-z.]+[A-Za-z0-9_.:/-]*)'\)|[A-Z_]+)\}`)

// label is the query's Label as CloudWatch forms it: the metric name when
// none is given, and dynamic labels filled in — ${PROP('MetricName')},
// ${PROP('Namespace')}, ${PROP('Period')}, ${PROP('Stat')},
// ${PROP('Dim.<name>')}, and over the whole time range's values ${AVG},
// ${MIN}, ${MAX}, ${SUM}, ${FIRST}, ${LAST}, ${DATAPOINT_COUNT}. An
// unknown one is left as written.
func label(p plannedQuery, aggs []Aggregate) string {
	ms := p.q.MetricStat
	if p.q.Label == "" {
		return ms.Metric.MetricName
	}
	vals := make([]float64, len(aggs))
	for i, a := range aggs {
		vals[i] = a.Value(p.stat)
	}
	num := func(f func([]float64) float64) string {
		if len(vals) == 0 {
			return ""
		}
		return strconv.FormatFloat(f(vals), 'f', -1, 64)
	}
	return dynamicLabel.ReplaceAllStringFunc(p.q.Label, func(m string) string {
		sub := dynamicLabel.FindStringSubmatch(m)
		if prop := sub[2]; prop != "" {
			switch {
			case prop == "MetricName":
				return ms.Metric.MetricName
			case prop == "Namespace":
				return ms.Metric.Namespace
			case prop == "Period":
				return strconv.FormatInt(ms.Period, 10)
			case prop == "Stat":
				return ms.Stat
			case strings.HasPrefix(prop, "Dim."):
				for _, d := range ms.Metric.Dimensions {
					if d.Name == prop[4:] {
						return d.Value
					}
				}
			}
			return m
		}
		switch sub[1] {
		case "AVG":
			return num(func(v []float64) float64 { return sumOf(v) / float64(len(v)) })
		case "MIN":
			return num(slices.Min[[]float64])
		case "MAX":
			return num(slices.Max[[]float64])
		case "SUM":
			return num(sumOf)
		case "FIRST":
			return num(func(v []float64) float64 { return v[0] })
		case "LAST":
			return num(func(v []float64) float64 { return v[len(v)-1] })
		case "DATAPOINT_COUNT":
			return strconv.Itoa(len(vals))
		}
		return m
	})
}

func sumOf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}
