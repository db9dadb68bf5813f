package replay

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"brink"
)

// templateVars lists the ${...} names in s.
func templateVars(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, s[i+2:i+j])
		s = s[i+j+1:]
	}
}

// vars is a virtual user's variables. Secret values (from ${env:...}, and
// extracted variables that look like credentials) are remembered so output
// meant for people can mask them.
type vars struct {
	m       map[string]string
	secrets map[string]bool // secret values
	shared  *brink.Secrets  // the run's, told each new secret value
}

func newVars(shared *brink.Secrets) *vars {
	return &vars{m: map[string]string{}, secrets: map[string]bool{}, shared: shared}
}

// secret remembers a value of this user's to mask. A user's secrets stay
// with it (a shared set would take a lock on every login of every user):
// an error leaving the user goes through redact.
func (v *vars) secret(val string) {
	if val != "" {
		v.secrets[val] = true
	}
}

// secretHeader remembers a credential header's secrets (brink.HeaderSecrets).
func (v *vars) secretHeader(name, val string) {
	if v.secrets[val] {
		return // sent before: known
	}
	for _, s := range brink.HeaderSecrets(name, val) {
		v.secret(s)
	}
}

// redact masks the run's secrets and this user's in err, in every form an
// error prints them.
func (v *vars) redact(err error) error {
	return v.secretSet().Err(v.shared.Err(err))
}

// secretSet is this user's secrets as a set that knows their forms; built
// only when something must be masked (a dry run's lines, a failing run).
func (v *vars) secretSet() *brink.Secrets {
	var s brink.Secrets
	for val := range v.secrets {
		s.Add(val)
	}
	return &s
}

// expand replaces ${name}, ${env:NAME} and ${user.col} in s.
func (v *vars) expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		val, err := v.lookup(name)
		if err != nil {
			return "", err
		}
		b.WriteString(val)
		s = s[i+j+1:]
	}
}

func (v *vars) lookup(name string) (string, error) {
	if env, ok := strings.CutPrefix(name, "env:"); ok {
		val, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set (the flow uses ${env:%s})", env, env)
		}
		v.secret(val)
		v.shared.Add(val) // the same for every user: the run masks it everywhere
		return val, nil
	}
	val, ok := v.m[name]
	if !ok {
		return "", fmt.Errorf("variable ${%s} has no value yet", name)
	}
	return val, nil
}

func (v *vars) set(name, val string, secret bool) {
	v.m[name] = val
	if secret {
		v.secret(val)
	}
}

// looksSecret: names of variables masked without being declared secret.
func looksSecret(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"token", "password", "secret", "key", "auth", "cookie", "session_key"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// mask replaces every secret of the run's and this user's, in every
// written form, with ****.
func (v *vars) mask(s string) string { return v.secretSet().Redact(v.shared.Redact(s)) }

// expandBody renders a body template as JSON: strings are expanded (and
// JSON-escaped by the encoder), everything else is kept.
func (v *vars) expandBody(body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	if s, ok := body.(string); ok {
		out, err := v.expand(s)
		return []byte(out), err
	}
	var walk func(x any) (any, error)
	walk = func(x any) (any, error) {
		switch t := x.(type) {
		case string:
			return v.expand(t)
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, e := range t {
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[k] = r
			}
			return out, nil
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				r, err := walk(e)
				if err != nil {
					return nil, err
				}
				out[i] = r
			}
			return out, nil
		default:
			return t, nil
		}
	}
	r, err := walk(body)
	if err != nil {
		return nil, err
	}
	return json.Marshal(r)
}
