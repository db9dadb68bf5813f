package replay

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"brink"
)

// Sink receives every trace row. brink's Parquet TraceWriter is one.
type Sink interface {
	Write(brink.Trace) error
}

// Options configure a run. Zero values take the documented defaults.
type Options struct {
	Target    string // base URL of the API, e.g. http://127.0.0.1:8080
	RunID     string
	Plan      brink.Plan       // default brink.DefaultPlan()
	StopRules []brink.StopRule // nil: brink.DefaultStopRules(); empty non-nil: none
	Clock     brink.Clock      // default: real time from now
	Seed      int64
	Sink      Sink
	Client    *http.Client // default: NewClient(Plan.MaxUsers)
	Questions []string     // default DefaultQuestions

	Timeout  time.Duration // per request, scenario time; default 30 s (above API Gateway's 29 s)
	ThinkMin time.Duration // default 3 s
	ThinkMax time.Duration // default 8 s
	TurnsMin int           // turns per chat session; default 3
	TurnsMax int           // default 6

	// OnLevel is called (from the run's goroutine) after each level's hold
	// has been evaluated against the stop rules.
	OnLevel func(LevelReport)
}

func (o *Options) setDefaults() error {
	if o.Target == "" {
		return errors.New("no target: give the API's base URL, e.g. --target http://127.0.0.1:8080")
	}
	u, err := url.Parse(o.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("target %q: want an http:// or https:// base URL", o.Target)
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
	if o.Client == nil {
		o.Client = NewClient(o.Plan.MaxUsers)
	}
	if len(o.Questions) == 0 {
		o.Questions = DefaultQuestions
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.ThinkMin <= 0 && o.ThinkMax <= 0 {
		o.ThinkMin, o.ThinkMax = 3*time.Second, 8*time.Second
	}
	if o.ThinkMax < o.ThinkMin {
		return fmt.Errorf("think time: max %v is below min %v", o.ThinkMax, o.ThinkMin)
	}
	if o.TurnsMin <= 0 {
		o.TurnsMin = 3
	}
	if o.TurnsMax < o.TurnsMin {
		o.TurnsMax = max(6, o.TurnsMin)
	}
	return nil
}

// NewClient returns an HTTP client for up to users virtual users: one
// keep-alive connection per user to the target, no compression (so byte
// counts are what crossed the wire), no redirects followed (a redirect is an
// answer, recorded as such).
func NewClient(users int) *http.Client {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        users + 16,
		MaxIdleConnsPerHost: users + 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
