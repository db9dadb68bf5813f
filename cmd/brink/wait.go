package main

import (
	"context"
	"fmt"
	"time"

	"brink/internal/cli"
	"brink/rundir"
)

func runWait(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("wait", "--run DIR|s3://bucket/prefix/RUN_ID [flags]",
		"Waits until every shard of a sharded run says it is done (shards/<i>.json), then exits 0;\n"+
			"exits 1 after --timeout. The analysis Job of brink k8s job runs it before collect.",
		"  brink wait --run s3://perf-runs/chat/20261201T100000Z-a1b2c3 --timeout 2h && brink analyze --run s3://perf-runs/chat/20261201T100000Z-a1b2c3", e.stdout)
	run := fs.String("run", "", "the run (required)")
	timeout := fs.Duration("timeout", 2*time.Hour, "give up after this long")
	poll := fs.Duration("poll", 5*time.Second, "look this often")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	dir, err := cli.RunDir(*run, pos)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	last := -1
	r, err := rundir.Wait(ctx, dir, *poll, func(done, n int) {
		if done != last {
			fmt.Fprintf(e.stderr, "brink wait: %d of %d shards done\n", done, n)
			last = done
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "run %s: %s\n", r.ID(), r.Manifest().Status)
	return nil
}
