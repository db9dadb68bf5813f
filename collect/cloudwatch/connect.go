package cloudwatch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstransport "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
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
	// MFAToken gives the code of the MFA device an AssumeRole profile names
	// (mfa_serial); nil: such a profile fails with a message saying so.
	MFAToken func() (string, error)
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
		if o.MFAToken != nil {
			load = append(load, config.WithAssumeRoleCredentialOptions(func(ao *stscreds.AssumeRoleOptions) { ao.TokenProvider = o.MFAToken }))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, load...); err != nil {
			var pe config.SharedConfigProfileNotExistError
			var mfa config.AssumeRoleTokenProviderNotSetError
			if errors.As(err, &mfa) {
				return Clients{}, &Error{Op: "load AWS config", Kind: ErrCredentials, Err: err,
					Msg: "the profile assumes a role with MFA (mfa_serial) and no MFA code can be asked for here: run brink collect on a terminal, or use credentials without MFA"}
			}
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

// PromptMFA asks for an MFA code on out and reads one line of in: the
// MFAToken of a command run on a terminal.
func PromptMFA(in io.Reader, out io.Writer) func() (string, error) {
	r := bufio.NewReader(in)
	return func() (string, error) {
		fmt.Fprint(out, "MFA code for the role the profile assumes: ")
		line, err := r.ReadString('\n')
		if code := strings.TrimSpace(line); code != "" {
			return code, nil
		}
		if err == nil {
			err = errors.New("empty")
		}
		return "", fmt.Errorf("read MFA code: %w", err)
	}
}
