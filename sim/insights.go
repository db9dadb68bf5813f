package sim

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CloudWatch Logs Insights, as far as brink needs it: the cold-start query
// over the function's REPORT lines. Queries run at once and are Complete
// when GetQueryResults is first called.

// coldStartQuery matches `filter @type = "REPORT" | stats count(*) as A,
// sum(strcontains(@message, "Init Duration")) as B by bin(N<unit>)`, with
// any spacing and either quote.
var coldStartQuery = regexp.MustCompile(`^filter\s+@type\s*=\s*["']REPORT["']\s*\|\s*stats\s+count\(\s*\*\s*\)\s+as\s+(\w+)\s*,\s*sum\(\s*strcontains\(\s*@message\s*,\s*["']Init Duration["']\s*\)\s*\)\s+as\s+(\w+)\s+by\s+(bin\(\s*(\d+)\s*(ms|s|m|h|d)\s*\))\s*$`)

const supportedQuery = `filter @type = "REPORT" | stats count(*) as invocations, sum(strcontains(@message, "Init Duration")) as cold_starts by bin(1m)`

// maxStoredQueries bounds the finished queries kept for GetQueryResults.
const maxStoredQueries = 1000

type startQueryInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupNames       []string `json:"logGroupNames"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	QueryString         string   `json:"queryString"`
	Limit               *int32   `json:"limit"`
}

type resultField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

type queryStatistics struct {
	RecordsMatched float64 `json:"recordsMatched"`
	RecordsScanned float64 `json:"recordsScanned"`
	BytesScanned   float64 `json:"bytesScanned"`
}

type getQueryResultsOutput struct {
	Results    [][]resultField `json:"results"`
	Statistics queryStatistics `json:"statistics"`
	Status     string          `json:"status"`
}

type queries struct {
	mu    sync.Mutex
	byID  map[string]*getQueryResultsOutput
	order []string
}

func (q *queries) put(id string, out *getQueryResultsOutput) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byID == nil {
		q.byID = map[string]*getQueryResultsOutput{}
	}
	if len(q.order) >= maxStoredQueries {
		delete(q.byID, q.order[0])
		q.order = q.order[1:]
	}
	q.byID[id] = out
	q.order = append(q.order, id)
}

func (q *queries) get(id string) *getQueryResultsOutput {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.byID[id]
}

func logsError(status int, code, format string, a ...any) *awsError {
	return &awsError{status, code, code, fmt.Sprintf(format, a...)}
}

// serveLogs answers Logs_20140328.<op> in awsJson1_1.
func (s *Sim) serveLogs(w http.ResponseWriter, r *http.Request, p proto, op string) {
	if !signed(r) {
		p.fail(w, missingAuth())
		return
	}
	body, aerr := readBody(r)
	if aerr != nil {
		p.fail(w, aerr)
		return
	}
	switch op {
	case "StartQuery":
		var in startQueryInput
		if err := p.decode(body, &in); err != nil {
			p.fail(w, malformedInput(err))
			return
		}
		id, aerr := s.startQuery(&in)
		if aerr != nil {
			p.fail(w, aerr)
			return
		}
		p.write(w, op, map[string]string{"queryId": id})
	case "GetQueryResults":
		var in struct {
			QueryID string `json:"queryId"`
		}
		if err := p.decode(body, &in); err != nil {
			p.fail(w, malformedInput(err))
			return
		}
		out := s.queries.get(in.QueryID)
		if out == nil {
			p.fail(w, logsError(http.StatusBadRequest, "ResourceNotFoundException", "Query %q does not exist (brink sim keeps the last %d queries).", in.QueryID, maxStoredQueries))
			return
		}
		p.write(w, op, out)
	default:
		p.fail(w, unknownOperation("Logs_20140328."+op))
	}
}

func (s *Sim) startQuery(in *startQueryInput) (string, *awsError) {
	groups := append([]string{}, in.LogGroupNames...)
	groups = append(groups, in.LogGroupIdentifiers...)
	if in.LogGroupName != "" {
		groups = append(groups, in.LogGroupName)
	}
	if len(groups) == 0 {
		return "", logsError(http.StatusBadRequest, "InvalidParameterException", "Name a log group: logGroupName, logGroupNames or logGroupIdentifiers (brink sim has %s).", s.logs.group)
	}
	for _, g := range groups {
		// An identifier may be an ARN ending in log-group:<name>[:*].
		name := strings.TrimSuffix(g, ":*")
		if i := strings.LastIndex(name, "log-group:"); i >= 0 {
			name = name[i+len("log-group:"):]
		}
		if name != s.logs.group {
			return "", logsError(http.StatusBadRequest, "ResourceNotFoundException", "The specified log group %q does not exist: brink sim has %s.", g, s.logs.group)
		}
	}
	if in.StartTime == nil || in.EndTime == nil {
		return "", logsError(http.StatusBadRequest, "InvalidParameterException", "startTime and endTime (epoch seconds) are required.")
	}
	if *in.EndTime < *in.StartTime {
		return "", logsError(http.StatusBadRequest, "InvalidParameterException", "endTime %d is before startTime %d.", *in.EndTime, *in.StartTime)
	}
	limit := 1000
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 10000 {
			return "", logsError(http.StatusBadRequest, "InvalidParameterException", "limit %d must be in 1..10000.", *in.Limit)
		}
		limit = int(*in.Limit)
	}
	m := coldStartQuery.FindStringSubmatch(strings.Join(strings.Fields(in.QueryString), " "))
	if m == nil {
		return "", logsError(http.StatusBadRequest, "MalformedQueryException",
			"brink sim answers only the cold-start query over REPORT lines, e.g. %s (got %q).", supportedQuery, in.QueryString)
	}
	n, _ := strconv.ParseInt(m[4], 10, 64)
	unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[5]]
	bin := time.Duration(n) * unit
	if bin < time.Millisecond {
		return "", logsError(http.StatusBadRequest, "MalformedQueryException", "bin(%s%s): the bin must be positive.", m[4], m[5])
	}
	binField := strings.Join(strings.Fields(m[3]), "")

	from, to := time.Unix(*in.StartTime, 0), time.Unix(*in.EndTime+1, 0)
	events := s.logs.snapshot(from, to)
	type row struct{ n, cold int }
	rows := map[int64]*row{}
	out := &getQueryResultsOutput{Results: [][]resultField{}, Status: "Complete"}
	for _, e := range events {
		out.Statistics.RecordsScanned++
		out.Statistics.BytesScanned += float64(len(e.Message))
		if e.Type != "REPORT" {
			continue
		}
		out.Statistics.RecordsMatched++
		k := e.Time.UnixNano() / int64(bin) * int64(bin)
		if rows[k] == nil {
			rows[k] = &row{}
		}
		rows[k].n++
		if strings.Contains(e.Message, "Init Duration") {
			rows[k].cold++
		}
	}
	keys := make([]int64, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys[:min(len(keys), limit)] {
		out.Results = append(out.Results, []resultField{
			{binField, time.Unix(0, k).UTC().Format("2006-01-02 15:04:05.000")},
			{m[1], strconv.Itoa(rows[k].n)},
			{m[2], strconv.Itoa(rows[k].cold)},
		})
	}
	id := randomID("")
	id = id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
	s.queries.put(id, out)
	return id, nil
}
