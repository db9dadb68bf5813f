package main

import (
	"brink"
	"context"
	"encoding/json"
	"fmt"

	"brink/internal/cli"
	"brink/replay"
)

func runValidate(ctx context.Context, e env, args []string) error {
	stdout := e.stdout
	fs := cli.NewFlags("validate", "FLOW.yaml [flags]",
		"Checks a flow file: YAML syntax, known keys (with a suggestion for a misspelt one),\n"+
			"step names, methods, paths, templates (every ${var} defined by an earlier step's\n"+
			"extract), think distributions, checks and usage paths. Sends nothing.\n"+
			"--print-default prints the built-in flow to start from.",
		"  brink validate chat.yaml\n  brink validate chat.yaml --target https://api.example.com --json\n  brink validate --print-default > chat.yaml", stdout)
	printDefault := fs.Bool("print-default", false, "print the built-in flow and exit")
	target := fs.String("target", "", "also check that the flow's url: steps name this target's host")
	asJSON := fs.Bool("json", false, "print the flow's steps as one JSON object on stdout (file, name, ok, steps)")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if *printDefault {
		_, err := stdout.Write(replay.DefaultFlowYAML())
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("name one flow file: brink validate FLOW.yaml")
	}
	f, err := replay.LoadFlow(pos[0])
	if err == nil && *target != "" {
		err = f.CheckTarget(*target)
	}
	if err != nil {
		return err
	}
	sum := f.Summary(pos[0])
	if *asJSON {
		return json.NewEncoder(stdout).Encode(sum)
	}
	fmt.Fprintf(stdout, "flow %s (%s): ok, %s\n", f.Name, pos[0], brink.Plural(len(f.Steps), "step"))
	for _, s := range sum.Steps {
		fmt.Fprintf(stdout, "  %-12s %-6s %-40s %s", s.Name, s.Method, s.Target, s.Kind)
		if s.Think != "" {
			fmt.Fprintf(stdout, ", think %s", s.Think)
		}
		if s.Stream != "" {
			fmt.Fprintf(stdout, ", stream %s", s.Stream)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}
