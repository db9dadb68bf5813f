package cloudwatch

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

// Conditions a caller (and the user) can tell apart; Error wraps one.
var (
	ErrAccessDenied = errors.New("access denied")
	ErrCredentials  = errors.New("credentials missing, expired or not valid")
	ErrEndpoint     = errors.New("endpoint unreachable")
	ErrRegion       = errors.New("no region")
	ErrThrottled    = errors.New("throttled")
)

// Error is a failure the user can fix, said in one line: what was being
// done, what went wrong, what to do. errors.Is matches its Kind.
type Error struct {
	Op   string // "GetMetricData", "StartQuery", "load credentials"
	Kind error  // one of the Err* sentinels
	Msg  string // one line: what went wrong and what to fix
	Err  error  // the SDK's error
}

func (e *Error) Error() string   { return e.Op + ": " + e.Msg }
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

var (
	accessCodes = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized",
		"UnauthorizedException", "AuthorizationError"}
	credentialCodes = []string{"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
		"UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException", "InvalidAccessKeyId"}
)

// permission is the IAM action each operation needs.
var permission = map[string]string{
	"GetMetricData":   "cloudwatch:GetMetricData",
	"ListMetrics":     "cloudwatch:ListMetrics",
	"StopQuery":       "logs:StopQuery",
	"StartQuery":      "logs:StartQuery",
	"GetQueryResults": "logs:GetQueryResults",
}

// explain turns an SDK error into an *Error where the user can fix it, or
// wraps it with the operation otherwise.
func explain(op, endpoint string, err error) error {
	if err == nil {
		return nil
	}
	var own *Error
	if errors.As(err, &own) {
		return err
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, msg := ae.ErrorCode(), oneLine(ae.ErrorMessage())
		switch {
		case contains(accessCodes, code):
			return &Error{Op: op, Kind: ErrAccessDenied, Err: err, Msg: fmt.Sprintf(
				"access denied (%s: %s): allow %s for these credentials (brink collect needs cloudwatch:GetMetricData, logs:StartQuery and logs:GetQueryResults), or use another --profile",
				code, msg, permission[op])}
		case contains(credentialCodes, code):
			return &Error{Op: op, Kind: ErrCredentials, Err: err, Msg: fmt.Sprintf(
				"credentials refused (%s: %s): refresh them (aws sso login --profile NAME, or new keys in the environment) and run again",
				code, msg)}
		}
		return fmt.Errorf("%s: %s: %s", op, code, msg)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return &Error{Op: op, Kind: ErrEndpoint, Err: err, Msg: fmt.Sprintf(
			"cannot resolve %s: check --region (is it a real region, like us-east-1?) or --endpoint-url", dns.Name)}
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return &Error{Op: op, Kind: ErrEndpoint, Err: err, Msg: fmt.Sprintf(
			"nothing answers at %s: check --endpoint-url (is the brink sim or the proxy still running?)", endpoint)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Op: op, Kind: ErrEndpoint, Err: err, Msg: fmt.Sprintf(
			"no answer from %s in time: check the network, --region and --endpoint-url", endpoint)}
	}
	if s := err.Error(); strings.Contains(s, "failed to retrieve credentials") || strings.Contains(s, "failed to refresh cached credentials") ||
		strings.Contains(s, "no EC2 IMDS role found") {
		return credentialsError(op, err)
	}
	if strings.Contains(err.Error(), "ResolveEndpointV2") || strings.Contains(err.Error(), "invalid input region") {
		return &Error{Op: op, Kind: ErrRegion, Err: err, Msg: "no endpoint for this region: pass a real region with --region (us-east-1, eu-west-1, ...)"}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func credentialsError(op string, err error) error {
	hint := "no AWS credentials found"
	// Only an SSO token error means the SSO session ended; an MFA or web
	// identity "token" error is another story.
	var sso *ssocreds.InvalidTokenError
	if errors.As(err, &sso) || strings.Contains(err.Error(), "refresh cached SSO token failed") {
		hint = "the SSO session has expired or was never started"
	}
	return &Error{Op: op, Kind: ErrCredentials, Err: err, Msg: hint +
		": run aws sso login --profile NAME, pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (brink never stores them)"}
}

// isThrottle reports an error AWS means as "slow down".
func isThrottle(err error) bool {
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "LimitExceededException" || ae.ErrorCode() == "TooManyRequestsException")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
