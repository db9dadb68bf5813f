package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"brink"
)

// DiscoverClock asks the target for its scenario clock (GET /_brink/clock,
// which brink sim answers). A target that does not know the path runs in
// real time: the identity clock from now is returned with found = false.
func DiscoverClock(ctx context.Context, client *http.Client, target string) (c brink.Clock, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(target, "/")+brink.ClockPath, nil)
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
		return brink.RealClock(time.Now()), false, nil
	}
	var info brink.ClockInfo
	if err := json.Unmarshal(body, &info); err != nil || info.Epoch.IsZero() {
		return brink.RealClock(time.Now()), false, nil
	}
	c = brink.Clock{Epoch: info.Epoch.UTC(), Scale: info.TimeScale}
	if err := c.Validate(); err != nil {
		return c, true, fmt.Errorf("target's clock: %w", err)
	}
	return c, true, nil
}
