package replay

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"brink"
)

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// check validates the flow and fills defaults. Errors carry the YAML path.
func (f *Flow) check() error {
	if f.Name == "" {
		f.Name = "flow"
	}
	if f.Timeout == 0 {
		f.Timeout = 30 * time.Second
	}
	if f.Timeout < 0 {
		return errAt("$.timeout", "timeout %v must be positive", f.Timeout)
	}
	if f.Think != nil {
		if err := f.Think.check("$.think"); err != nil {
			return err
		}
	}
	if len(f.Steps) == 0 {
		return errAt("$", "a flow needs steps: at least one request")
	}
	if err := f.checkHosts(); err != nil {
		return err
	}
	names := map[string]bool{}
	defined := map[string]bool{"vu": true, "session": true, "turn": true, "question": true}
	sessionSteps := 0
	for i := range f.Steps {
		s := &f.Steps[i]
		at := fmt.Sprintf("$.steps[%d]", i)
		if s.Name == "" {
			return errAt(at, "step %d has no name", i+1)
		}
		if names[s.Name] {
			return errAt(at+".name", "step name %q is used twice", s.Name)
		}
		names[s.Name] = true
		if body, ok := s.Body.(map[string]any); ok {
			// A literal Bedrock model id must be one brink knows and prices.
			if m, ok := body["model"].(string); ok && !strings.Contains(m, "${") && brink.LooksLikeBedrockModel(m) && !brink.KnownModel(m) {
				return errAt(at+".body.model", "model %q is not a Bedrock model brink knows: use one of %s", m, strings.Join(brink.KnownModels, ", "))
			}
		}
		if s.Method == "" {
			s.Method = http.MethodPost
		}
		s.Method = strings.ToUpper(s.Method)
		if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}, s.Method) {
			return errAt(at+".method", "method %q: want GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", s.Method)
		}
		switch {
		case s.Path == "" && s.URL == "":
			return errAt(at, "step %q needs a path (joined to --target) or a url", s.Name)
		case s.Path != "" && s.URL != "":
			return errAt(at+".url", "step %q has both path and url: keep one", s.Name)
		case s.Path != "" && !strings.HasPrefix(s.Path, "/"):
			return errAt(at+".path", "path %q must start with /", s.Path)
		}
		if s.Timeout < 0 {
			return errAt(at+".timeout", "timeout %v must be positive", s.Timeout)
		}
		if s.Timeout == 0 {
			s.Timeout = f.Timeout
		}
		if s.Once && s.Turns != nil {
			return errAt(at+".turns", "a once step cannot repeat (turns)")
		}
		if s.Turns != nil && !s.Turns.Recorded && (s.Turns.Min < 1 || s.Turns.Max < s.Turns.Min) {
			return errAt(at+".turns", "turns min %d max %d: want 1 <= min <= max", s.Turns.Min, s.Turns.Max)
		}
		if s.Think != nil {
			if err := s.Think.check(at + ".think"); err != nil {
				return err
			}
		}
		if s.Stream != "" && s.Stream != "sse" {
			return errAt(at+".stream", "stream %q: the only streaming kind is \"sse\"", s.Stream)
		}
		if s.Retry429 < 0 || s.Retry429 > 10 {
			return errAt(at+".retry_429", "retry_429 %d: want 0 to 10 retries", s.Retry429)
		}
		if s.Expires != "" && !s.Once {
			return errAt(at+".expires", "expires belongs on a once (login) step")
		}
		// Variables used must be defined by an earlier step (or be built in).
		for _, tmpl := range s.templates() {
			for _, v := range templateVars(tmpl) {
				if strings.HasPrefix(v, "env:") || strings.HasPrefix(v, "user.") {
					continue
				}
				if !defined[v] {
					return errAt(at, "step %q uses ${%s}, which no earlier step extracts (known: %s)", s.Name, v, strings.Join(sortedKeys(defined), ", "))
				}
			}
		}
		if err := s.fixBody(); err != nil {
			return errAt(at+".body", "the body cannot be sent as JSON: %v (numbers must be finite)", err)
		}
		s.secrets(f.Headers)
		for name, path := range s.Extract {
			if !varName.MatchString(name) {
				return errAt(at+".extract", "variable name %q: use letters, digits and _", name)
			}
			if !strings.HasPrefix(path, "$") && !strings.HasPrefix(path, "header:") {
				return errAt(at+".extract."+name, "extract %s: %q is neither a JSON path ($.a.b) nor header:Name", name, path)
			}
			if strings.HasPrefix(path, "$") {
				if err := s.compile(path); err != nil {
					return errAt(at+".extract."+name, "extract %s: %v", name, err)
				}
			}
			defined[name] = true
		}
		if s.Check != nil {
			for i, p := range s.Check.Fields {
				if !strings.HasPrefix(p, "$") {
					p = "$." + p
					s.Check.Fields[i] = p
				}
				if err := s.compile(p); err != nil {
					return errAt(at+".check.fields", "field %q: %v", p, err)
				}
			}
		}
		if s.Usage != nil {
			for _, p := range []string{s.Usage.InputTokens, s.Usage.OutputTokens, s.Usage.Model} {
				if err := s.compile(p); err != nil {
					return errAt(at+".usage", "usage path %q: %v", p, err)
				}
			}
		}
		if err := s.compile(s.Expires); err != nil {
			return errAt(at+".expires", "expires path %q: %v", s.Expires, err)
		}
		if !s.Once {
			sessionSteps++
		}
	}
	if sessionSteps == 0 {
		return errAt("$.steps", "every step is once: a session needs at least one step that is not once")
	}
	return nil
}

