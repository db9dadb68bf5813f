package main

import (
	"context"
	"fmt"

	"brink"
)

func runVersion(ctx context.Context, e env, args []string) error {
	fs := newFlags("version", "", "Prints brink's version and the data schema version it reads and writes.", "  brink version", e.stdout)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "brink %s (schema version %d)\n", brink.Version, brink.SchemaVersion)
	return nil
}
