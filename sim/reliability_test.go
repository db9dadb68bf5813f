package sim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"brink/internal/awshttp"
)

// traceWrites counts requests whose writing failed. With smithy-go's body
// race, about one request in fifteen failed its final body check (io.EOF
// from a closed body) and lost its connection, and one in a few hundred
// lost the answer with it.
type traceWrites struct {
	next   http.RoundTripper
	failed atomic.Int64
}

func (tw *traceWrites) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err != nil {
			tw.failed.Add(1)
		}
	}})
	return tw.next.RoundTrip(r.WithContext(ctx))
}

// TestThousandCallsPerProtocol makes 1,000 consecutive calls per protocol,
// each with a body and a multi-kilobyte answer, one attempt each: none may
// fail, and no request write may fail either (awshttp, see there).
func TestThousandCallsPerProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("3,000 CloudWatch calls: skipped with -short")
	}
	cfg := fastModel()
	cfg.DynamoDB.Tables = nil
	for i := range 20 { // 160 DynamoDB series (8 a table): an answer of about 24 KB
		cfg.DynamoDB.Tables = append(cfg.DynamoDB.Tables, TableConf{Name: fmt.Sprintf("table-%02d", i), ItemKB: 1, WriteCapacity: 10})
	}
	cfg.DynamoDB.BeforeModel = 0
	c := newCWSim(t, cfg)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			tw := &traceWrites{next: c.srv.Client().Transport}
			cl := cloudwatch.New(cloudwatch.Options{
				Region: "us-east-1", BaseEndpoint: aws.String(c.srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("AKIDBRINK", "secret", ""),
				HTTPClient:  awshttp.Wrap(&http.Client{Transport: tw}), RetryMaxAttempts: 1}, p.set)
			for i := range 1000 {
				// A filter gives every protocol a request body to race.
				out, err := cl.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{Namespace: aws.String(NSDynamoDB)})
				if err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
				if len(out.Metrics) != 160 {
					t.Fatalf("call %d: %d metrics, want 160", i+1, len(out.Metrics))
				}
			}
			if n := tw.failed.Load(); n != 0 {
				t.Errorf("%d request writes failed", n)
			}
		})
	}
}
