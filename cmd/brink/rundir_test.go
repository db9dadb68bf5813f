package main

import (
	"context"

	"brink"
	"brink/rundir"
)

// readManifest reads a run directory's run.json through rundir.
func readManifest(dir string) (*brink.Manifest, error) {
	r, err := rundir.Open(context.Background(), dir)
	if err != nil {
		return nil, err
	}
	return r.Manifest(), nil
}

// readSummary reads a run directory's analysis/summary.json through rundir.
func readSummary(dir string) (*brink.Summary, error) {
	r, err := rundir.Open(context.Background(), dir)
	if err != nil {
		return nil, err
	}
	return r.ReadSummary(context.Background())
}
