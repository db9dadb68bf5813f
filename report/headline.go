package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"brink"
	"brink/pricing"
)

// Headline is report/summary.json: every headline number of a run as one
// flat object (scalars only, plus the what-if rows), for scripts and
// dashboards. A number that does not exist for the run is null, never
// absent, so the keys are the same for every run. docs/schemas.md lists
// them.
type Headline struct {
	RunID            string   `json:"run_id"`
	Status           string   `json:"status"`
	Target           string   `json:"target"`
	StartedAt        string   `json:"started_at"`
	EndedAt          *string  `json:"ended_at"`
	ReportCreatedAt  string   `json:"report_created_at"`
	TimeScale        float64  `json:"time_scale"`
	Step             string   `json:"step"`
	TotalRequests    int64    `json:"total_requests"`
	LevelsAnalysed   int      `json:"levels_analysed"`
	MaxUsersTested   int      `json:"max_users_tested"`
	MetricsCollected bool     `json:"metrics_collected"`
	Approximate      []string `json:"approximate"` // answers that are not exact (imported runs); empty when all are

	LatencyLimitMS float64 `json:"latency_limit_ms"`
	ErrorRateLimit float64 `json:"error_rate_limit"`
	// The first level whose p95 passed the latency limit, and whose
	// all-step error rate passed the error limit.
	P95CrossedUsers       *int     `json:"p95_crossed_limit_users"`
	P95CrossedLevel       *int     `json:"p95_crossed_limit_level"`
	P95AtCrossingMS       *float64 `json:"p95_at_crossing_ms"`
	ErrorsCrossedUsers    *int     `json:"error_rate_crossed_limit_users"`
	ErrorsCrossedLevel    *int     `json:"error_rate_crossed_limit_level"`
	ErrorRateAtCrossing   *float64 `json:"error_rate_at_crossing"`
	EdgeUsers             *int     `json:"edge_users"`
	EdgeLevel             *int     `json:"edge_level"`
	EdgeRule              *string  `json:"edge_rule"`
	EdgeValue             *float64 `json:"edge_value"`
	LatencyKneeUsers      *int     `json:"latency_knee_users"`
	LatencyKneeP95MS      *float64 `json:"latency_knee_p95_ms"`
	LatencyWarningUsers   *int     `json:"latency_warning_users"`
	ThroughputKneeUsers   *int     `json:"throughput_knee_users"`
	ThroughputKneeRPS     *float64 `json:"throughput_knee_answered_rps"`
	MaxAnsweredRPS        *float64 `json:"max_answered_rps"`
	MaxAnsweredRPSUsers   *int     `json:"max_answered_rps_users"`
	USLSigma              *float64 `json:"usl_sigma"`
	USLKappa              *float64 `json:"usl_kappa"`
	USLLambda             *float64 `json:"usl_lambda"`
	USLR2                 *float64 `json:"usl_r2"`
	USLPeakUsers          *float64 `json:"usl_peak_users"`
	USLPeakRPS            *float64 `json:"usl_peak_answered_rps"`
	FirstLimit            *string  `json:"first_limit"`
	FirstLimitUsers       *int     `json:"first_limit_users"`
	FirstLimitLevel       *int     `json:"first_limit_level"`
	FirstLimitSource      *string  `json:"first_limit_source"`
	BaselineP50MS         *float64 `json:"baseline_p50_ms"`
	BaselineP95MS         *float64 `json:"baseline_p95_ms"`
	BaselineP99MS         *float64 `json:"baseline_p99_ms"`
	Currency              *string  `json:"currency"`
	PricesAsOf            *string  `json:"prices_as_of"`
	CostBaselineLevel     *int     `json:"cost_baseline_level"`
	CostBaselineUsers     *int     `json:"cost_baseline_users"`
	USDPerUserMinute      *float64 `json:"usd_per_user_minute"`
	USDPerUserMinuteLLM   *float64 `json:"usd_per_user_minute_llm"`
	USDPerUserMinuteLamb  *float64 `json:"usd_per_user_minute_lambda"`
	USDPerUserMinuteDDB   *float64 `json:"usd_per_user_minute_dynamodb"`
	USDPerUserMinuteAPIGW *float64 `json:"usd_per_user_minute_api_gateway"`
	USDPerAnsweredTurn    *float64 `json:"usd_per_answered_turn"`
	// QuestionsPerUserMinute is the baseline level's engagement (answered
	// turns per active user per minute) that the cost per user-minute
	// assumes.
	QuestionsPerUserMinute *float64 `json:"questions_per_user_minute"`
	TokensPerTurnMean      *float64 `json:"tokens_per_turn_mean"`

	WhatIf []HeadlineWhatIf `json:"whatif"` // empty without analysis/whatif.json
}

