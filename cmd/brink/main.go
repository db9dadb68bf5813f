// Command brink finds where an LLM-backed API bends before it breaks, and
// what that costs.
//
//	brink sim      start the embedded serverless chat stack on loopback
//	brink run      replay chat sessions on a stepped ramp, recording every request
//	brink attack   max-rate mode: one request, N connections, every request traced
//	brink validate check a flow file without sending anything
//	brink collect  pull CloudWatch and Logs Insights metrics for a run
//	brink analyze  level table, knee, USL, edge of failure, cost and summary.json
//	brink query    ad-hoc SQL over a run's traces, metrics and levels
//	brink knee     Kneedle on an x,y CSV;  brink usl: a USL fit on an N,X CSV
//	brink whatif   cost and capacity of "viral" scenarios against a measured run
//	brink report   PNG charts, a PDF and summary.md from an analysed run
//	brink import   turn Locust, k6 or vegeta results into a run directory
//	brink demo     all of the above against an in-process sim, in about a minute
//
// Exit codes: 0 done, 1 failed, 2 usage error, 3 brink run was ended by a
// stop rule (the edge of failure was found).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"brink/internal/suggest"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		fmt.Fprintf(os.Stderr, "\nbrink: %v: stopping (waiting for requests in flight; press Ctrl-C again to stop at once)\n", s)
		cancel(fmt.Errorf("signal %v", s))
		<-sigs
		fmt.Fprintln(os.Stderr, "brink: second signal: cancelling requests in flight, closing segments")
		close(abort)
		<-sigs
		fmt.Fprintln(os.Stderr, "brink: third signal: exiting without closing segments")
		os.Exit(130)
	}()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// abort is closed on a second interrupt: a run in progress cancels its
// requests in flight at once (they are recorded as canceled) and still
// closes its trace segments and run.json.
var abort = make(chan struct{})

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitStopped = 3
)

// usageError is a mistake on the command line: exit 2 with a hint.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errStopRule ends brink run with exit 3 after a stop rule found the edge.
var errStopRule = errors.New("a stop rule ended the run")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order help shows them. A command
// kept in its own file may add itself with register from an init function.
var commands = []command{
	{"sim", "start the embedded serverless chat stack on loopback", runSim},
	{"run", "replay chat sessions against an API on a stepped ramp", runRun},
	{"analyze", "compute the level table and the edge of failure of a run", runAnalyze},
	{"report", "draw a run's charts, PDF and summary.md", runReport},
	{"demo", "the whole pipeline against an in-process sim (about a minute)", runDemo},
	{"version", "print brink's version", runVersion},
}

// register adds a subcommand (call it from init in the command's own file).
func register(name, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	commands = append(commands, command{name, summary, run})
}

func topUsage(w io.Writer) {
	fmt.Fprintf(w, "brink finds where an LLM-backed API bends before it breaks, and what that costs.\n\n")
	fmt.Fprintf(w, "Usage:\n  brink <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'brink <command> --help' for a command's flags and an example.\n")
	fmt.Fprintf(w, "\nExample:\n  brink demo\n")
}

// Main runs brink with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		topUsage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var ue *usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, errHelp):
			return exitOK
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "brink %s: %s\nRun 'brink %s --help' for usage.\n", name, ue.msg, name)
			return exitUsage
		case errors.Is(err, errStopRule):
			return exitStopped
		default:
			fmt.Fprintf(stderr, "brink %s: %v\n", name, err)
			return exitFailed
		}
	}
	fmt.Fprintf(stderr, "brink: unknown command %q", name)
	if s := closest(name, commandNames()); s != "" {
		fmt.Fprintf(stderr, " (did you mean %q?)", s)
	}
	fmt.Fprintf(stderr, "\n\n")
	topUsage(stderr)
	return exitUsage
}

func commandNames() []string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.name
	}
	return out
}

// closest returns the candidate the user most likely meant, if any.
func closest(s string, candidates []string) string { return suggest.Closest(s, candidates) }
