package pricing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"
	"time"

	"brink"
	"brink/rundir"
)

// WhatIf is analysis/whatif.json: the scenarios brink whatif evaluated
// against a run, with the prices and assumptions it used.
type WhatIf struct {
	SchemaVersion int                   `json:"schema_version"`
	RunID         string                `json:"run_id"`
	Currency      string                `json:"currency"`
	PriceSheet    string                `json:"price_sheet"`
	PricesAsOf    string                `json:"prices_as_of"`
	Assumptions   brink.CostAssumptions `json:"assumptions"`
	Baseline      Baseline              `json:"baseline"`
	Results       []Result              `json:"results"`

	// Path is where the file was written or read (not part of the file).
	Path string `json:"-"`
}

// WhatIfOptions configure ProjectRun. Zero values take the defaults.
type WhatIfOptions struct {
	Scenarios []Scenario // default ViralSet()
	Sheet     *Sheet     // default Default()
	// Level is the measured level to project from; nil: the cost baseline level.
	Level *int
	// BedrockTPM and LambdaLimit replace the run's assumptions when > 0.
	BedrockTPM  float64
	LambdaLimit int
	// CorpusGaps are the recorded think times of the corpus the run
	// replayed, for scenarios with EngagementFromCorpus (nil: none recorded,
	// so the engagement is DefaultHumanEngagement, stated as assumed).
	CorpusGaps []time.Duration
}

// ProjectRun evaluates scenarios against the analysed run in runDir and
// writes its analysis/whatif.json.
func ProjectRun(ctx context.Context, runDir string, o WhatIfOptions) (*WhatIf, error) {
	run, s, err := rundir.OpenAnalysed(ctx, runDir)
	if err != nil {
		return nil, err
	}
	if o.Scenarios == nil {
		o.Scenarios = ViralSet()
	}
	if o.Sheet == nil {
		o.Sheet = Default()
	}
	u, err := UsageOf(s)
	if err != nil {
		return nil, err
	}
	if o.BedrockTPM > 0 {
		u.BedrockTPMQuota = o.BedrockTPM
	}
	if o.LambdaLimit > 0 {
		u.LambdaConcurrencyLimit = o.LambdaLimit
	}
	level := -1
	if o.Level != nil {
		level = *o.Level
	}
	b, err := BaselineFrom(s, level)
	if err != nil {
		return nil, err
	}
	w := &WhatIf{SchemaVersion: brink.SchemaVersion, RunID: s.RunID, Currency: o.Sheet.Currency, PriceSheet: o.Sheet.File,
		PricesAsOf: o.Sheet.AsOf(), Assumptions: u.Assumptions(), Baseline: b}
	for _, sc := range o.Scenarios {
		var source string
		if sc.EngagementFromCorpus {
			sc.EngagementPerMinute, source = HumanEngagement(o.CorpusGaps, baselineAnswer(s, b.Level))
			sc.EngagementFromCorpus = false // resolved
		}
		r, err := Evaluate(b, sc, o.Sheet, u)
		if err != nil {
			return nil, err
		}
		if source != "" {
			r.Notes = append([]string{"engagement: " + source}, r.Notes...)
		}
		w.Results = append(w.Results, r)
	}
	if err := WriteWhatIf(ctx, run, w); err != nil {
		return nil, err
	}
	return w, nil
}

// baselineAnswer is the level's median conversation latency (0 unknown).
func baselineAnswer(s *brink.Summary, level int) time.Duration {
	for _, l := range s.Levels {
		if l.Level == level && l.P50MS != nil {
			return time.Duration(*l.P50MS * float64(time.Millisecond))
		}
	}
	return 0
}

// WriteWhatIf writes the run's analysis/whatif.json.
func WriteWhatIf(ctx context.Context, run *rundir.Run, w *WhatIf) error {
	w.Path = run.Location(rundir.WhatIfFile)
	return run.WriteJSON(ctx, rundir.WhatIfFile, w)
}

// ReadWhatIf reads the run's analysis/whatif.json; nil, nil when the run
// has none (brink whatif was not run).
func ReadWhatIf(ctx context.Context, run *rundir.Run) (*WhatIf, error) {
	var w WhatIf
	err := run.ReadJSON(ctx, rundir.WhatIfFile, &w)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read what-if: %w", err)
	}
	w.Path = run.Location(rundir.WhatIfFile)
	return &w, nil
}

