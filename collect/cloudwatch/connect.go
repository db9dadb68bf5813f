package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstransport "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"brink/internal/awshttp"
)

// ConnectOptions say where the clients talk to and as whom.
type ConnectOptions struct {
	Region   string // default: the environment's or the profile's region
	Profile  string // a shared-config profile (~/.aws/config), default: AWS_PROFILE or default
	Endpoint string // base URL replacing AWS's (brink sim, a proxy, LocalStack)
	// Static signs with fixed dummy credentials instead of the default chain:
	// for brink sim, which only checks that a request is SigV4-signed.
	Static     bool
	HTTPClient *http.Client // default: the SDK's
}

// Clients are the SDK clients Collect uses.
type Clients struct {
	Metrics *cloudwatch.Client
	Logs    *cloudwatchlogs.Client
	Region  string
}

// SimRegion is the region named when talking to brink sim (any would do).
const SimRegion = "us-east-1"

// Connect builds CloudWatch and CloudWatch Logs clients. Without Static it
// uses the SDK's default credential chain (environment, shared profiles,
// SSO, web identity, container and instance roles) and checks that it
// yields credentials, so a missing login fails here in one line.
// Credentials stay in memory; brink never writes them.
func Connect(ctx context.Context, o ConnectOptions) (Clients, error) {
	var cfg aws.Config
	if o.Static {
		cfg = aws.Config{Region: o.Region, Credentials: credentials.NewStaticCredentialsProvider("BRINKSIM", "brink-sim", "")}
		if cfg.Region == "" {
			cfg.Region = SimRegion
		}
	} else {
		var load []func(*config.LoadOptions) error
		if o.Region != "" {
			load = append(load, config.WithRegion(o.Region))
		}
		if o.Profile != "" {
			load = append(load, config.WithSharedConfigProfile(o.Profile))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, load...); err != nil {
			var pe config.SharedConfigProfileNotExistError
			if errors.As(err, &pe) {
				return Clients{}, &Error{Op: "load AWS config", Kind: ErrCredentials, Err: err,
					Msg: fmt.Sprintf("profile %q is not in ~/.aws/config or ~/.aws/credentials: check --profile (aws configure list-profiles)", pe.Profile)}
			}
			return Clients{}, fmt.Errorf("load AWS config: %w", err)
		}
		if cfg.Region == "" {
			return Clients{}, &Error{Op: "load AWS config", Kind: ErrRegion,
				Msg: "no AWS region: pass --region (the region of the API under test), or set AWS_REGION or the profile's region"}
		}
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			if ctx.Err() != nil {
				return Clients{}, ctx.Err()
			}
			return Clients{}, credentialsError("load credentials", err)
		}
	}
	// Every SDK call goes through awshttp: smithy-go races net/http over
	// the request body and now and then cuts an answer short (see there).
	var next awshttp.Doer
	if o.HTTPClient != nil {
		next = o.HTTPClient
	} else if cfg.HTTPClient != nil {
		next = cfg.HTTPClient
	} else {
		next = awstransport.NewBuildableClient() // the SDK's own default
	}
	cfg.HTTPClient = awshttp.Wrap(next)
	ep := strings.TrimRight(o.Endpoint, "/")
	cw := cloudwatch.NewFromConfig(cfg, func(co *cloudwatch.Options) {
		if ep != "" {
			co.BaseEndpoint = aws.String(ep)
		}
	})
	lg := cloudwatchlogs.NewFromConfig(cfg, func(lo *cloudwatchlogs.Options) {
		if ep != "" {
			lo.BaseEndpoint = aws.String(ep)
		}
	})
	return Clients{Metrics: cw, Logs: lg, Region: cfg.Region}, nil
}
