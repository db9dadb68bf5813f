package record

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"brink/collect/parquet"
	"brink/replay"
)

// Inputs name what a run replays: the flow file and the sessions corpus
// (.jsonl, .csv or .parquet), replayed in order or sampled with the seed.
// Empty names take the built-in flow and corpus.
type Inputs struct {
	Flow, Sessions string
	Order          string // "order" or "sample" (default)
	Seed           int64
}

// Load reads the flow and the corpus and returns the flow and a picker of
// sessions over the corpus.
func (in Inputs) Load(ctx context.Context) (*replay.Flow, replay.SessionSource, error) {
	if in.Order == "" {
		in.Order = "sample"
	}
	if in.Order != "order" && in.Order != "sample" {
		return nil, nil, &OptionError{fmt.Errorf("--sessions-order %q: want order or sample", in.Order)}
	}
	flow := replay.DefaultFlow()
	if in.Flow != "" {
		var err error
		if flow, err = replay.LoadFlow(in.Flow); err != nil {
			return nil, nil, err
		}
	}
	corpus, err := LoadCorpus(ctx, in.Sessions)
	if err != nil {
		return nil, nil, err
	}
	picker, err := replay.NewPicker(corpus, in.Order, in.Seed)
	if err != nil {
		return nil, nil, err
	}
	return flow, picker, nil
}

// LoadCorpus reads a sessions file (JSONL, CSV or Parquet), or returns the
// built-in corpus for "".
func LoadCorpus(ctx context.Context, sessions string) (*replay.Corpus, error) {
	if sessions == "" {
		return replay.DefaultCorpus(), nil
	}
	if strings.HasSuffix(sessions, ".parquet") {
		rows, err := parquet.ReadCorpusRows(ctx, sessions)
		if err != nil {
			return nil, err
		}
		return replay.CorpusFromRows(sessions, rows)
	}
	return replay.LoadCorpus(sessions)
}

// CorpusHash identifies the sessions corpus: the SHA-256 of its file, or
// "builtin".
func (in Inputs) CorpusHash() (string, error) {
	if in.Sessions == "" {
		return "builtin", nil
	}
	f, err := os.Open(in.Sessions)
	if err != nil {
		return "", fmt.Errorf("sessions: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("sessions %s: %w", in.Sessions, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
