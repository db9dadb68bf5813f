package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"brink"
	"brink/collect/importers"
	"brink/internal/cli"
	"brink/internal/suggest"
	"brink/rundir"
)

// importFlags are brink import's flags beyond the importer options.
type importFlags struct {
	o          importers.Options
	planFile   string
	plan       brink.Plan
	ramp, hold time.Duration
	asJSON     bool
}

func newImportFlags(e env) (*flag.FlagSet, *importFlags) {
	fs := cli.NewFlags("import", "locust PREFIX | k6 results.json[.gz] | vegeta results.json [flags]",
		"Turns another load tool's results into a normal run directory under --runs-dir, ready for\n"+
			"brink analyze, report and whatif:\n"+
			"  locust PREFIX    the files of `locust --csv PREFIX` (PREFIX_stats_history.csv, _stats.csv,\n"+
			"                   _failures.csv, _exceptions.csv). Locust keeps no per-request rows: the run\n"+
			"                   is marked aggregated and its percentiles are approximate (see docs/import.md).\n"+
			"  k6 FILE          `k6 run --out json=FILE` (plain or .gz): one trace row per HTTP request;\n"+
			"                   levels are the plateaus of the vus gauge.\n"+
			"  vegeta FILE      `vegeta encode --to json` output: one trace row per request; one level\n"+
			"                   per attack (rate = users), or the levels of --plan / the plan flags.\n"+
			"The conversation step `ask` is the request name that looks like one (messages, ask,\n"+
			"chat/completions, generate, invoke...) with the highest median latency, else the slowest\n"+
			"name; --step NAME (or --step-map NAME=ask) chooses it. Importing the same file twice\n"+
			"names the same run, which is refused.",
		"  brink import k6 results.json.gz --step chat_message\n"+
			"  brink import locust out/chat --runs-dir runs\n"+
			"  brink import vegeta results.json --start-users 10 --step-users 10 --max-users 50 --ramp 0s --hold 1m", e.stdout)
	f := &importFlags{}
	f.o.StepMap = map[string]string{}
	fs.StringVar(&f.o.RunsDir, "runs-dir", rundir.DefaultRunsDir, "directory that holds run directories")
	fs.StringVar(&f.o.Step, "step", "", "the request name that is the conversation step ask (shorthand for --step-map NAME=ask)")
	fs.Var(cli.Pairs{M: f.o.StepMap, Sep: "=", Commas: true, Want: "NAME=STEP, e.g. chat_message=ask"}, "step-map", "map a request name to a brink step: NAME=STEP (repeatable)")
	fs.DurationVar(&f.o.MinHold, "min-hold", importers.DefaultMinHold, "k6, locust: the shortest plateau of users that is a level's hold")
	fs.StringVar(&f.planFile, "plan", "", "vegeta: plan YAML whose levels to lay out from the first request")
	def := brink.DefaultPlan()
	fs.IntVar(&f.plan.StartUsers, "start-users", def.StartUsers, "vegeta: users (rate) of the first level")
	fs.IntVar(&f.plan.StepUsers, "step-users", def.StepUsers, "vegeta: added per level")
	fs.IntVar(&f.plan.MaxUsers, "max-users", def.MaxUsers, "vegeta: users of the last level")
	fs.DurationVar(&f.ramp, "ramp", def.Ramp.Std(), "vegeta: ramp of each level")
	fs.DurationVar(&f.hold, "hold", def.Hold.Std(), "vegeta: hold of each level")
	fs.BoolVar(&f.asJSON, "json", false, "print the outcome as one JSON object on stdout (run_dir, run_id, tool, input, requests, aggregated, levels, step, step_choice, step_names, warnings)")
	return fs, f
}

// importers by the tool name brink import takes.
var importTools = map[string]func(context.Context, string, importers.Options) (*importers.Result, error){
	"locust": importers.Locust, "k6": importers.K6, "vegeta": importers.Vegeta,
}

func runImport(ctx context.Context, e env, args []string) error {
	fs, f := newImportFlags(e)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return cli.Usagef("want a tool and its results: locust PREFIX, k6 FILE or vegeta FILE (got %d arguments)", len(pos))
	}
	tool, input := pos[0], pos[1]
	imp, ok := importTools[tool]
	if !ok {
		hint := ""
		if s := suggest.Closest(tool, []string{"locust", "k6", "vegeta"}); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return cli.Usagef("unknown tool %q%s: brink imports locust, k6 and vegeta", tool, hint)
	}
	if err := f.planOption(tool, cli.Set(fs)); err != nil {
		return err
	}
	res, err := imp(ctx, input, f.o)
	if err != nil {
		return err
	}
	if res.StepChoice != "" {
		fmt.Fprintf(e.stderr, "brink import: step: %s\n", res.StepChoice)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "brink import: note: %s\n", w)
	}
	res.WriteText(e.human(f.asJSON), tool, input)
	if f.asJSON {
		return json.NewEncoder(e.stdout).Encode(res.Outcome(tool, input))
	}
	return nil
}

// planOption lays vegeta's levels out from --plan or the plan flags.
func (f *importFlags) planOption(tool string, set map[string]bool) error {
	planFlags := set["plan"] || set["start-users"] || set["step-users"] || set["max-users"] || set["ramp"] || set["hold"]
	if planFlags && tool != "vegeta" {
		return cli.Usagef("--plan and the plan flags are for vegeta; %s's levels come from its own user counts", tool)
	}
	if f.o.MinHold <= 0 {
		return cli.Usagef("--min-hold %v: must be positive", f.o.MinHold)
	}
	if !planFlags {
		return nil
	}
	f.plan.Model, f.plan.Ramp, f.plan.Hold = "closed", brink.Duration(f.ramp), brink.Duration(f.hold)
	p, _, err := planOf(f.planFile, f.plan, set)
	f.o.Plan = &p
	return err
}
