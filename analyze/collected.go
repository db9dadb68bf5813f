package analyze

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"brink/pricing"
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

// usageFor is the sizing a run is priced with: opts.Usage, else the usage
// file (brink analyze --usage), else the brink sim's stack with the API
// type the collected metrics show (ApiName: a REST API, ApiId: an HTTP
// API). Its Sizing says which.
func usageFor(ctx context.Context, run *rundir.Run, opts Options) (*pricing.Usage, error) {
	if opts.Usage != nil {
		return opts.Usage, nil
	}
	if opts.UsageFile != "" {
		u, err := pricing.LoadUsage(opts.UsageFile)
		if err != nil {
			return nil, err
		}
		return &u, nil
	}
	u := pricing.DefaultUsage()
	var r struct {
		Asked []struct {
			Namespace  string `json:"namespace"`
			Dims       string `json:"dimensions"`
			Datapoints int    `json:"datapoints"`
		} `json:"asked"`
	}
	from := ""
	if err := run.ReadJSON(ctx, rundir.CollectFile, &r); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, a := range r.Asked {
		if a.Namespace != "AWS/ApiGateway" || a.Datapoints == 0 {
			continue
		}
		switch {
		case strings.Contains(a.Dims, "ApiName="):
			u.APIGatewayType, from = pricing.APIREST, "ApiName: a REST API"
		case strings.Contains(a.Dims, "ApiId="):
			u.APIGatewayType, from = pricing.APIHTTP, "ApiId: an HTTP API"
		}
	}
	u.Sizing = fmt.Sprintf("%s (%s)", pricing.SimSizing, u.Describe())
	if from != "" {
		u.Sizing += "; the API type from the collected metrics (" + from + ")"
	}
	return &u, nil
}
