package brink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The scenario-clock protocol between a target that compresses time (brink
// sim) and the generator: GET ClockPath answers ClockInfo, and every answer
// carries HeaderClock and, where modelled, HeaderServiceTime.
const (
	ClockPath         = "/_brink/clock"
	HeaderClock       = "X-Brink-Clock"           // "epoch=<RFC 3339 nano>; scale=<float>"
	HeaderServiceTime = "X-Brink-Service-Time-Ms" // the modelled service time, scenario ms
)

// ClockInfo is the JSON body of GET ClockPath.
type ClockInfo struct {
	Epoch     time.Time `json:"epoch"`
	TimeScale float64   `json:"time_scale"`
	Now       time.Time `json:"now"` // scenario time when answered
}

// FormatClockHeader renders the HeaderClock value.
func FormatClockHeader(c Clock) string {
	return "epoch=" + c.Epoch.Format(time.RFC3339Nano) + "; scale=" + strconv.FormatFloat(c.Scale, 'g', -1, 64)
}

// ParseClockHeader reads a HeaderClock value.
func ParseClockHeader(v string) (Clock, error) {
	var c Clock
	for part := range strings.SplitSeq(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "epoch":
			t, err := time.Parse(time.RFC3339Nano, val)
			if err != nil {
				return c, fmt.Errorf("clock header epoch %q: %w", val, err)
			}
			c.Epoch = t.UTC()
		case "scale":
			f, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return c, fmt.Errorf("clock header scale %q: %w", val, err)
			}
			c.Scale = f
		}
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("clock header %q: %w", v, err)
	}
	return c, nil
}

// DiscoverClock asks the target for its scenario clock (GET /_brink/clock,
// which brink sim answers). A target that does not know the path runs in
// real time: the identity clock from now is returned with found = false.
func DiscoverClock(ctx context.Context, client *http.Client, target string) (c Clock, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(target, "/")+ClockPath, nil)
	if err != nil {
		return c, false, fmt.Errorf("ask target for its clock: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return c, false, fmt.Errorf("ask target for its clock: %w (is the target up?)", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return RealClock(time.Now()), false, nil
	}
	// An answer without an epoch is no clock (a real API's 200 on an
	// unknown path); one that names an epoch is a clock, and is checked
	// even when the epoch is Go's zero time (year 1).
	var info struct {
		Epoch     *time.Time `json:"epoch"`
		TimeScale float64    `json:"time_scale"`
	}
	if err := json.Unmarshal(body, &info); err != nil || info.Epoch == nil {
		return RealClock(time.Now()), false, nil
	}
	c = Clock{Epoch: info.Epoch.UTC(), Scale: info.TimeScale}
	if err := c.Validate(); err != nil {
		return c, true, fmt.Errorf("target's clock: %w", err)
	}
	return c, true, nil
}
