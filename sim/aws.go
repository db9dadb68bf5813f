package sim

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The service names of the AWS APIs the sim answers, as the protocols
// spell them in paths and X-Amz-Target.
const (
	cloudWatchService = "GraniteServiceVersion20100801"
	logsService       = "Logs_20140328"
	cloudWatchVersion = "2010-08-01"
	maxAWSBody        = 8 << 20
)

// routeAWS adds the CloudWatch-compatible API to the chat API's mux:
// Smithy RPC v2 CBOR by path, awsJson1_0/1_1 by X-Amz-Target and awsQuery
// by form body on POST /.
func (s *Sim) routeAWS(mux *http.ServeMux) {
	mux.HandleFunc("POST /service/"+cloudWatchService+"/operation/{op}", func(w http.ResponseWriter, r *http.Request) {
		s.serveAWS(w, r, cborProto{}, r.PathValue("op"))
	})
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		if target := r.Header.Get("X-Amz-Target"); target != "" {
			svc, op, _ := strings.Cut(target, ".")
			switch svc {
			case cloudWatchService:
				s.serveAWS(w, r, jsonProto{version: "1.0", ns: "com.amazonaws.cloudwatch"}, op)
			case logsService:
				s.serveLogs(w, r, jsonProto{version: "1.1", ns: "com.amazonaws.logs"}, op)
			default:
				jsonProto{version: "1.0"}.fail(w, unknownOperation(target))
			}
			return
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			s.serveQuery(w, r)
			return
		}
		http.Error(w, "brink sim: POST / takes an AWS request (X-Amz-Target header or a form-encoded awsQuery body)", http.StatusBadRequest)
	})
}

// proto reads requests and writes answers in one AWS protocol.
type proto interface {
	decode(body []byte, v any) error
	write(w http.ResponseWriter, op string, v any)
	fail(w http.ResponseWriter, e *awsError)
}

// signed is the one check made of credentials: a SigV4 Authorization header
// must be present, as AWS requires before anything else. Its signature is
// not verified, so any access key works.
func signed(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	return strings.HasPrefix(a, "AWS4-HMAC-SHA256 ") && strings.Contains(a, "Credential=") && strings.Contains(a, "Signature=")
}

func readBody(r *http.Request) ([]byte, *awsError) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAWSBody+1))
	if err != nil {
		return nil, malformedInput(fmt.Errorf("reading: %w", err))
	}
	if len(b) > maxAWSBody {
		return nil, &awsError{http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "RequestEntityTooLarge",
			fmt.Sprintf("request body is larger than %d bytes", maxAWSBody)}
	}
	return b, nil
}

// serveAWS answers a CloudWatch operation in protocol p.
func (s *Sim) serveAWS(w http.ResponseWriter, r *http.Request, p proto, op string) {
	if !signed(r) {
		p.fail(w, missingAuth())
		return
	}
	body, aerr := readBody(r)
	if aerr != nil {
		p.fail(w, aerr)
		return
	}
	var out any
	switch op {
	case "GetMetricData":
		var in getMetricDataInput
		if err := p.decode(body, &in); err != nil {
			p.fail(w, malformedInput(err))
			return
		}
		out, aerr = s.getMetricData(&in)
	case "GetMetricStatistics":
		var in getMetricStatisticsInput
		if err := p.decode(body, &in); err != nil {
			p.fail(w, malformedInput(err))
			return
		}
		out, aerr = s.getMetricStatistics(&in)
	case "ListMetrics":
		var in listMetricsInput
		if err := p.decode(body, &in); err != nil {
			p.fail(w, malformedInput(err))
			return
		}
		out, aerr = s.listMetrics(&in)
	default:
		aerr = unknownOperation(op)
	}
	if aerr != nil {
		p.fail(w, aerr)
		return
	}
	p.write(w, op, out)
}