// UsageOf rebuilds the usage assumptions a run was priced with.
func UsageOf(s *brink.Summary) (Usage, error) {
	u := DefaultUsage()
	if s.Cost == nil {
		return u, fmt.Errorf("%w: its warnings say why (an unpriced model?); re-run brink analyze", ErrNoCost)
	}
	a := s.Cost.Assumptions
	u.DefaultModel, u.LambdaMemoryMB, u.LambdaArch = a.DefaultModel, a.LambdaMemoryMB, a.LambdaArch
	u.LambdaDuration = time.Duration(a.LambdaDurationMS * float64(time.Millisecond))
	u.APIGatewayOverhead = time.Duration(a.APIGatewayOverhead * float64(time.Millisecond))
	u.APIGatewayType, u.DynamoDBMode = a.APIGatewayType, a.DynamoDBMode
	u.WriteUnitsPerTurn, u.ReadUnitsPerTurn, u.ProvisionedWCU, u.ProvisionedRCU = a.WriteUnitsPerTurn, a.ReadUnitsPerTurn, a.ProvisionedWCU, a.ProvisionedRCU
	u.BedrockTPMQuota, u.LambdaConcurrencyLimit = a.BedrockTPMQuota, a.LambdaConcurrencyLimit
	u.BedrockCrossRegionTPMQuota = a.BedrockCrossRegionTPM
	if a.BedrockMaxTokens > 0 {
		u.BedrockMaxTokens = a.BedrockMaxTokens
	}
	if a.Sizing != "" {
		u.Sizing = a.Sizing
	}
	return u, u.Validate()
}

// WriteText writes the what-if as brink whatif prints it: the baseline,
// one table row per scenario, then each scenario's cost by component, its
// load against the measured limits and its notes.
func (w *WhatIf) WriteText(out io.Writer) {
	b := w.Baseline
	var models []string
	for _, m := range b.Models {
		models = append(models, fmt.Sprintf("%s %.0f%% (%.0f in / %.0f out tokens a turn)", m.Model, 100*m.Share, m.InputPerTurn, m.OutputPerTurn))
	}
	fmt.Fprintf(out, "baseline: level %d, %d users, %.2f answered turns (questions) per user per minute - the virtual users' engagement, busier than a person's; %s\n", b.Level, b.Users, b.TurnsPerUserMinute, strings.Join(models, ", "))
	fmt.Fprintf(out, "prices: %s (as of %s, %s); DynamoDB %s, Lambda %d MB %s\n\n", w.PriceSheet, w.PricesAsOf, w.Currency,
		w.Assumptions.DynamoDBMode, w.Assumptions.LambdaMemoryMB, w.Assumptions.LambdaArch)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tusers\tq/user-min\tturns/min\t$/user-min\t$/hour\t$/day\th/day\t$/month\tLLM share\ttokens/min\tof TPM quota\tLambda conc. p99\tDDB WU/s\tover quota\t")
	for _, r := range w.Results {
		share := 0.0
		if r.PerDay.Total > 0 {
			share = r.PerDay.LLM / r.PerDay.Total
		}
		var over []string
		for _, q := range r.Quotas {
			if q.Over {
				over = append(over, q.Name)
			}
		}
		if len(over) == 0 {
			over = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.0f\t%.6f\t%.2f\t%.2f\t%g\t%.0f\t%.0f%%\t%.0f\t%.0f%%\t%.0f/%d\t%.1f\t%s\t\n", r.Scenario.Name, r.ConcurrentUsers, r.TurnsPerUserMinute, r.TurnsPerMinute,
			r.PerUserMinute.Total, r.PerHour.Total, r.PerDay.Total, r.HoursPerDay, r.PerMonth.Total, 100*share, r.TokensPerMinute, 100*r.TPMUse,
			r.LambdaConcurrency, r.LambdaLimit, r.WriteUnitsPerSecond, strings.Join(over, ", "))
	}
	tw.Flush()
	if len(w.Results) > 0 && w.Results[0].TPMQuotaBasis != "" {
		fmt.Fprintf(out, "of TPM quota: %s\n", w.Results[0].TPMQuotaBasis)
	}
	fmt.Fprintln(out)
	for _, r := range w.Results {
		r.writeText(out)
	}
}

func (r Result) writeText(out io.Writer) {
	d := r.PerDay
	fmt.Fprintf(out, "%s: $%.2f a day (%.0f users for %g h) = LLM input $%.2f + output $%.2f, Lambda $%.2f, DynamoDB $%.2f, API Gateway $%.2f\n",
		r.Scenario.Name, d.Total, r.AverageUsers, r.HoursPerDay, d.LLMInput, d.LLMOutput, d.Lambda, d.DynamoDB, d.APIGateway)
	var lim []string
	for _, l := range r.Limits {
		rel := "headroom"
		if l.Beyond {
			rel = "beyond by"
		}
		h := l.HeadroomUsers
		if h < 0 {
			h = -h
		}
		lim = append(lim, fmt.Sprintf("%s %.0f users: %s %.0f", l.Name, l.Users, rel, h))
	}
	if len(lim) > 0 {
		fmt.Fprintf(out, "  load of %.0f measured users; %s\n", r.LoadEquivalentUsers, strings.Join(lim, "; "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(out, "  note: %s\n", n)
	}
}
