package record

import (
	"context"
	"time"

	"brink"
	"brink/replay"
)

// DryRun sends one virtual user through the flow's once steps and one
// session, without think time, and shows each request to observe; nothing
// is written. It returns how many requests failed.
func DryRun(ctx context.Context, o Options, observe func(replay.StepEvent)) (failed int, err error) {
	client, err := replay.NewClient(1, replay.ClientOptions{})
	if err != nil {
		return 0, err
	}
	clock, _, err := brink.DiscoverClock(ctx, client, o.Target)
	if err != nil {
		return 0, err
	}
	r, err := replay.New(replay.Options{
		Target: o.Target, RunID: "dry-run", Flow: o.Flow, Sessions: o.Sessions, Clock: clock, Seed: o.Seed,
		Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(time.Hour)}, StopRules: []brink.StopRule{},
		Sink: discard{}, OneSession: true,
		Observe: func(ev replay.StepEvent) {
			if ev.Error != "" {
				failed++
			}
			observe(ev)
		},
	})
	if err != nil {
		return 0, &OptionError{err}
	}
	_, err = r.Run(ctx)
	return failed, err
}

type discard struct{}

func (discard) Write(brink.Trace) error { return nil }
