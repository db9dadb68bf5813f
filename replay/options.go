package replay

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"brink"
)

// Sink receives every trace row. brink's Parquet TraceWriter is one.
type Sink interface {
	Write(brink.Trace) error
}

// Budget meters what a run spends as traces come in (cmd wires a
// pricing.Meter): the run ends at once, status stopped, when Observe says
// the run is over its limit.
type Budget interface {
	Observe(t brink.Trace) (spentUSD float64, over bool)
}

// SessionSource hands each new chat session its questions (a Picker over
// a corpus).
type SessionSource interface {
	Next(vu int32) Session
}

// Options configure a run. Zero values take the documented defaults.
type Options struct {
	Target    string // base URL of the API, e.g. http://127.0.0.1:8080
	RunID     string
	Flow      *Flow            // default DefaultFlow()
	Sessions  SessionSource    // default: DefaultCorpus() sampled with Seed
	Plan      brink.Plan       // default brink.DefaultPlan()
	StopRules []brink.StopRule // nil: brink.DefaultStopRules(); empty non-nil: none
	Clock     brink.Clock      // default: real time from now
	Seed      int64
	Sink      Sink
	Client    *http.Client // default: NewClient for the plan's users and the flow's CA bundle and proxy
	Think     *Think       // overrides every think time of the flow
	MaxRPS    float64      // cap on requests per (scenario) second across all users; 0: none
	Budget    Budget       // the max_cost_usd guard; nil: none
	// Start anchors the level timeline (scenario time); default: when Run
	// starts. A caller that records the start before running (run.json)
	// passes it so readers can rebuild the timeline from the plan.
	Start time.Time

	// KeyStep is the step whose latency the live status shows; default "ask"
	// (or the flow's last repeated step).
	KeyStep string

	// OnLevel is called (from the run's goroutine) after each level's hold
	// has been evaluated against the stop rules.
	OnLevel func(LevelReport)
	// OnRepeat is called (from the run's goroutine) when a level's hold is
	// to be held once more (RepeatHold), with the level's window as it now
	// stands: RepeatedHold set, the repeat as its hold.
	OnRepeat func(brink.LevelWindow)

	// Observe, if set, sees every request (dry runs print them).
	Observe func(StepEvent)

	// OneSession makes each virtual user run its once steps and one
	// session without think time, then stop (brink run --dry-run).
	OneSession bool

	// Abort, when closed, stops the run at once: no grace for requests in
	// flight (they are recorded as canceled). Run still returns normally,
	// so the caller closes its segments. Nil: never.
	Abort <-chan struct{}

	// Shard runs one stripe of the plan (Schedule); zero: all of it.
	Shard Shard
	// PeerStop, when set, reports a stop decision another shard made: it
	// is asked after each level's hold, every PeerPoll (wall time) while
	// the run goes, and once more PeerPoll after the last hold. A stop it
	// reports ends this run as stopped, as if this shard had broken the
	// rule at that level.
	PeerStop func() (reason string, level int, ok bool)
	PeerPoll time.Duration // default 2 s

	// BeforeSend, when set, is called before each request is sent, with
	// the scenario time it was meant to start: tests pause the generator
	// with it, as a busy host would.
	BeforeSend func(scheduled time.Time)

	// RepeatHold, when set, is asked at the end of each level's hold,
	// before its stop rules are judged, whether to hold the level once
	// more (brink run --strict-measurement: the generator judged the hold
	// suspect). A repeated level's stop rules are judged on the repeat
	// alone, and the later levels start a hold later (LevelWindow's
	// RepeatedHold keeps the first). Each level is repeated at most once;
	// closed model and unsharded runs only.
	RepeatHold func(brink.LevelWindow) bool

	// Secrets collects the run-wide values never to print (the target's
	// user and password, ${env:...} values) as the run learns them; the
	// caller redacts what leaves the run with it. A user's own secrets
	// (credential headers, extracted tokens, secret CSV columns) stay with
	// the user, and an error leaving the user is masked with them there.
	// Default: a new set (Runner.Secrets).
	Secrets *brink.Secrets
}

