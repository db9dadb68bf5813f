package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"brink"
	"brink/record"
	"brink/replay"
)

// dryRun prints each request of one virtual user's pass through the flow.
func dryRun(ctx context.Context, o record.Options, stdout io.Writer) error {
	fmt.Fprintf(stdout, "dry run of flow %s against %s (one virtual user, one session, no think time)\n", o.Flow.Name, brink.RedactURL(o.Target))
	failed, err := record.DryRun(ctx, o, func(ev replay.StepEvent) {
		status := fmt.Sprint(ev.Status)
		if ev.Error != "" {
			status += " " + ev.Error
		}
		fmt.Fprintf(stdout, "%-10s %-6s %s -> %s in %.0f ms\n", ev.Step, ev.Method, brink.RedactURL(ev.URL), status, ev.LatencyMS)
		for _, k := range slices.Sorted(maps.Keys(ev.Extracted)) {
			fmt.Fprintf(stdout, "           %s = %s\n", k, ev.Extracted[k])
		}
	})
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("dry run: %d request(s) failed", failed)
	}
	return nil
}
