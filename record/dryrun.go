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
	secrets := &brink.Secrets{}
	secrets.AddURL(o.Target)
	clock, err := runClock(ctx, o.Target, 0, time.Time{})
	if err != nil {
		return 0, secrets.Err(err)
	}
	r, err := replay.New(replay.Options{
		Target: o.Target, RunID: "dry-run", Flow: o.Flow, Sessions: o.Sessions, Clock: clock, Seed: o.Seed,
		Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(time.Hour)}, StopRules: []brink.StopRule{},
		Sink: replay.Discard{}, OneSession: true, Secrets: secrets,
		Observe: func(ev replay.StepEvent) {
			if ev.Error != "" {
				failed++
			}
			observe(ev)
		},
	})
	if err != nil {
		return 0, &OptionError{secrets.Err(err)}
	}
	_, err = r.Run(ctx)
	return failed, secrets.Err(err)
}
