package sim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// awsQuery: a form body (Action=GetMetricData&Version=2010-08-01&
// MetricDataQueries.member.1.Id=m1&...), answered in XML, as older aws CLI v2
// builds and botocore before its JSON switch send it.

const queryNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"

// Members that are numbers or booleans; every other form value is text.
var (
	queryInts  = map[string]bool{"Period": true, "MaxDatapoints": true}
	queryBools = map[string]bool{"ReturnData": true}
)

func (s *Sim) serveQuery(w http.ResponseWriter, r *http.Request) {
	if !signed(r) {
		queryFail(w, missingAuth())
		return
	}
	body, aerr := readBody(r)
	if aerr != nil {
		queryFail(w, aerr)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		queryFail(w, malformedInput(err))
		return
	}
	op := form.Get("Action")
	if v := form.Get("Version"); v != cloudWatchVersion {
		queryFail(w, invalidParameter("Version %q: brink sim answers CloudWatch API version %s", v, cloudWatchVersion))
		return
	}
	switch op {
	case "GetMetricData":
		var in getMetricDataInput
		if err := decodeForm(form, &in); err != nil {
			queryFail(w, malformedInput(err))
			return
		}
		out, aerr := s.getMetricData(&in)
		if aerr != nil {
			queryFail(w, aerr)
			return
		}
		queryWrite(w, op, gmdXML(out))
	case "GetMetricStatistics":
		var in getMetricStatisticsInput
		if err := decodeForm(form, &in); err != nil {
			queryFail(w, malformedInput(err))
			return
		}
		out, aerr := s.getMetricStatistics(&in)
		if aerr != nil {
			queryFail(w, aerr)
			return
		}
		queryWrite(w, op, gmsXML(out))
	case "ListMetrics":
		var in listMetricsInput
		if err := decodeForm(form, &in); err != nil {
			queryFail(w, malformedInput(err))
			return
		}
		out, aerr := s.listMetrics(&in)
		if aerr != nil {
			queryFail(w, aerr)
			return
		}
		queryWrite(w, op, lmXML(out))
	default:
		queryFail(w, unknownOperation(op))
	}
}

// decodeForm turns awsQuery's flattened keys into the nested shape and
// decodes that like JSON: "A.member.2.B" is member B of the second element
// of list A.
func decodeForm(form url.Values, v any) error {
	root := map[string]any{}
	for key, vals := range form {
		if key == "Action" || key == "Version" || len(vals) == 0 {
			continue
		}
		if err := setPath(root, strings.Split(key, "."), vals[0]); err != nil {
			return fmt.Errorf("form key %q: %w", key, err)
		}
	}
	b, err := json.Marshal(listify(root))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// listMarker holds the elements of a .member.N list while the form is read.
type listMarker map[int]any

func setPath(node map[string]any, path []string, val string) error {
	name := path[0]
	if name == "" || len(path) > 24 {
		return fmt.Errorf("bad member path")
	}
	if len(path) == 1 {
		switch {
		case queryInts[name]:
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return fmt.Errorf("%s must be an integer", name)
			}
			node[name] = n
		case queryBools[name]:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("%s must be true or false", name)
			}
			node[name] = b
		default:
			node[name] = val
		}
		return nil
	}
	if path[1] == "member" {
		if len(path) < 3 {
			return fmt.Errorf("a list member needs an index")
		}
		i, err := strconv.Atoi(path[2])
		if err != nil || i < 1 || i > maxQueries*2 {
			return fmt.Errorf("list index %q out of range", path[2])
		}
		l, ok := node[name].(listMarker)
		if !ok {
			if node[name] != nil {
				return fmt.Errorf("%s is both a value and a list", name)
			}
			l = listMarker{}
			node[name] = l
		}
		if len(path) == 3 { // a list of strings: Statistics.member.1=Sum
			if _, isStruct := l[i].(map[string]any); isStruct {
				return fmt.Errorf("%s.member.%d is both a value and a structure", name, i)
			}
			l[i] = val
			return nil
		}
		elem, _ := l[i].(map[string]any)
		if elem == nil && l[i] != nil {
			return fmt.Errorf("%s.member.%d is both a value and a structure", name, i)
		}
		if elem == nil {
			elem = map[string]any{}
			l[i] = elem
		}
		return setPath(elem, path[3:], val)
	}
	child, ok := node[name].(map[string]any)
	if !ok {
		if node[name] != nil {
			return fmt.Errorf("%s is both a value and a structure", name)
		}
		child = map[string]any{}
		node[name] = child
	}
	return setPath(child, path[1:], val)
}