// templates lists the step's templated strings.
func (s *Step) templates() []string {
	out := []string{s.Path, s.URL}
	for _, v := range s.Headers {
		out = append(out, v)
	}
	return append(out, bodyStrings(s.Body)...)
}

// bodyStrings lists the strings in a body template.
func bodyStrings(body any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(body)
	return out
}

// secrets finds, once at load, which extracted variables and which headers
// (the flow's and the step's) hold credentials to mask: asking for every
// request lower-cased names (1% of the generator's core).
func (s *Step) secrets(flowHeaders map[string]string) {
	vars, headers := map[string]bool{}, map[string]bool{}
	for name := range s.Extract {
		vars[name] = s.secretVar(name)
	}
	for _, hs := range []map[string]string{flowHeaders, s.Headers} {
		for name := range hs {
			headers[name] = s.credHeader(name)
		}
	}
	s.secretVars, s.credHeaders = vars, headers
}

// secretVar tells whether an extracted variable holds a credential: as
// secrets found at load, or now for a name it did not see (a flow that was
// not checked).
func (s *Step) secretVar(name string) bool {
	if secret, known := s.secretVars[name]; known {
		return secret
	}
	return looksSecret(name) || slices.Contains(s.Secret, name)
}

// credHeader is secretVar for a header name (brink.CredentialHeader).
func (s *Step) credHeader(name string) bool {
	if cred, known := s.credHeaders[name]; known {
		return cred
	}
	return brink.CredentialHeader(name)
}

// fixBody makes the bytes of a body without a template once, at load: the
// same bytes expanding it would make for every request (a JSON encoding
// each time was 2% of the generator's core on the session flow).
func (s *Step) fixBody() error {
	for _, str := range bodyStrings(s.Body) {
		if strings.Contains(str, "${") {
			return nil
		}
	}
	b, err := (&vars{}).expandBody(s.Body)
	s.fixedBody = b
	return err
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// compile parses a JSON path once, at load, for every answer to use.
func (s *Step) compile(path string) error {
	if path == "" {
		return nil
	}
	p, err := parseJSONPath(path)
	if err != nil {
		return err
	}
	if s.paths == nil {
		s.paths = map[string]jsonPath{}
	}
	s.paths[path] = p
	return nil
}

// lookup finds a compiled path's value in a decoded answer; false when the
// path is empty or absent.
func (s *Step) lookup(doc any, path string) (any, bool) {
	p, ok := s.paths[path]
	if !ok {
		return nil, false
	}
	return p.lookup(doc)
}

// lookupFloat is lookup for a JSON number.
func (s *Step) lookupFloat(doc any, path string) (float64, bool) {
	v, ok := s.lookup(doc, path)
	f, isNum := v.(float64)
	return f, ok && isNum
}
