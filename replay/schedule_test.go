package replay

import (
	"maps"
	"slices"
	"testing"
	"time"

	"brink"
)

// For n shards and plans whose levels are not divisible by n, the union of
// the shards' schedules is the whole plan's: every user or arrival on
// exactly one shard, at the same time and level, each level's users adding
// up, and each shard's joins spread over every ramp.
func TestScheduleShardsUnion(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	plans := map[string]brink.Plan{
		"closed 7+9..43": {Model: "closed", StartUsers: 7, StepUsers: 9, MaxUsers: 43, Ramp: brink.Duration(30 * time.Second), Hold: brink.Duration(time.Minute)},
		"closed 1+1..11": {Model: "closed", StartUsers: 1, StepUsers: 1, MaxUsers: 11, Ramp: brink.Duration(10 * time.Second), Hold: brink.Duration(time.Minute)},
		"open 13+17..81": {Model: "open", StartRate: 13, StepRate: 17, MaxRate: 81, Ramp: brink.Duration(20 * time.Second), Hold: brink.Duration(time.Minute)},
	}
	for name, plan := range plans {
		whole := map[int32]Slot{}
		for s := range Schedule(plan, t0, 42) {
			whole[s.ID] = s
		}
		if len(whole) == 0 {
			t.Fatalf("%s: empty schedule", name)
		}
		for _, n := range []int{1, 2, 3, 5, 8} {
			union := map[int32]Slot{}
			for i := range n {
				sh := Shard{Index: i, Count: n}
				for s := range Schedule(plan, t0, 42) {
					if !sh.Owns(s.ID) {
						continue
					}
					if _, dup := union[s.ID]; dup {
						t.Fatalf("%s, %d shards: slot %d on two shards", name, n, s.ID)
					}
					union[s.ID] = s
				}
			}
			if !maps.Equal(union, whole) {
				t.Fatalf("%s, %d shards: the union of the shards' schedules (%d slots) is not the whole plan's (%d)", name, n, len(union), len(whole))
			}
		}
		if plan.Open() {
			continue
		}
		// Closed model: at every level the shards' users add up to the
		// level's users, and with 3 shards each shard's share differs from
		// an even split by at most one user.
		timeline := plan.Timeline(t0)
		for lvl, lw := range timeline {
			var per [3]int
			for s := range Schedule(plan, t0, 42) {
				if s.Level <= lvl {
					per[int(s.ID)%3]++
				}
			}
			if sum := per[0] + per[1] + per[2]; sum != lw.Users {
				t.Errorf("%s level %d: shards hold %v users, sum %d, want %d", name, lvl, per, sum, lw.Users)
			}
			if slices.Max(per[:])-slices.Min(per[:]) > 1 {
				t.Errorf("%s level %d: shards hold %v users: not an even split", name, lvl, per)
			}
		}
	}
}

// A virtual user's behaviour is a function of (seed, its global id): the
// sessions a sampling picker hands it do not depend on which shard runs it
// or on what other users drew.
func TestPickerIsPerUser(t *testing.T) {
	c := DefaultCorpus()
	a, _ := NewPicker(c, "sample", 9)
	b, _ := NewPicker(c, "sample", 9)
	for range 50 {
		b.Next(1) // another user draws on shard B's picker only
	}
	for k := range 20 {
		if x, y := a.Next(7), b.Next(7); x.ID != y.ID {
			t.Fatalf("draw %d of user 7: %s on one shard, %s on another", k, x.ID, y.ID)
		}
	}
}
