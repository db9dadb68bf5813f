package brink

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// RedactURL is a URL as brink writes or prints it: without credentials,
// query or fragment, which may carry secrets.
func RedactURL(target string) string {
	if target == "" {
		return ""
	}
	u, err := url.Parse(target)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// Secrets are the values brink must never write or print: those that came
// from ${env:...}, a URL's user and password, an Authorization header and
// tokens extracted from answers. Redact masks them in text that leaves the
// recorder (errors, stop reasons, warnings). Safe for concurrent use; Add is
// cheap (a run of 100,000 users adds a token each), Redact builds its
// replacer once per change.
type Secrets struct {
	mu       sync.RWMutex
	forms    map[string]bool   // every written form of every value
	replacer *strings.Replacer // of forms, longest first; nil when stale
}

// minSecret is the shortest value masked: shorter ones would garble text
// without hiding anything worth hiding.
const minSecret = 3

// Add remembers a secret value in each form an error may print it: as is,
// quoted by %q, escaped for a URL path or query, and each run of it
// between control characters (which any quoting rewrites).
func (s *Secrets) Add(v string) {
	if s == nil || len(v) < minSecret {
		return
	}
	s.mu.RLock()
	known := s.forms[v]
	s.mu.RUnlock()
	if known {
		return
	}
	q := strconv.Quote(v)
	forms := []string{v, q[1 : len(q)-1], url.PathEscape(v), url.QueryEscape(v)}
	forms = append(forms, strings.FieldsFunc(v, unicode.IsControl)...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forms == nil {
		s.forms = map[string]bool{}
	}
	for _, f := range forms {
		if len(f) >= minSecret && !s.forms[f] {
			s.forms[f] = true
			s.replacer = nil
		}
	}
}

// AddURL remembers a URL's user and password.
func (s *Secrets) AddURL(target string) {
	u, err := url.Parse(target)
	if err != nil || u.User == nil {
		return
	}
	s.Add(u.User.Username())
	if p, ok := u.User.Password(); ok {
		s.Add(p)
	}
}

// AddHeader remembers the value of a header that carries credentials
// (Authorization, Proxy-Authorization, Cookie, and API keys), and the
// credentials after its scheme ("Bearer ...").
func (s *Secrets) AddHeader(name, value string) {
	for _, v := range HeaderSecrets(name, value) {
		s.Add(v)
	}
}

// HeaderSecrets are the values of a header to keep secret: none unless it
// carries credentials (CredentialHeader), else the value and the
// credentials after its scheme ("Bearer ...").
func HeaderSecrets(name, value string) []string {
	if !CredentialHeader(name) {
		return nil
	}
	if _, cred, ok := strings.Cut(value, " "); ok {
		return []string{value, strings.TrimSpace(cred)}
	}
	return []string{value}
}

// CredentialHeader tells whether a header's value is a credential.
func CredentialHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "authorization" || n == "proxy-authorization" || n == "cookie" || strings.Contains(n, "api-key") || strings.Contains(n, "token")
}

// Redact is text with every secret masked as ****.
func (s *Secrets) Redact(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	r, n := s.replacer, len(s.forms)
	s.mu.RUnlock()
	if n == 0 {
		return text
	}
	if r == nil {
		s.mu.Lock()
		if s.replacer == nil {
			// Longest first: the replacer tries them in order, so a value
			// containing another is masked whole.
			forms := slices.SortedFunc(maps.Keys(s.forms), func(a, b string) int { return len(b) - len(a) })
			pairs := make([]string, 0, 2*len(forms))
			for _, f := range forms {
				pairs = append(pairs, f, "****")
			}
			s.replacer = strings.NewReplacer(pairs...)
		}
		r = s.replacer
		s.mu.Unlock()
	}
	return r.Replace(text)
}

// Err is err with its message redacted; errors.Is and As still see the
// errors it wraps.
func (s *Secrets) Err(err error) error {
	if err == nil || s == nil {
		return err
	}
	if msg := s.Redact(err.Error()); msg != err.Error() {
		return redactedError{msg, err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }
