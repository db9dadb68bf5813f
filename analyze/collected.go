package analyze

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"brink/rundir"
)

// collectWarnings are the warnings brink collect left in collect.json
// (a Logs Insights query that failed, a series cut short), each prefixed
// "collect: ", so the summary and the report carry them. A run never
// collected has none.
func collectWarnings(ctx context.Context, run *rundir.Run) ([]string, error) {
	var r struct {
		Warnings []string `json:"warnings"`
	}
	err := run.ReadJSON(ctx, rundir.CollectFile, &r)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, len(r.Warnings))
	for i, w := range r.Warnings {
		out[i] = "collect: " + w
	}
	return out, nil
}

// coldStartFinding says, when Logs Insights failed in collect, that the
// cold starts are missing rather than zero; "" otherwise.
func coldStartFinding(warnings []string) string {
	n, first := 0, ""
	for _, w := range warnings {
		if rest, ok := strings.CutPrefix(w, "collect: Logs Insights: "); ok {
			if n == 0 {
				first = rest
			}
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return "Cold starts are incomplete or unknown (not zero): Logs Insights failed in collect (" + first + ")."
}
