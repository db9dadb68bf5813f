package record

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"brink"
	"brink/replay"
	"brink/rundir"
)

// DefaultGrace is how late after the shared start a shard may still start.
const DefaultGrace = 10 * time.Second

// CheckShardOptions refuses what cannot make one run of several shards: a
// shard without a shared start or a shared run id, a run id that cannot
// name a folder.
func CheckShardOptions(o Options) error {
	if o.RunID != "" {
		if err := rundir.CheckID(o.RunID); err != nil {
			return &OptionError{fmt.Errorf("--run-id: %w", err)}
		}
	}
	switch {
	case o.Shard.Sharded() && o.StartAt.IsZero():
		return &OptionError{fmt.Errorf("--shard %d/%d needs --start-at: every shard starts the plan at one shared time", o.Shard.Index, o.Shard.Count)}
	case o.Shard.Sharded() && o.RunID == "":
		return &OptionError{fmt.Errorf("--shard %d/%d needs --run-id: every shard writes into one run", o.Shard.Index, o.Shard.Count)}
	case o.StrictMeasurement && o.Shard.Sharded():
		return &OptionError{fmt.Errorf("--strict-measurement with --shard %d/%d: a repeated hold moves every later level, and the shards keep one shared timeline; leave one out", o.Shard.Index, o.Shard.Count)}
	case o.StrictMeasurement && o.Plan.Open():
		return &OptionError{fmt.Errorf("--strict-measurement repeats closed-model holds only: the open model's arrivals follow the plan's timeline")}
	}
	return nil
}

// checkStart refuses a shard that starts too late to keep the shared
// schedule.
func checkStart(o Options) error {
	if err := CheckShardOptions(o); err != nil {
		return err
	}
	grace := o.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	if late := time.Since(o.StartAt); !o.StartAt.IsZero() && late > grace {
		return fmt.Errorf("shard %d/%d starts %v after --start-at %s, past the %v grace: its users would miss the shared schedule; start all shards before the start time (or give a later one)",
			o.Shard.Index, max(o.Shard.Count, 1), late.Round(time.Second), o.StartAt.UTC().Format(time.RFC3339), grace)
	}
	return nil
}

// hashes identify the inputs every shard of a run must share.
func hashes(o Options) brink.InputHashes {
	b, _ := json.Marshal(struct {
		Plan  brink.Plan
		Rules []brink.StopRule
		Seed  int64
	}{o.Plan, o.Rules, o.Seed})
	sum := sha256.Sum256(b)
	h := brink.InputHashes{Plan: hex.EncodeToString(sum[:]), Corpus: o.CorpusHash}
	if o.Flow != nil {
		h.Flow = o.Flow.SHA256
	}
	return h
}

// peerStop asks the run for another shard's stop decision.
func peerStop(ctx context.Context, w *rundir.Writer, sh replay.Shard) func() (string, int, bool) {
	if !sh.Sharded() {
		return nil
	}
	return func() (string, int, bool) {
		d, err := w.ReadStop(ctx)
		if err != nil || d.Shard == sh.Index {
			return "", 0, false
		}
		return d.Reason, d.Level, true
	}
}

// decide writes the run's stop decision when this shard's hold broke a
// stop rule, so every other shard ends as if it had.
func decide(ctx context.Context, w *rundir.Writer, sh replay.Shard, rep replay.LevelReport) error {
	if !sh.Sharded() || rep.Breached == nil {
		return nil
	}
	b := rep.Breached
	return w.Stop(ctx, brink.StopDecision{Shard: sh.Index, Level: rep.Window.Index, Rule: b.Rule.String(), Value: b.Format(),
		Reason: fmt.Sprintf("level %d (%d users): %s (was %s on shard %d's share)", rep.Window.Index, rep.Window.Users, b.Rule, b.Format(), sh.Index),
		At:     time.Now().UTC()})
}