func (o *Options) setDefaults() error {
	if o.Target == "" {
		return errors.New("no target: give the API's base URL, e.g. --target http://127.0.0.1:8080")
	}
	u, err := url.Parse(o.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("target %q: want an http:// or https:// base URL", brink.RedactURL(o.Target))
	}
	if o.Secrets == nil {
		o.Secrets = &brink.Secrets{}
	}
	o.Secrets.AddURL(o.Target)
	if o.Flow == nil {
		o.Flow = DefaultFlow()
	}
	if err := o.Flow.CheckTarget(o.Target); err != nil {
		return err
	}
	if o.Plan == (brink.Plan{}) {
		o.Plan = brink.DefaultPlan()
	}
	if o.Plan.Model == "" {
		o.Plan.Model = "closed"
	}
	if err := o.Plan.Validate(); err != nil {
		return err
	}
	if o.StopRules == nil {
		o.StopRules = brink.DefaultStopRules()
	}
	if o.Clock.Epoch.IsZero() {
		o.Clock = brink.RealClock(time.Now())
	}
	if err := o.Clock.Validate(); err != nil {
		return err
	}
	if o.Sink == nil {
		return errors.New("no sink for the traces")
	}
	if o.Sessions == nil {
		p, err := NewPicker(DefaultCorpus(), "sample", o.Seed)
		if err != nil {
			return err
		}
		o.Sessions = p
	}
	if o.Think != nil {
		if err := o.Think.check("think"); err != nil {
			return fmt.Errorf("think: %v", err.(*posError).msg)
		}
	}
	if o.KeyStep == "" {
		o.KeyStep = keyStep(o.Flow)
	}
	if err := checkEnv(o.Flow); err != nil {
		return err
	}
	return checkRepeat(o)
}

// keyStep is "ask" if the flow has it, else its last repeated step, else its last step.
func keyStep(f *Flow) string {
	key := f.Steps[len(f.Steps)-1].Name
	for _, s := range f.Steps {
		if s.Name == brink.StepAsk {
			return s.Name
		}
		if s.Turns != nil {
			key = s.Name
		}
	}
	return key
}

// checkEnv fails early when the flow names an environment variable that is
// not set, rather than at the first request.
func checkEnv(f *Flow) error {
	var all []string
	for _, v := range f.Headers {
		all = append(all, v)
	}
	for i := range f.Steps {
		all = append(all, f.Steps[i].templates()...)
	}
	for _, t := range all {
		for _, v := range templateVars(t) {
			if name, ok := strings.CutPrefix(v, "env:"); ok {
				if _, set := os.LookupEnv(name); !set {
					return fmt.Errorf("flow %s uses ${env:%s}, which is not set: export %s=...", f.Source, name, name)
				}
			}
		}
	}
	return nil
}

// loadUsers reads the flow's users CSV: a header row of column names, then
// one row per test user (at least one per virtual user).
func loadUsers(f *Flow, need int) ([]map[string]string, error) {
	if f.Users == "" {
		return nil, nil
	}
	path := f.Users
	if !filepath.IsAbs(path) && f.dir != "" {
		path = filepath.Join(f.dir, path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users pool: %w", err)
	}
	defer fh.Close()
	cr := csv.NewReader(fh)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("users pool %s: read the header row: %w", path, err)
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
		if !varName.MatchString(header[i]) {
			return nil, fmt.Errorf("users pool %s:1: column %d name %q: use letters, digits and _", path, i+1, h)
		}
	}
	var rows []map[string]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("users pool %s: %w", path, err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	if len(rows) < need {
		return nil, fmt.Errorf("users pool %s has %d users but the plan goes up to %d virtual users: add rows (one per virtual user) or lower --max-users", path, len(rows), need)
	}
	return rows, nil
}

// ClientOptions tune NewClient.
type ClientOptions struct {
	CABundle string // PEM file of extra trusted CAs
	Proxy    string // HTTP proxy URL; default from the environment
}

// MaxConnsPerHost caps the keep-alive connections a NewClient opens to the
// target. Virtual users share one pool and hold a connection only while a
// request is in flight, so the pool grows to the peak number of requests in
// flight (one per user when every user waits on a slow target) up to this
// cap; past it a request waits for a free connection, and the wait counts in
// its latency. 10,000 stays well inside the ~28,000 ephemeral ports of one
// source address; NewClient raises the open-file limit to fit it
// (docs/performance.md).
const MaxConnsPerHost = 10000

// NewClient returns an HTTP client for up to users virtual users: one
// keep-alive connection per user to the target, no compression (so byte
// counts are what crossed the wire), no redirects followed (a redirect is an
// answer, recorded as such; it never takes the load to another host).
func NewClient(users int, o ClientOptions) (*http.Client, error) {
	conns := min(users+16, MaxConnsPerHost)
	RaiseOpenFileLimit(conns + 1024)
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	if o.Proxy != "" {
		pu, err := url.Parse(o.Proxy)
		if err != nil || pu.Host == "" {
			return nil, fmt.Errorf("proxy %q: want a URL like http://proxy:3128", o.Proxy)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	if o.CABundle != "" {
		pem, err := os.ReadFile(o.CABundle)
		if err != nil {
			return nil, fmt.Errorf("CA bundle: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA bundle %s: no PEM certificate in it", o.CABundle)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}
