package gcfloor

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{0, Floor, maxPercent},
		{1 << 20, Floor, maxPercent}, // 256 MiB over 1 MiB: 25,600%, bounded
		{8 << 20, Floor, 3200},       // 8 MiB live: goal 8 + 256 MiB
		{64 << 20, Floor, 400},       // 64 MiB: 4 × 64 = 256 MiB more
		{256 << 20, Floor, 100},      // the floor reached: GOGC=100's own goal
		{700 << 20, Floor, 100},      // a big run: the default applies
		{3 << 20, 3 << 20, 100},      // floor = live
		{1 << 40, Floor, 100},        // no overflow, no zero
		{1, 1 << 62, maxPercent},     // tiny live, huge floor
	} {
		if got := Percent(c.live, c.floor); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.floor, got, c.want)
		}
	}
}

// TestStartSetsAndRestores: Start raises the percentage for this test's small
// heap to what Percent says, and stop puts back the one it found.
func TestStartSetsAndRestores(t *testing.T) {
	t.Setenv("GOGC", "") // registers the restore; Start must then see no GOGC at all
	if err := os.Unsetenv("GOGC"); err != nil {
		t.Fatal(err)
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	runtime.GC()
	stop := Start(context.Background(), Floor)
	got := debug.SetGCPercent(-1) // read it (and put it back below)
	debug.SetGCPercent(got)
	stop()
	if got <= 100 {
		t.Errorf("percentage while started = %d, want > 100 for a heap far below the floor", got)
	}
	if after := debug.SetGCPercent(100); after != 100 {
		t.Errorf("percentage after stop = %d, want the 100 it found", after)
	}
}

// TestGOGCWins: a user's GOGC is their policy; Start leaves it alone.
func TestGOGCWins(t *testing.T) {
	t.Setenv("GOGC", "50")
	before := debug.SetGCPercent(50)
	defer debug.SetGCPercent(before)
	stop := Start(context.Background(), Floor)
	got := debug.SetGCPercent(50)
	stop()
	if got != 50 {
		t.Errorf("percentage with GOGC=50 set = %d, want 50 untouched", got)
	}
}

// TestOverlappingStarts: two callers at once (tests running commands side by
// side) share the raised percentage; the last stop, or the end of a
// caller's context, puts back the one found before the first Start.
func TestOverlappingStarts(t *testing.T) {
	t.Setenv("GOGC", "")
	if err := os.Unsetenv("GOGC"); err != nil {
		t.Fatal(err)
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	runtime.GC()
	read := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }

	stopA := Start(context.Background(), Floor)
	ctxB, cancelB := context.WithCancel(context.Background())
	stopB := Start(ctxB, Floor)
	raised := read()
	if raised <= 100 {
		t.Fatalf("percentage with two callers = %d, want > 100", raised)
	}
	stopA()
	stopA() // twice: still one caller less
	if got := read(); got != raised {
		t.Errorf("after the first caller stopped: %d, want %d kept for the second", got, raised)
	}
	cancelB() // the second caller's context ends: its stop runs
	deadline := time.Now().Add(5 * time.Second)
	for read() != 100 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := read(); got != 100 {
		t.Errorf("after both: %d, want the 100 found before", got)
	}
	stopB() // after its context did it: nothing more
	if got := read(); got != 100 {
		t.Errorf("a late stop changed it to %d", got)
	}
}

// TestEmptyGOGCIsUnset: GOGC= (empty) is Go's default to the runtime, so
// it is no policy of the user's and the floor applies.
func TestEmptyGOGCIsUnset(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	runtime.GC()
	stop := Start(context.Background(), Floor)
	got := debug.SetGCPercent(-1)
	debug.SetGCPercent(got)
	stop()
	if got <= 100 {
		t.Errorf("percentage with GOGC empty = %d, want > 100", got)
	}
}
