package sim

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"brink/internal/awshttp"
)

func (c *cwSim) logsClient() *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(c.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDBRINK", "secret", ""),
		HTTPClient:       awshttp.Wrap(c.srv.Client()),
		RetryMaxAttempts: 1,
	})
}

// TestLogsInsightsColdStarts runs the cold-start query through the real
// cloudwatchlogs client and checks it against the sim's tallies.
func TestLogsInsightsColdStarts(t *testing.T) {
	cfg := fastModel()
	cfg.Lambda.IdleTimeout = 20 * time.Second
	c := newCWSim(t, cfg)
	c.traffic(t)
	time.Sleep(c.s.clock.WallDuration(40 * time.Second)) // every environment goes cold
	c.traffic(t)
	k := c.s.Counters()
	if k.ColdStarts.Load() < 2 {
		t.Fatalf("only %d cold starts: the idle timeout should have forced a second", k.ColdStarts.Load())
	}
	cl := c.logsClient()
	ctx := context.Background()
	from, to := c.window()
	start, err := cl.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(c.s.LogGroup()),
		StartTime:    aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix()),
		QueryString: aws.String(`filter @type = "REPORT"
			| stats count(*) as invocations, sum(strcontains(@message, "Init Duration")) as cold_starts by bin(1m)`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var res *cloudwatchlogs.GetQueryResultsOutput
	for range 50 { // a client polls until Complete
		if res, err = cl.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId}); err != nil {
			t.Fatal(err)
		}
		if res.Status == types.QueryStatusComplete {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if res.Status != types.QueryStatusComplete || len(res.Results) == 0 {
		t.Fatalf("status %s, %d rows", res.Status, len(res.Results))
	}
	var inv, cold int
	for _, row := range res.Results {
		if len(row) != 3 || aws.ToString(row[0].Field) != "bin(1m)" {
			t.Fatalf("row %v: want bin(1m), invocations, cold_starts", row)
		}
		if _, err := time.Parse("2006-01-02 15:04:05.000", aws.ToString(row[0].Value)); err != nil {
			t.Errorf("bin value: %v", err)
		}
		n, _ := strconv.Atoi(aws.ToString(row[1].Value))
		c, _ := strconv.Atoi(aws.ToString(row[2].Value))
		inv, cold = inv+n, cold+c
	}
	if inv != int(k.Requests.Load()) || cold != int(k.ColdStarts.Load()) {
		t.Errorf("query counted %d invocations, %d cold starts; the sim %d and %d", inv, cold, k.Requests.Load(), k.ColdStarts.Load())
	}
	if res.Statistics == nil || int(res.Statistics.RecordsMatched) != inv {
		t.Errorf("statistics %+v, want recordsMatched %d", res.Statistics, inv)
	}
}

func TestLogsInsightsErrors(t *testing.T) {
	c := newCWSim(t, fastModel())
	cl := c.logsClient()
	ctx := context.Background()
	in := func(group, q string) *cloudwatchlogs.StartQueryInput {
		return &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String(group), StartTime: aws.Int64(0),
			EndTime: aws.Int64(time.Now().Unix()), QueryString: aws.String(q)}
	}
	for _, q := range []string{
		`parse @message "Duration: * ms" as d | stats avg(d)`,
		`filter @type = "REPORT" | stats avg(@duration) by @requestId`,
		`stats count(*) by bin(0m)`,
		`filter @duration > `,
	} {
		_, err := cl.StartQuery(ctx, in(c.s.LogGroup(), q))
		var mq *types.MalformedQueryException
		if !errors.As(err, &mq) || !strings.Contains(mq.ErrorMessage(), "docs/sim.md") {
			t.Errorf("%s: %v, want MalformedQueryException saying what is answered", q, err)
		}
	}
	var err error
	_, err = cl.StartQuery(ctx, in("/aws/lambda/nope", supportedQuery))
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown log group: %v, want ResourceNotFoundException", err)
	}
	_, err = cl.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("no-such-query")})
	if !errors.As(err, &nf) {
		t.Errorf("unknown query id: %v, want ResourceNotFoundException", err)
	}
}
