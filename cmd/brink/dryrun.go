package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"brink"
	"brink/record"
	"brink/replay"
)

// dryRun sends one virtual user through the once steps and one session and
// prints each request; nothing is written.
func dryRun(ctx context.Context, o record.Options, stdout io.Writer) error {
	client, err := replay.NewClient(1, replay.ClientOptions{})
	if err != nil {
		return err
	}
	clock, _, err := brink.DiscoverClock(ctx, client, o.Target)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dry run of flow %s against %s (one virtual user, one session, no think time)\n", o.Flow.Name, brink.RedactURL(o.Target))
	failed := 0
	r, err := replay.New(replay.Options{
		Target: o.Target, RunID: "dry-run", Flow: o.Flow, Sessions: o.Sessions, Clock: clock, Seed: o.Seed,
		Plan: brink.Plan{StartUsers: 1, MaxUsers: 1, Hold: brink.Duration(time.Hour)}, StopRules: []brink.StopRule{},
		Sink: discard{}, OneSession: true,
		Observe: func(ev replay.StepEvent) {
			status := fmt.Sprint(ev.Status)
			if ev.Error != "" {
				status += " " + ev.Error
				failed++
			}
			fmt.Fprintf(stdout, "%-10s %-6s %s -> %s in %.0f ms\n", ev.Step, ev.Method, ev.URL, status, ev.LatencyMS)
			for _, k := range sortedKeys(ev.Extracted) {
				fmt.Fprintf(stdout, "           %s = %s\n", k, ev.Extracted[k])
			}
		},
	})
	if err != nil {
		return usagef("%v", err)
	}
	if _, err := r.Run(ctx); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("dry run: %d request(s) failed", failed)
	}
	return nil
}

type discard struct{}

func (discard) Write(brink.Trace) error { return nil }

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