// HeadlineWhatIf is one what-if scenario's headline.
type HeadlineWhatIf struct {
	Scenario         string  `json:"scenario"`
	Users            float64 `json:"users"`
	USDPerUserMinute float64 `json:"usd_per_user_minute"`
	USDPerDay        float64 `json:"usd_per_day"`
	USDPerMonth      float64 `json:"usd_per_month"`
	// HoursPerDay is the hours a day USDPerDay counts; QuestionsPerUserMinute
	// the scenario's engagement; OverQuota the quotas it overruns.
	HoursPerDay            float64  `json:"hours_per_day"`
	QuestionsPerUserMinute float64  `json:"questions_per_user_minute"`
	OverQuota              []string `json:"over_quota"`
	// LoadEquivalentUsers is the measured users that would make the
	// scenario's turn rate; BeyondEdge whether that passes the edge.
	LoadEquivalentUsers float64 `json:"load_equivalent_users"`
	BeyondEdge          *bool   `json:"beyond_edge"`
}

func p[T any](v T) *T { return &v }

// crossings finds the first level over the latency and error limits.
func crossings(s *brink.Summary) (lat, errs *brink.LevelStats) {
	lr, er := latencyRule(s), errorRule(s)
	for i := range s.Levels {
		l := &s.Levels[i]
		if lat == nil && l.P95MS != nil && *l.P95MS > lr {
			lat = l
		}
		if errs == nil && l.AllErrorRate > er {
			errs = l
		}
	}
	return lat, errs
}

func baselineCost(s *brink.Summary) *brink.LevelCost {
	if s.Cost == nil {
		return nil
	}
	for i := range s.Cost.Levels {
		if s.Cost.Levels[i].Level == s.Cost.BaselineLevel {
			return &s.Cost.Levels[i]
		}
	}
	return nil
}

// headline gathers the headline numbers.
func headline(in *input, now time.Time) Headline {
	s := in.s
	h := Headline{RunID: s.RunID, Status: s.Status, Target: s.Target, StartedAt: s.StartedAt.UTC().Format(time.RFC3339),
		ReportCreatedAt: now.UTC().Format(time.RFC3339), TimeScale: s.TimeScale, Step: s.Step, TotalRequests: s.TotalRequests,
		LevelsAnalysed: len(s.Levels), MetricsCollected: s.MetricsCollected, Approximate: append([]string{}, s.Approximate...),
		LatencyLimitMS: latencyRule(s), ErrorRateLimit: errorRule(s), WhatIf: []HeadlineWhatIf{}}
	if s.EndedAt != nil {
		h.EndedAt = p(s.EndedAt.UTC().Format(time.RFC3339))
	}
	for _, l := range s.Levels {
		h.MaxUsersTested = max(h.MaxUsersTested, l.Users)
		if h.MaxAnsweredRPS == nil || l.AnsweredRPS > *h.MaxAnsweredRPS {
			h.MaxAnsweredRPS, h.MaxAnsweredRPSUsers = p(l.AnsweredRPS), p(l.Users)
		}
	}
	lat, errs := crossings(s)
	if lat != nil {
		h.P95CrossedUsers, h.P95CrossedLevel, h.P95AtCrossingMS = p(lat.Users), p(lat.Level), lat.P95MS
	}
	if errs != nil {
		h.ErrorsCrossedUsers, h.ErrorsCrossedLevel, h.ErrorRateAtCrossing = p(errs.Users), p(errs.Level), p(errs.AllErrorRate)
	}
	if e := s.Edge; e != nil {
		h.EdgeUsers, h.EdgeLevel, h.EdgeRule, h.EdgeValue = p(e.Users), p(e.Level), p(e.Rule), p(e.Value)
	}
	if k := s.LatencyKnee; k != nil {
		h.LatencyKneeUsers, h.LatencyKneeP95MS = p(k.Users), p(k.Value)
	}
	h.LatencyWarningUsers = s.LatencyWarningUsers
	if k := s.ThroughputKnee; k != nil {
		h.ThroughputKneeUsers, h.ThroughputKneeRPS = p(k.Users), p(k.Value)
	}
	if u := s.USL; u != nil {
		h.USLSigma, h.USLKappa, h.USLLambda, h.USLR2, h.USLPeakUsers, h.USLPeakRPS = p(u.Sigma), p(u.Kappa), p(u.Lambda), p(u.R2), u.PeakN, u.PeakX
	}
	if f := s.FirstLimit; f != nil {
		h.FirstLimit, h.FirstLimitUsers, h.FirstLimitLevel, h.FirstLimitSource = p(f.Signal), p(f.Users), p(f.Level), p(f.Source)
	}
	if s.Cost != nil {
		h.Currency, h.PricesAsOf = p(s.Cost.Currency), p(s.Cost.PricesAsOf)
	}
	if lc := baselineCost(s); lc != nil {
		u := lc.PerUserMinute
		h.CostBaselineLevel, h.CostBaselineUsers = p(lc.Level), p(lc.Users)
		h.USDPerUserMinute, h.USDPerUserMinuteLLM, h.USDPerUserMinuteLamb, h.USDPerUserMinuteDDB, h.USDPerUserMinuteAPIGW = p(u.Total), p(u.LLM), p(u.Lambda), p(u.DynamoDB), p(u.APIGateway)
		h.USDPerAnsweredTurn, h.TokensPerTurnMean = lc.PerTurnUSD, lc.TokensPerTurnMean
		if lc.UserMinutes > 0 {
			h.QuestionsPerUserMinute = p(lc.QuestionsPerUserMinute())
		}
		for _, l := range s.Levels {
			if l.Level == lc.Level {
				h.BaselineP50MS, h.BaselineP95MS, h.BaselineP99MS = l.P50MS, l.P95MS, l.P99MS
			}
		}
	}
	if in.w != nil {
		for _, r := range in.w.Results {
			row := HeadlineWhatIf{Scenario: r.Scenario.Name, Users: r.AverageUsers, USDPerUserMinute: r.PerUserMinute.Total,
				USDPerDay: r.PerDay.Total, USDPerMonth: r.PerMonth.Total, LoadEquivalentUsers: r.LoadEquivalentUsers,
				HoursPerDay: hoursOf(r), QuestionsPerUserMinute: r.TurnsPerUserMinute, OverQuota: []string{}}
			for _, q := range r.Quotas {
				if q.Over {
					row.OverQuota = append(row.OverQuota, q.Name)
				}
			}
			if s.Edge != nil {
				row.BeyondEdge = p(r.LoadEquivalentUsers > float64(s.Edge.Users))
			}
			h.WhatIf = append(h.WhatIf, row)
		}
	}
	return h
}

