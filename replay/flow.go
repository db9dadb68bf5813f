package replay

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"brink/internal/yamlx"
)

//go:embed flows/chat.yaml
var defaultFlowYAML []byte

// Flow is a declarative session flow (docs/flows.md). Steps marked Once run
// once per virtual user (and again after a 401); the others form a chat
// session, run in order, again and again until the run stops.
type Flow struct {
	Name     string            `yaml:"name"`
	Headers  map[string]string `yaml:"headers"`   // sent with every step
	Timeout  time.Duration     `yaml:"timeout"`   // per request, scenario time; default 30 s
	Think    *Think            `yaml:"think"`     // default think time before repeated steps
	Users    string            `yaml:"users"`     // CSV of test users, one per virtual user
	CABundle string            `yaml:"ca_bundle"` // PEM file of extra trusted CAs
	Proxy    string            `yaml:"proxy"`     // HTTP proxy URL
	Steps    []Step            `yaml:"steps"`

	Source string `yaml:"-"` // file name, or "builtin:chat"
	SHA256 string `yaml:"-"` // of the file's bytes
	dir    string // the file's directory: relative paths resolve against it
	raw    []byte // the file's text, to name a line in later errors
}

// Step is one request of the flow.
type Step struct {
	Name    string            `yaml:"name"`
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"` // path template, joined to --target
	URL     string            `yaml:"url"`  // or a full URL template (its host must be the target's)
	Headers map[string]string `yaml:"headers"`
	Body    any               `yaml:"body"` // JSON body template (strings are templated)
	Timeout time.Duration     `yaml:"timeout"`
	Once    bool              `yaml:"once"`
	Turns   *Turns            `yaml:"turns"` // repeat think → this step
	Think   *Think            `yaml:"think"`
	Extract map[string]string `yaml:"extract"` // variable → "$.json.path" or "header:Name"
	Secret  []string          `yaml:"secret"`  // extracted variables to mask (token-like names are masked anyway)
	Check   *Check            `yaml:"check"`
	Usage   *Usage            `yaml:"usage"`
	Stream  string            `yaml:"stream"` // "" or "sse"
	// MaxEventBytes and MaxStreamBytes cap one server-sent event's data and
	// a whole stream (defaults 1 MiB and 64 MiB): past a cap the request
	// is error too_large and the rest is not read, so a stream that never
	// ends cannot fill the generator's memory.
	MaxEventBytes  int64  `yaml:"max_event_bytes"`
	MaxStreamBytes int64  `yaml:"max_stream_bytes"`
	Retry429       int    `yaml:"retry_429"` // retries after a 429, honouring Retry-After
	Expires        string `yaml:"expires"`   // once steps: "$.path" of a lifetime in seconds; log in again after it

	paths     map[string]jsonPath // every JSON path above, parsed once by check
	fixedBody []byte              // the body's bytes when it has no template (fixBody)
	// secretVars and credHeaders: which extracted variables and header
	// names hold credentials (secrets).
	secretVars, credHeaders map[string]bool
}

// Check says what a good answer looks like; a failed check is error assert.
type Check struct {
	Status []int    `yaml:"status"` // default: any 2xx
	Fields []string `yaml:"fields"` // JSON paths that must be present
}

// Usage says where the answer keeps its token counts and model id.
type Usage struct {
	InputTokens  string `yaml:"input_tokens"`
	OutputTokens string `yaml:"output_tokens"`
	Model        string `yaml:"model"`
}

// Turns is how many times a step repeats in a session: a fixed count, a
// uniform range, or "recorded" (as many as the corpus session has questions).
type Turns struct {
	Min, Max int
	Recorded bool
}

// UnmarshalYAML reads 4, {min: 3, max: 6} or "recorded".
func (t *Turns) UnmarshalYAML(unmarshal func(any) error) error {
	var n int
	if err := unmarshal(&n); err == nil {
		t.Min, t.Max = n, n
		return nil
	}
	var s string
	if err := unmarshal(&s); err == nil {
		if s != "recorded" {
			return fmt.Errorf("turns %q: want a number, {min, max} or \"recorded\"", s)
		}
		t.Recorded = true
		return nil
	}
	var r struct {
		Min int `yaml:"min"`
		Max int `yaml:"max"`
	}
	if err := unmarshal(&r); err != nil {
		return fmt.Errorf("turns: want a number, {min, max} or \"recorded\"")
	}
	t.Min, t.Max = r.Min, r.Max
	return nil
}

