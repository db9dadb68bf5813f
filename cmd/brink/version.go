package main

import (
	"context"
	"fmt"

	"brink/internal/cli"

	"brink"
)

func runVersion(ctx context.Context, e env, args []string) error {
	fs := cli.NewFlags("version", "", "Prints brink's version and the data schema version it reads and writes.", "  brink version", e.stdout)
	if _, err := cli.Parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, brink.VersionLine())
	return nil
}
