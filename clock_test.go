package brink

import (
	"testing"
	"time"
)

func TestClockRoundTrip(t *testing.T) {
	epoch := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	c := Clock{Epoch: epoch, Scale: 0.02}
	wall := epoch.Add(2 * time.Second)
	got := c.Scenario(wall)
	if want := epoch.Add(100 * time.Second); !got.Equal(want) {
		t.Fatalf("Scenario(epoch+2s) = %v, want %v", got, want)
	}
	if back := c.Wall(got); !back.Equal(wall) {
		t.Fatalf("Wall(Scenario(w)) = %v, want %v", back, wall)
	}
	if d := c.WallDuration(5 * time.Second); d != 100*time.Millisecond {
		t.Fatalf("WallDuration(5s) = %v, want 100ms", d)
	}
	if d := c.ScenarioDuration(100 * time.Millisecond); d != 5*time.Second {
		t.Fatalf("ScenarioDuration(100ms) = %v, want 5s", d)
	}
}

func TestClockHeaderRoundTrip(t *testing.T) {
	c := Clock{Epoch: time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC), Scale: 0.05}
	got, err := ParseClockHeader(FormatClockHeader(c))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Epoch.Equal(c.Epoch) || got.Scale != c.Scale {
		t.Fatalf("round trip: got %+v, want %+v", got, c)
	}
	for _, bad := range []string{"", "epoch=yesterday; scale=1", "epoch=2026-11-26T10:00:00Z; scale=0", "epoch=2026-11-26T10:00:00Z; scale=2"} {
		if _, err := ParseClockHeader(bad); err == nil {
			t.Errorf("ParseClockHeader(%q): want an error", bad)
		}
	}
}

func FuzzParseClockHeader(f *testing.F) {
	f.Add("epoch=2026-11-26T10:00:00.5Z; scale=0.02")
	f.Add("scale=1;epoch=2026-01-01T00:00:00Z")
	f.Add(";;=;")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClockHeader(s)
		if err != nil {
			return
		}
		if c.Scale <= 0 || c.Scale > 1 || c.Epoch.IsZero() {
			t.Fatalf("accepted invalid clock %+v from %q", c, s)
		}
	})
}
