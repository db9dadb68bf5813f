package main

import (
	"strings"

	"brink"
)

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func readSummary(dir string) (*brink.Summary, error) {
	if _, err := brink.ReadManifest(dir); err != nil {
		return nil, err
	}
	return brink.ReadSummary(dir)
}
