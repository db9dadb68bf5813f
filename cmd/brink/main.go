// Command brink finds where an LLM-backed API bends before it breaks, and
// what that costs. `brink --help` lists its commands (the table below).
//
// Each command is a file here: flags, then options, then one call into a
// library package (record, collect, analyze, pricing, report, importers),
// then printing. Exit codes: 0 done, 1 failed, 2 usage error, 3 brink run
// was ended by a stop rule (the edge of failure was found), 130 interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"brink/internal/cli"
	"brink/internal/suggest"
	_ "brink/rundir/s3store" // runs directories in s3://bucket/prefix
)

func main() {
	ctx, abort := cli.Signals(context.Background(), os.Stderr)
	os.Exit(run(ctx, env{stdout: os.Stdout, stderr: os.Stderr, abort: abort}, os.Args[1:]))
}

// env is what a command talks to: the terminal's streams, and the signal
// that cuts a run's requests in flight (closed on a second Ctrl-C).
type env struct {
	stdout, stderr io.Writer
	abort          <-chan struct{}
}

// human is where a command's lines for people go: stdout, or stderr when
// --json keeps stdout for its one JSON object.
func (e env) human(asJSON bool) io.Writer {
	if asJSON {
		return e.stderr
	}
	return e.stdout
}

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitStopped = 3
	exitSignal  = 130
)

// badOption is a library's error that the user fixes on the command line
// (record.OptionError): exit 2 too.
type badOption interface{ BadOption() }

// errStopRule ends brink run with exit 3 after a stop rule found the edge.
var errStopRule = errors.New("a stop rule ended the run")

// errInterrupted ends a run stopped by Ctrl-C (or SIGTERM) with exit 130,
// as a shell reports a command ended by SIGINT.
var errInterrupted = errors.New("interrupted; the traces recorded so far are kept and can be analysed")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

// commands lists the subcommands in the order help shows them.
var commands = []command{
	{"sim", "start the embedded serverless chat stack on loopback", runSim},
	{"run", "replay chat sessions against an API on a stepped ramp", runRun},
	{"attack", "max-rate mode: N connections, no think time, every request traced", runAttack},
	{"k8s", "print Kubernetes Jobs that make one run of N generator pods", runK8s},
	{"validate", "check a flow file without sending anything", runValidate},
	{"wait", "wait until every shard of a sharded run is done", runWait},
	{"collect", "pull a run's CloudWatch metrics and Lambda cold starts into metrics/", runCollect},
	{"analyze", "compute the level table and the edge of failure of a run", runAnalyze},
	{"query", "run SQL over a run's traces, metrics and levels", runQuery},
	{"knee", "find the knee of an x,y curve in a CSV file (Kneedle, as kneed)", runKnee},
	{"usl", "fit the Universal Scalability Law to N,X pairs in a CSV file", runUSL},
	{"whatif", "project a run's cost and capacity to more users, engagement, other models", runWhatIf},
	{"report", "draw a run's charts, PDF and summary.md", runReport},
	{"import", "turn Locust, k6 or vegeta results into a brink run directory", runImport},
	{"demo", "the whole pipeline against an in-process sim (about a minute)", runDemo},
	{"version", "print brink's version", runVersion},
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
	return run(ctx, env{stdout: stdout, stderr: stderr}, args)
}

func run(ctx context.Context, e env, args []string) int {
	if len(args) == 0 {
		topUsage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		topUsage(e.stdout)
		return exitOK
	case "-v", "--version":
		name, args = "version", []string{"version"}
	}
	for _, c := range commands {
		if c.name == name {
			return exitCode(e.stderr, name, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "brink: unknown command %q", name)
	if s := suggest.Closest(name, commandNames()); s != "" {
		fmt.Fprintf(e.stderr, " (did you mean %q?)", s)
	}
	fmt.Fprintf(e.stderr, "\n\n")
	topUsage(e.stderr)
	return exitUsage
}

// exitCode says what went wrong, if anything, and picks the exit code.
func exitCode(stderr io.Writer, name string, err error) int {
	var ue *cli.UsageError
	var bo badOption
	switch {
	case err == nil, errors.Is(err, cli.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "brink %s: %s\nRun 'brink %s --help' for usage.\n", name, ue.Msg, name)
		return exitUsage
	case errors.As(err, &bo):
		fmt.Fprintf(stderr, "brink %s: %v\nRun 'brink %s --help' for usage.\n", name, err, name)
		return exitUsage
	case errors.Is(err, errStopRule):
		return exitStopped
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(stderr, "brink %s: %v\n", name, err)
		return exitSignal
	default:
		fmt.Fprintf(stderr, "brink %s: %v\n", name, err)
		return exitFailed
	}
}

func commandNames() []string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.name
	}
	return out
}