// listify turns listMarkers into slices ordered by index.
func listify(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			v[k] = listify(c)
		}
		return v
	case listMarker:
		idx := make([]int, 0, len(v))
		for i := range v {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, len(idx))
		for j, i := range idx {
			out[j] = listify(v[i])
		}
		return out
	}
	return v
}

type xmlMembers[T any] struct {
	Member []T `xml:"member"`
}

type xmlResult struct {
	ID         string              `xml:"Id"`
	Label      string              `xml:"Label"`
	Timestamps xmlMembers[string]  `xml:"Timestamps"`
	Values     xmlMembers[string]  `xml:"Values"`
	StatusCode string              `xml:"StatusCode"`
	Messages   xmlMembers[xmlCode] `xml:"Messages"`
}

type xmlCode struct {
	Code  string `xml:"Code"`
	Value string `xml:"Value"`
}

type xmlGMD struct {
	MetricDataResults xmlMembers[xmlResult] `xml:"MetricDataResults"`
	NextToken         string                `xml:"NextToken,omitempty"`
	Messages          xmlMembers[xmlCode]   `xml:"Messages"`
}

func gmdXML(o *getMetricDataOutput) xmlGMD {
	var x xmlGMD
	for _, r := range o.MetricDataResults {
		xr := xmlResult{ID: r.ID, Label: r.Label, StatusCode: r.StatusCode}
		for i := range r.Timestamps {
			xr.Timestamps.Member = append(xr.Timestamps.Member, r.Timestamps[i].UTC().Format(time.RFC3339))
			xr.Values.Member = append(xr.Values.Member, strconv.FormatFloat(r.Values[i], 'g', -1, 64))
		}
		x.MetricDataResults.Member = append(x.MetricDataResults.Member, xr)
	}
	x.NextToken = o.NextToken
	return x
}

type xmlMetric struct {
	Namespace  string                `xml:"Namespace"`
	MetricName string                `xml:"MetricName"`
	Dimensions xmlMembers[Dimension] `xml:"Dimensions"`
}

type xmlLM struct {
	Metrics   xmlMembers[xmlMetric] `xml:"Metrics"`
	NextToken string                `xml:"NextToken,omitempty"`
}

func lmXML(o *listMetricsOutput) xmlLM {
	var x xmlLM
	for _, m := range o.Metrics {
		x.Metrics.Member = append(x.Metrics.Member, xmlMetric{Namespace: m.Namespace, MetricName: m.MetricName,
			Dimensions: xmlMembers[Dimension]{Member: m.Dimensions}})
	}
	x.NextToken = o.NextToken
	return x
}

func queryWrite(w http.ResponseWriter, op string, result any) {
	inner, err := xml.Marshal(result)
	if err != nil {
		queryFail(w, &awsError{http.StatusInternalServerError, "InternalServiceFault", "InternalServiceError", "encoding the answer: " + err.Error()})
		return
	}
	// Rename the result struct's element to <OpResult>.
	lo, hi := bytes.IndexByte(inner, '>'), bytes.LastIndex(inner, []byte("</"))
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s"><%sResult>`, op, queryNamespace, op)
	if lo >= 0 && hi > lo {
		b.Write(inner[lo+1 : hi])
	}
	fmt.Fprintf(&b, `</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, op, randomID(""), op)
	sendXML(w, http.StatusOK, b.Bytes())
}

func queryFail(w http.ResponseWriter, e *awsError) {
	type errBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	b, _ := xml.Marshal(struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     errBody  `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: queryNamespace, Error: errBody{e.fault(), e.QueryCode, e.Message}, RequestID: randomID("")})
	sendXML(w, e.Status, b)
}

func sendXML(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}
