package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
)

// TestAssumeRoleWithMFA: a profile that assumes a role with mfa_serial gets
// its code from MFAToken, and the real SDK sends it to STS (an httptest
// server on loopback via AWS_ENDPOINT_URL_STS); without MFAToken the
// failure says what is missing.
func TestAssumeRoleWithMFA(t *testing.T) {
	var code atomic.Value
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("Action") != "AssumeRole" {
			http.Error(w, "want AssumeRole", http.StatusBadRequest)
			return
		}
		code.Store(r.Form.Get("TokenCode") + " " + r.Form.Get("SerialNumber"))
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIABRINK</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>
<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/brink/s</Arn><AssumedRoleId>AROABRINK:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`)
	}))
	defer sts.Close()
	dir := t.TempDir()
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfgFile, []byte("[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/brink\nsource_profile = base\n"+
		"mfa_serial = arn:aws:iam::123456789012:mfa/me\nregion = eu-west-1\n"), 0o600)
	os.WriteFile(credFile, []byte("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = secret\n"), 0o600)
	for k, v := range map[string]string{"AWS_CONFIG_FILE": cfgFile, "AWS_SHARED_CREDENTIALS_FILE": credFile, "AWS_ENDPOINT_URL_STS": sts.URL,
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "", "AWS_REGION": ""} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	_, err := Connect(ctx, ConnectOptions{Profile: "mfa"})
	if !errors.Is(err, ErrCredentials) || !strings.Contains(err.Error(), "assumes a role with MFA (mfa_serial)") {
		t.Errorf("without a token provider: %v", err)
	}
	cl, err := Connect(ctx, ConnectOptions{Profile: "mfa", MFAToken: PromptMFA(strings.NewReader("123456\n"), new(strings.Builder))})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := code.Load().(string); got != "123456 arn:aws:iam::123456789012:mfa/me" || cl.Region != "eu-west-1" {
		t.Errorf("STS got token and serial %q, region %s", got, cl.Region)
	}
}

// TestSSOHintOnlyForSSO: the "SSO session expired" hint is given for an
// SSO token error only, not for any error that mentions a token.
func TestSSOHintOnlyForSSO(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&ssocreds.InvalidTokenError{Err: errors.New("the SSO session has expired or is invalid")}, "the SSO session has expired or was never started"},
		{fmt.Errorf("refresh cached SSO token failed, %w", errors.New("x")), "the SSO session has expired or was never started"},
		{errors.New("failed to retrieve credentials: web identity token file not found"), "no AWS credentials found"},
		{errors.New("operation error STS: AssumeRole, invalid MFA token code"), "no AWS credentials found"},
	} {
		if got := credentialsError("load credentials", c.err).Error(); !strings.HasPrefix(got, "load credentials: "+c.want) {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
}
