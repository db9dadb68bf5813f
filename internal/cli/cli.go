// Package cli holds brink's command-line conventions shared by every
// command: a flag set whose --help shows a synopsis, the flags as --flag
// and an example; flags allowed after positional arguments; usage errors
// (exit 2) with a "did you mean" for a misspelt flag; repeatable NAME=VALUE
// flags. It parses; it prints only the usage text it is asked for.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"brink/internal/suggest"
)

// UsageError is a mistake on the command line: the command exits 2 with
// a hint.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef makes a UsageError.
func Usagef(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

// ErrHelp: --help was asked for and printed.
var ErrHelp = errors.New("help shown")

// NewFlags makes a command's flag set whose usage shows a synopsis, the
// flags and an example.
func NewFlags(name, synopsis, about, example string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage:\n  brink %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		printDefaults(stdout, fs)
		fmt.Fprintf(stdout, "\nExample:\n%s\n", example)
	}
	return fs
}

// Parse parses args, allowing flags after positional arguments, and turns
// flag errors into usage errors (exit 2) with a hint.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
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
				return nil, ErrHelp
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
			return nil, Usagef("%s", msg)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// Set names the flags given on the command line.
func Set(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// Pairs collects repeated NAME<sep>VALUE flags (--header 'Name: value',
// --step-map NAME=STEP) into a map; with commas, one flag holds several.
type Pairs struct {
	M      map[string]string
	Sep    string
	Commas bool   // split on commas; a value may not be empty
	Want   string // what a pair looks like, for the error
}

func (p Pairs) String() string { return "" }

func (p Pairs) Set(v string) error {
	parts := []string{v}
	if p.Commas {
		parts = strings.Split(v, ",")
	}
	for _, part := range parts {
		k, val, ok := strings.Cut(part, p.Sep)
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		if !ok || k == "" || (p.Commas && val == "") {
			return fmt.Errorf("%q: want %s", part, p.Want)
		}
		p.M[k] = val
	}
	return nil
}

// List splits a comma-separated flag value, dropping empty items.
func List(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// RunDir takes the run directory from --run or the one positional argument.
func RunDir(flagVal string, pos []string) (string, error) {
	switch {
	case flagVal != "" && len(pos) == 0:
		return flagVal, nil
	case flagVal == "" && len(pos) == 1:
		return pos[0], nil
	case flagVal == "" && len(pos) == 0:
		return "", Usagef("name the run directory: --run runs/<run_id>")
	default:
		return "", Usagef("give one run directory (got --run %q and %q)", flagVal, pos)
	}
}

// printDefaults lists the flags as --flag, as the README and the examples
// write them (the flag package prints -flag), with their defaults.
func printDefaults(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	for line := range strings.SplitSeq(strings.TrimRight(b.String(), "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			line = "  --" + rest
		}
		fmt.Fprintln(w, line)
	}
}

// Signals handles Ctrl-C and SIGTERM the way brink's commands promise: the
// first cancels ctx (a run stops starting requests and waits for those in
// flight), the second closes abort (requests in flight are cut, segments
// still close), the third exits 130 at once. It says each on stderr.
func Signals(parent context.Context, stderr io.Writer) (ctx context.Context, abort <-chan struct{}) {
	ctx, cancel := context.WithCancelCause(parent)
	ab := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		fmt.Fprintf(stderr, "\nbrink: %v: stopping (waiting for requests in flight; press Ctrl-C again to stop at once)\n", s)
		cancel(fmt.Errorf("signal %v", s))
		<-sigs
		fmt.Fprintln(stderr, "brink: second signal: cancelling requests in flight, closing segments")
		close(ab)
		<-sigs
		fmt.Fprintln(stderr, "brink: third signal: exiting without closing segments")
		os.Exit(130)
	}()
	return ctx, ab
}