// knownFlowKeys feeds "did you mean" hints: every yaml key of Flow and
// what it holds.
var knownFlowKeys = yamlx.Keys(Flow{})

// DefaultFlow is the built-in chat journey (replay/flows/chat.yaml).
func DefaultFlow() *Flow {
	f, err := ParseFlow("builtin:chat", defaultFlowYAML)
	if err != nil {
		panic(err) // the embedded flow is tested
	}
	return f
}

// DefaultFlowYAML is the text of the built-in flow, for `brink validate --print-default`.
func DefaultFlowYAML() []byte { return append([]byte(nil), defaultFlowYAML...) }

// LoadFlow reads and checks a flow file.
func LoadFlow(path string) (*Flow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	f, err := ParseFlow(path, b)
	if err != nil {
		return nil, err
	}
	f.dir = filepath.Dir(path)
	return f, nil
}

// ParseFlow decodes and checks a flow; errors name file:line:col.
func ParseFlow(file string, data []byte) (*Flow, error) {
	var f Flow
	if err := yamlx.Decode("flow "+file, data, &f, knownFlowKeys); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f.Source, f.SHA256, f.raw = file, hex.EncodeToString(sum[:]), data
	if err := f.check(); err != nil {
		var pe *posError
		if ok := asPosError(err, &pe); ok {
			line, col := position(data, pe.path)
			return nil, yamlx.At("flow "+file, line, col, "%s", pe.msg)
		}
		return nil, fmt.Errorf("flow %s: %w", file, err)
	}
	return &f, nil
}

// posError is a semantic error at a YAML path, resolved to a line later.
type posError struct {
	path string // e.g. $.steps[2].think.dist
	msg  string
}

func (e *posError) Error() string { return e.path + ": " + e.msg }

func asPosError(err error, target **posError) bool {
	pe, ok := err.(*posError)
	if ok {
		*target = pe
	}
	return ok
}

func errAt(path, format string, a ...any) error {
	return &posError{path: path, msg: fmt.Sprintf(format, a...)}
}

// position finds the line and column of a YAML path (0, 0 if unknown).
func position(data []byte, p string) (int, int) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return 0, 0
	}
	for p != "" && p != "$" {
		yp, err := yaml.PathString(p)
		if err == nil {
			if n, err := yp.FilterFile(file); err == nil && n != nil {
				if tok := n.GetToken(); tok != nil && tok.Position != nil {
					return tok.Position.Line, tok.Position.Column
				}
			}
		}
		// Walk up to the parent (the key may be missing).
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return 0, 0
}

// FlowSummary is what brink validate says of a flow that passed its checks.
type FlowSummary struct {
	File  string        `json:"file"`
	Name  string        `json:"name"`
	OK    bool          `json:"ok"`
	Steps []StepSummary `json:"steps"`
}

// StepSummary is one step of a FlowSummary.
type StepSummary struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	Target string `json:"target"` // its path, or its url
	Kind   string `json:"kind"`   // once, session, "turns: 3-6" or "turns: recorded"
	Think  string `json:"think,omitempty"`
	Stream string `json:"stream,omitempty"`
}

// Summary describes the flow step by step.
func (f *Flow) Summary(file string) FlowSummary {
	out := FlowSummary{File: file, Name: f.Name, OK: true, Steps: []StepSummary{}}
	for _, s := range f.Steps {
		st := StepSummary{Name: s.Name, Method: s.Method, Target: s.Path, Kind: "session", Stream: s.Stream}
		if st.Target == "" {
			st.Target = s.URL
		}
		switch {
		case s.Once:
			st.Kind = "once"
		case s.Turns != nil && s.Turns.Recorded:
			st.Kind = "turns: recorded"
		case s.Turns != nil:
			st.Kind = fmt.Sprintf("turns: %d-%d", s.Turns.Min, s.Turns.Max)
		}
		if s.Think != nil {
			st.Think = s.Think.String()
		}
		out.Steps = append(out.Steps, st)
	}
	return out
}
