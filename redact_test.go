package brink

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Every written form of a secret is masked: as is, %q-quoted, URL-escaped,
// and the runs between its control characters (which quoting rewrites).
func TestSecretsRedactForms(t *testing.T) {
	var s Secrets
	val := "pa ss/w0rd\tsecond-half"
	s.Add(val)
	s.AddURL("http://alice-user:url-pass@host:1/x")
	s.AddHeader("Authorization", "Bearer tok_abcdef")
	s.AddHeader("X-Trace", "not-a-secret")
	s.Add("ab") // too short to mask usefully
	for _, text := range []string{
		val,
		fmt.Sprintf("%q", val),
		url.PathEscape(val),
		url.QueryEscape(val),
		`parse "http://h/x/pa ss/w0rd` + "\t" + `second-half": invalid control character in URL`,
		"http://alice-user:url-pass@host:1/x",
		"Authorization: Bearer tok_abcdef",
		"tok_abcdef",
	} {
		got := s.Redact(text)
		for _, leak := range []string{"pa ss", "w0rd", "second-half", "alice-user", "url-pass", "tok_abcdef"} {
			if strings.Contains(got, leak) {
				t.Errorf("Redact(%q) = %q: %q is still there", text, got, leak)
			}
		}
		if !strings.Contains(got, "****") {
			t.Errorf("Redact(%q) = %q: nothing masked", text, got)
		}
	}
	if got := s.Redact("X-Trace: not-a-secret, ab"); got != "X-Trace: not-a-secret, ab" {
		t.Errorf("a value that is no secret was masked: %q", got)
	}
	base := errors.New("dial: http://alice-user:url-pass@host:1/x refused")
	err := s.Err(fmt.Errorf("record: %w", base))
	if strings.Contains(err.Error(), "url-pass") || !errors.Is(err, base) {
		t.Errorf("Err = %v (errors.Is %v)", err, errors.Is(err, base))
	}
	var none *Secrets
	if none.Redact("x") != "x" || none.Err(base) != base {
		t.Error("a nil set changes text")
	}
}

// BenchmarkSecretsAdd: a run of many users adds one token per login; the
// cost per Add must not grow with the number already known (it was a
// linear search and a sort per Add).
func BenchmarkSecretsAdd(b *testing.B) {
	var s Secrets
	for i := range 100_000 {
		s.Add(fmt.Sprintf("tok_%08d", i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add(fmt.Sprintf("tok_x%09d", i))
	}
}
