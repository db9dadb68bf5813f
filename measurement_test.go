package brink

import (
	"strings"
	"testing"
)

// Zero thresholds take the documented defaults; shares outside [0, 1] and
// negative milliseconds are refused, naming the plan key.
func TestThresholds(t *testing.T) {
	got := Thresholds{CPU: 0.8}.WithDefaults()
	want := Thresholds{LagShare: 0.05, LagMS: 100, LagWallMS: 10, CPU: 0.8, Steal: 0.10, SimLatenessShare: 0.05, SimLatenessWallMS: 20}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	for _, c := range []struct {
		th   Thresholds
		want string
	}{
		{Thresholds{SimLatenessShare: 1.01}, "measurement.sim_lateness_share 1.01"},
		{Thresholds{SimLatenessShare: -0.1}, "measurement.sim_lateness_share -0.1"},
		{Thresholds{SimLatenessWallMS: -5}, "measurement.sim_lateness_wall_ms -5"},
		{Thresholds{Steal: 2}, "measurement.steal 2"},
	} {
		if err := c.th.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.th, err, c.want)
		}
	}
	if err := want.Validate(); err != nil {
		t.Errorf("the defaults are refused: %v", err)
	}
}
