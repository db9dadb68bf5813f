package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"brink/internal/suggest"
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
