package rundir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Wait polls the sharded run at loc every poll until every shard's
// manifest says it is done, and returns it opened; progress (when set)
// hears how many are done. It returns ctx's error when ctx ends first.
func Wait(ctx context.Context, loc string, poll time.Duration, progress func(done, shards int)) (*Run, error) {
	if poll <= 0 {
		poll = 5 * time.Second
	}
	for {
		r, err := Open(ctx, loc)
		switch {
		case err == nil && r.shards == nil:
			return r, nil // not sharded: its run.json is there, so it began
		case err == nil:
			done := 0
			for _, s := range r.shards {
				if s != nil && s.Done() {
					done++
				}
			}
			if progress != nil {
				progress(done, len(r.shards))
			}
			if done == len(r.shards) {
				return r, nil
			}
		case !errors.Is(err, ErrNoManifest) && !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for the shards of %s: %w", loc, ctx.Err())
		case <-t.C:
		}
	}
}
