package main

import (
	"flag"
	"time"

	"brink/internal/cli"
	"brink/record"
	"brink/replay"
)

// shardFlags are --shard, --start-at and --run-id: one run made by several
// generators (brink run, brink attack).
type shardFlags struct{ shard, startAt, runID string }

func addShardFlags(fs *flag.FlagSet) *shardFlags {
	f := &shardFlags{}
	fs.StringVar(&f.shard, "shard", "", "run shard i of n of one run (i/n, e.g. 0/3): users v with v mod n = i; needs --start-at and --run-id (docs/scale-out.md)")
	fs.StringVar(&f.startAt, "start-at", "", "start at this wall-clock time (RFC 3339), shared by every shard of a run")
	fs.StringVar(&f.runID, "run-id", "", "the run's id, shared by every shard (letters, digits, '.', '_', '-'; default: made from the start)")
	return f
}

func (f *shardFlags) parse() (sh replay.Shard, startAt time.Time, err error) {
	if f.shard != "" {
		if sh, err = record.ParseShard(f.shard); err != nil {
			return sh, startAt, cli.Usagef("%v", err)
		}
	}
	if f.startAt != "" {
		if startAt, err = time.Parse(time.RFC3339, f.startAt); err != nil {
			return sh, startAt, cli.Usagef("--start-at %q: want an RFC 3339 time, e.g. 2026-12-01T10:00:00Z", f.startAt)
		}
	}
	return sh, startAt, nil
}
