package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"brink/internal/suggest"
	"brink/record"
	"brink/replay"
)

// errHelp: --help was asked for and printed.
var errHelp = errors.New("help shown")

// newFlags makes a command's flag set whose usage shows a synopsis, the
// flags and an example.
func newFlags(name, synopsis, about, example string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage:\n  brink %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprintf(stdout, "\nExample:\n%s\n", example)
	}
	return fs
}

// parse parses args, allowing flags after positional arguments, and turns
// flag errors into usage errors (exit 2) with a hint.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package calls Usage on every parse error; show it only for
	// --help (errors get a one-line hint instead).
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, errHelp
			}
			msg := err.Error()
			if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
				var names []string
				fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
				msg = fmt.Sprintf("unknown flag --%s", name)
				if s := suggest.Closest(name, names); s != "" {
					msg += fmt.Sprintf(" (did you mean --%s?)", s)
				}
			}
			return nil, usagef("%s", msg)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// setFlags names the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// pairsFlag collects repeated NAME<sep>VALUE flags (--header 'Name: value',
// --step-map NAME=STEP) into a map; with commas, one flag holds several.
type pairsFlag struct {
	m      map[string]string
	sep    string
	commas bool   // split on commas; a value may not be empty
	want   string // what a pair looks like, for the error
}

func (p pairsFlag) String() string { return "" }

func (p pairsFlag) Set(v string) error {
	parts := []string{v}
	if p.commas {
		parts = strings.Split(v, ",")
	}
	for _, part := range parts {
		k, val, ok := strings.Cut(part, p.sep)
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		if !ok || k == "" || (p.commas && val == "") {
			return fmt.Errorf("%q: want %s", part, p.want)
		}
		p.m[k] = val
	}
	return nil
}

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
			return sh, startAt, usagef("%v", err)
		}
	}
	if f.startAt != "" {
		if startAt, err = time.Parse(time.RFC3339, f.startAt); err != nil {
			return sh, startAt, usagef("--start-at %q: want an RFC 3339 time, e.g. 2026-12-01T10:00:00Z", f.startAt)
		}
	}
	return sh, startAt, nil
}