func headlineJSON(in *input, now time.Time) ([]byte, error) {
	b, err := json.MarshalIndent(headline(in, now), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode report summary: %w", err)
	}
	return append(b, '\n'), nil
}

// Findings are the sentences the report's first page and summary.md lead
// with: the analysis's findings, the first limit that broke and the
// what-if's daily costs (w may be nil). Commands print the same lines.
func Findings(s *brink.Summary, w *pricing.WhatIf) []string { return findings(&input{s: s, w: w}) }

// findings are the analysis's findings in plain sentences, with what the
// report adds: the first limit that broke and the what-if's daily costs.
func findings(in *input) []string {
	s := in.s
	out := append([]string{}, s.Findings...)
	said := false // analyses since the first-limit finding moved there say it themselves
	for _, l := range out {
		said = said || strings.HasPrefix(l, "The first limit to break was") || strings.HasPrefix(l, "No limit broke")
	}
	switch f := s.FirstLimit; {
	case said:
	case f != nil:
		src := "the platform's metrics"
		if f.Source == "traces" {
			src = "the traces"
		}
		out = append(out, fmt.Sprintf("The first limit to break was %s, at %d users (level %d), from %s.", f.Signal, f.Users, f.Level, src))
	case len(s.Levels) > 0:
		out = append(out, "No limit broke: no throttling or timeouts in the platform's metrics or the traces.")
	}
	if in.w != nil {
		var parts []string
		for _, r := range in.w.Results {
			part := fmt.Sprintf("%s (%s users at %.2f questions/user-min) %s a day (%s h)", r.Scenario.Name, countLabel(r.AverageUsers),
				r.TurnsPerUserMinute, usd(r.PerDay.Total), trimFloat(hoursOf(r), 2))
			if s.Edge != nil && r.LoadEquivalentUsers > float64(s.Edge.Users) {
				part += fmt.Sprintf(", a load %.0fx past the edge of failure", r.LoadEquivalentUsers/float64(s.Edge.Users))
			}
			if o := overQuota(r); o != "-" {
				part += ", over quota: " + o
			}
			parts = append(parts, part)
		}
		if len(parts) > 0 {
			out = append(out, "What-if projections: "+strings.Join(parts, "; ")+".")
		}
	}
	return out
}
