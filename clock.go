package brink

import (
	"fmt"
	"time"
)

// Clock maps wall-clock time to scenario time. A compressed run (Scale < 1)
// sleeps Scale × every modelled delay, so scenario = Epoch + (wall − Epoch) / Scale.
// Everything brink writes to disk is scenario time; a real run has Scale 1.
type Clock struct {
	Epoch time.Time // the instant where wall and scenario time agree (UTC)
	Scale float64   // wall seconds per scenario second, in (0, 1]
}

// RealClock is the identity clock used against a real API.
func RealClock(epoch time.Time) Clock { return Clock{Epoch: epoch.UTC(), Scale: 1} }

// Validate reports a scale outside (0, 1].
func (c Clock) Validate() error {
	if !(c.Scale > 0 && c.Scale <= 1) {
		return fmt.Errorf("time scale %v: must be in (0, 1] (1 is real time, 0.02 runs 50x faster)", c.Scale)
	}
	// A clock announced by a target is outside input: one from year 1 or a
	// scale of 1e-9 would put every timestamp out of any calendar (and
	// Duration's range) and stretch a second into decades.
	if c.Scale < MinScale {
		return fmt.Errorf("time scale %v: below %v (the scenario would run %.0fx faster than real time; no generator keeps up)", c.Scale, MinScale, 1/c.Scale)
	}
	if y := c.Epoch.Year(); y < 1970 || y > 2200 {
		return fmt.Errorf("clock epoch %s: outside 1970..2200", c.Epoch.Format(time.RFC3339))
	}
	return nil
}

// MinScale is the most compressed clock brink accepts: 1000x faster than
// real time.
const MinScale = 0.001

// Scenario converts a wall-clock instant to scenario time.
func (c Clock) Scenario(wall time.Time) time.Time {
	d := wall.Sub(c.Epoch)
	return c.Epoch.Add(time.Duration(float64(d) / c.Scale)).UTC()
}

// Now is the current scenario time.
func (c Clock) Now() time.Time { return c.Scenario(time.Now()) }

// Wall converts a scenario instant to the wall-clock instant it happens at.
func (c Clock) Wall(scenario time.Time) time.Time {
	d := scenario.Sub(c.Epoch)
	return c.Epoch.Add(time.Duration(float64(d) * c.Scale))
}

// WallDuration is how long a scenario duration takes on the wall clock.
func (c Clock) WallDuration(scenario time.Duration) time.Duration {
	return time.Duration(float64(scenario) * c.Scale)
}

// ScenarioDuration converts a measured wall duration to scenario time.
func (c Clock) ScenarioDuration(wall time.Duration) time.Duration {
	return time.Duration(float64(wall) / c.Scale)
}
