package replay

import (
	"fmt"
	"net/url"
	"strings"

	"brink/internal/yamlx"
)

// urlHost is the host a step's url: names, and whether it names one
// literally: a url whose scheme or host is a template is known only when
// the request is made (and checked then).
func urlHost(u string) (host string, literal bool) {
	rest, ok := strings.CutPrefix(u, "http://")
	if !ok {
		if rest, ok = strings.CutPrefix(u, "https://"); !ok {
			return "", false
		}
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	if rest == "" || strings.Contains(rest, "${") {
		return "", false
	}
	return strings.ToLower(rest), true
}

// checkHosts: brink sends only to the target's host, so the literal hosts
// of a flow's url: steps must be one host (the target's, checked by
// CheckTarget when the target is known).
func (f *Flow) checkHosts() error {
	first, firstStep := "", ""
	for i, s := range f.Steps {
		if s.URL == "" {
			continue
		}
		if !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "${") {
			return errAt(fmt.Sprintf("$.steps[%d].url", i), "url %q: want a full http:// or https:// URL (or path: to join one to --target)", s.URL)
		}
		h, ok := urlHost(s.URL)
		if !ok {
			continue
		}
		if first == "" {
			first, firstStep = h, s.Name
			continue
		}
		if h != first {
			return errAt(fmt.Sprintf("$.steps[%d].url", i), "step %q names host %s but step %q names %s: brink sends only to the target's host, so a flow names one host at most (use path: to follow --target)", s.Name, h, firstStep, first)
		}
	}
	return nil
}

// CheckTarget refuses a flow whose url: steps name a host other than the
// target's, before anything is sent: each such request could only fail.
func (f *Flow) CheckTarget(target string) error {
	t, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	for i, s := range f.Steps {
		if h, ok := urlHost(s.URL); ok && h != strings.ToLower(t.Host) {
			line, col := position(f.raw, fmt.Sprintf("$.steps[%d].url", i))
			return yamlx.At("flow "+f.Source, line, col, "step %q names host %s, not the target's (%s): brink sends only to the target's host (use path: to follow --target)", s.Name, h, t.Host)
		}
	}
	return nil
}
