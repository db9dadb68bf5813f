package sim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CloudWatch Logs Insights, as far as brink needs it: the cold-start query
// over the function's REPORT lines. Queries run at once and are Complete
// when GetQueryResults is first called, or after logs.query_duration;
// StopQuery cancels one still running.

// supportedQuery is the cold-start query brink collect ran before it read
// the JSON log format; tests still use it.
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
	mu      sync.Mutex
	byID    map[string]*getQueryResultsOutput
	ready   map[string]time.Time // wall time a query turns Complete (logs.query_duration)
	order   []string
	stopped int // queries ended by StopQuery
}

func (q *queries) put(id string, out *getQueryResultsOutput, ready time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.byID == nil {
		q.byID, q.ready = map[string]*getQueryResultsOutput{}, map[string]time.Time{}
	}
	if len(q.order) >= maxStoredQueries {
		delete(q.byID, q.order[0])
		delete(q.ready, q.order[0])
		q.order = q.order[1:]
	}
	q.byID[id], q.ready[id] = out, ready
	q.order = append(q.order, id)
}

// get answers GetQueryResults: Running (no rows) until the query's ready
// time, then its rows; Cancelled once stopped.
func (q *queries) get(id string) *getQueryResultsOutput {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.byID[id]
	if out != nil && out.Status == "Complete" && time.Now().Before(q.ready[id]) {
		return &getQueryResultsOutput{Results: [][]resultField{}, Status: "Running"}
	}
	return out
}

// stop ends a running query as StopQuery does; false when it had already
// finished. found is false for an unknown id.
func (q *queries) stop(id string) (stopped, found bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.byID[id]
	if out == nil {
		return false, false
	}
	if out.Status != "Complete" || !time.Now().Before(q.ready[id]) {
		return false, true
	}
	q.byID[id] = &getQueryResultsOutput{Results: [][]resultField{}, Status: "Cancelled", Statistics: out.Statistics}
	q.stopped++
	return true, true
}

// StoppedQueries is how many Logs Insights queries StopQuery ended.
func (s *Sim) StoppedQueries() int {
	s.queries.mu.Lock()
	defer s.queries.mu.Unlock()
	return s.queries.stopped
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
	case "DescribeLogGroups":
		var in describeLogGroupsInput
		if err := p.decode(body, &in); err != nil {
			p.fail(w, malformedInput(err))
			return
		}
		out, aerr := s.describeLogGroups(&in)
		if aerr != nil {
			p.fail(w, aerr)
			return
		}
		p.write(w, op, out)
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
	case "StopQuery":
		var in struct {
			QueryID string `json:"queryId"`
		}
		if err := p.decode(body, &in); err != nil {
			p.fail(w, malformedInput(err))
			return
		}
		ok, found := s.queries.stop(in.QueryID)
		if !found {
			p.fail(w, logsError(http.StatusBadRequest, "ResourceNotFoundException", "Query %q does not exist.", in.QueryID))
			return
		}
		p.write(w, op, map[string]bool{"success": ok})
	default:
		p.fail(w, unknownOperation("Logs_20140328."+op))
	}
}

func (s *Sim) startQuery(in *startQueryInput) (string, *awsError) {
	if code := s.cfg.Logs.StartQueryError; code != "" {
		return "", logsError(logsErrors[code], code, "injected by brink sim (logs.start_query_error)")
	}
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
	q, err := parseInsights(in.QueryString)
	if err != nil {
		return "", logsError(http.StatusBadRequest, "MalformedQueryException",
			"query %q: %v (brink sim answers fields, filter, stats … by bin(), sort and limit over REPORT lines: docs/sim.md)", in.QueryString, err)
	}
	from, to := time.Unix(*in.StartTime, 0), time.Unix(*in.EndTime+1, 0)
	events := s.logs.snapshot(from, to)
	out := &getQueryResultsOutput{Results: [][]resultField{}, Status: "Complete"}
	for _, e := range events {
		out.Statistics.RecordsScanned++
		out.Statistics.BytesScanned += float64(len(e.Message))
	}
	rows, matched := q.run(events, limit)
	out.Statistics.RecordsMatched = float64(matched)
	for _, r := range rows {
		if r == nil {
			r = []resultField{}
		}
		out.Results = append(out.Results, r)
	}
	id := randomID("")
	id = id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
	s.queries.put(id, out, time.Now().Add(s.cfg.Logs.QueryDuration))
	return id, nil
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
	LogGroupNamePattern string `json:"logGroupNamePattern"`
	Limit               *int32 `json:"limit"`
	NextToken           string `json:"nextToken"`
}

type logGroup struct {
	LogGroupName      string `json:"logGroupName"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn"`
	CreationTime      int64  `json:"creationTime"`
	StoredBytes       int64  `json:"storedBytes"`
	MetricFilterCount int32  `json:"metricFilterCount"`
	LogGroupClass     string `json:"logGroupClass"`
}

type describeLogGroupsOutput struct {
	LogGroups []logGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

// simAccount is the account id in the ARNs the sim hands out.
const (
	simAccount = "123456789012"
	simRegion  = "us-east-1"
)

// describeLogGroups lists the sim's one log group when the prefix or
// pattern matches it.
func (s *Sim) describeLogGroups(in *describeLogGroupsInput) (*describeLogGroupsOutput, *awsError) {
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, logsError(http.StatusBadRequest, "InvalidParameterException", "logGroupNamePrefix and logGroupNamePattern cannot both be given.")
	}
	if in.Limit != nil && (*in.Limit < 1 || *in.Limit > 50) {
		return nil, logsError(http.StatusBadRequest, "InvalidParameterException", "limit %d must be in 1..50.", *in.Limit)
	}
	if in.NextToken != "" {
		return nil, logsError(http.StatusBadRequest, "InvalidParameterException", "The nextToken %q is not valid: brink sim answers in one page.", in.NextToken)
	}
	out := &describeLogGroupsOutput{LogGroups: []logGroup{}}
	g := s.logs.group
	if strings.HasPrefix(g, in.LogGroupNamePrefix) && strings.Contains(strings.ToLower(g), strings.ToLower(in.LogGroupNamePattern)) {
		arn := "arn:aws:logs:" + simRegion + ":" + simAccount + ":log-group:" + g
		out.LogGroups = append(out.LogGroups, logGroup{LogGroupName: g, Arn: arn + ":*", LogGroupArn: arn,
			CreationTime: s.clock.Epoch.UnixMilli(), StoredBytes: s.logs.bytes(), LogGroupClass: "STANDARD"})
	}
	return out, nil
}
