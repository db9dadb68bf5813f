package pricing

import (
	"errors"
	"fmt"
	"math"
	"time"

	"brink"
)

// DaysPerMonth is 365/12: a month is 730 hours, as AWS prices a month.
const DaysPerMonth = 365.0 / 12

// ConcurrentUsers is Little's law, L = λW: daily active users who each start
// sessionsPerDay sessions of sessionMinutes arrive at λ = dau × sessionsPerDay
// ÷ 1440 sessions a minute and stay W = sessionMinutes, so on average
// dau × sessionsPerDay × sessionMinutes ÷ 1440 are active at once.
func ConcurrentUsers(dau, sessionsPerDay, sessionMinutes float64) float64 {
	return dau * sessionsPerDay * sessionMinutes / 1440
}

// Baseline is what one measured level says about an active user.
type Baseline struct {
	Level              int     `json:"level"`
	Users              int     `json:"users"`
	TurnsPerUserMinute float64 `json:"turns_per_user_minute"` // answered turns
	// Per answered turn, all steps included (logins, new chats, failures).
	APIRequestsPerTurn   float64      `json:"api_requests_per_turn"`
	InvocationsPerTurn   float64      `json:"lambda_invocations_per_turn"`
	LambdaSecondsPerTurn float64      `json:"lambda_seconds_per_turn"`
	Models               []ModelShare `json:"models"`
	Limits               []Limit      `json:"limits"`
	// LambdaPeakToMean is the level's p99 of requests in flight per second
	// ÷ their mean (brink.LevelStats.InFlightP99 / InFlightMean): Lambda
	// concurrency is sized for the busy seconds, not the average. 0 when
	// the run has no per-request rows.
	LambdaPeakToMean float64 `json:"lambda_concurrency_p99_to_mean,omitempty"`
}

// DefaultHumanEngagement is the questions a person asks per active minute
// that the what-if assumes when a corpus has no recorded gaps: a question,
// a read of the answer and a follow-up take about a minute. It is an
// assumption and every output that uses it says so.
const DefaultHumanEngagement = 1.0

// HumanEngagement is the questions a person asks per active minute, from a
// corpus's recorded think times: one question per (mean gap + the answer's
// time), 60 / (mean gap s + answer s). Without recorded gaps it is
// DefaultHumanEngagement, and source says it is an assumption.
func HumanEngagement(gaps []time.Duration, answer time.Duration) (perMinute float64, source string) {
	if len(gaps) == 0 {
		return DefaultHumanEngagement, fmt.Sprintf("assumed %g question a minute (the corpus records no think times)", DefaultHumanEngagement)
	}
	var sum time.Duration
	for _, g := range gaps {
		sum += g
	}
	mean := sum / time.Duration(len(gaps))
	cycle := (mean + max(answer, 0)).Seconds()
	if cycle <= 0 {
		return DefaultHumanEngagement, fmt.Sprintf("assumed %g question a minute (the corpus's gaps are all 0)", DefaultHumanEngagement)
	}
	return 60 / cycle, fmt.Sprintf("%.2f questions a minute from the corpus's %d recorded think times (mean %.1f s) plus the measured median answer (%.1f s)",
		60/cycle, len(gaps), mean.Seconds(), answer.Seconds())
}

// ModelShare is a model's share of the answered turns and its tokens per turn.
type ModelShare struct {
	Model         string  `json:"model"`
	Share         float64 `json:"share"`
	InputPerTurn  float64 `json:"input_tokens_per_turn"`
	OutputPerTurn float64 `json:"output_tokens_per_turn"`
}

// Limit is a measured concurrency limit: the edge of failure, a knee, the
// USL peak.
type Limit struct {
	Name  string  `json:"name"`
	Users float64 `json:"users"`
}

// ErrNoCost is returned when a summary has no cost section to project from.
var ErrNoCost = errors.New("the analysis has no cost section")

// BaselineFrom takes the baseline from an analysed run's summary: the given
// level, or the cost section's baseline level when level < 0.
func BaselineFrom(s *brink.Summary, level int) (Baseline, error) {
	if s.Cost == nil {
		return Baseline{}, fmt.Errorf("%w (re-run brink analyze with this brink; see its warnings)", ErrNoCost)
	}
	if level < 0 {
		level = s.Cost.BaselineLevel
	}
	var lc *brink.LevelCost
	var levels []int
	for i := range s.Cost.Levels {
		levels = append(levels, s.Cost.Levels[i].Level)
		if s.Cost.Levels[i].Level == level {
			lc = &s.Cost.Levels[i]
		}
	}
	if lc == nil {
		return Baseline{}, fmt.Errorf("level %d: not among the analysed levels %v", level, levels)
	}
	if lc.AnsweredTurns == 0 || lc.UserMinutes <= 0 {
		return Baseline{}, fmt.Errorf("level %d answered no turn in its hold: pick another with --level", level)
	}
	n := float64(lc.AnsweredTurns)
	b := Baseline{
		Level: lc.Level, Users: lc.Users,
		TurnsPerUserMinute:   n / lc.UserMinutes,
		APIRequestsPerTurn:   float64(lc.APIRequests) / n,
		InvocationsPerTurn:   float64(lc.LambdaInvocations) / n,
		LambdaSecondsPerTurn: lc.LambdaSeconds / n,
	}
	for _, m := range lc.Models {
		if m.Turns == 0 {
			continue
		}
		b.Models = append(b.Models, ModelShare{Model: m.Model, Share: float64(m.Turns) / n,
			InputPerTurn: float64(m.InputTokens) / float64(m.Turns), OutputPerTurn: float64(m.OutputTokens) / float64(m.Turns)})
	}
	if s.Edge != nil {
		b.Limits = append(b.Limits, Limit{"edge of failure", float64(s.Edge.Users)})
	}
	if s.LatencyKnee != nil {
		b.Limits = append(b.Limits, Limit{"p95 latency knee", float64(s.LatencyKnee.Users)})
	}
	if s.ThroughputKnee != nil {
		b.Limits = append(b.Limits, Limit{"throughput knee", float64(s.ThroughputKnee.Users)})
	}
	if s.USL != nil && s.USL.PeakN != nil {
		b.Limits = append(b.Limits, Limit{"USL peak", *s.USL.PeakN})
	}
	for _, l := range s.Levels {
		if l.Level == level && l.InFlightMean != nil && l.InFlightP99 != nil && *l.InFlightMean > 0 {
			b.LambdaPeakToMean = *l.InFlightP99 / *l.InFlightMean
		}
	}
	return b, nil
}

// Scenario is one what-if. Zero values leave the measured behaviour alone.
// Concurrency comes from Users, else DailyActiveUsers (Little's law), else
// the baseline's users × UsersFactor.
type Scenario struct {
	Name             string  `yaml:"name" json:"name"`
	UsersFactor      float64 `yaml:"users_x" json:"users_x,omitempty"`
	Users            float64 `yaml:"users" json:"users,omitempty"`
	DailyActiveUsers float64 `yaml:"daily_active_users" json:"daily_active_users,omitempty"`
	SessionsPerDay   float64 `yaml:"sessions_per_day" json:"sessions_per_day,omitempty"`
	SessionMinutes   float64 `yaml:"session_minutes" json:"session_minutes,omitempty"`
	// PeakFactor is peak concurrency ÷ the daily average (DAU scenarios).
	PeakFactor float64 `yaml:"peak_factor" json:"peak_factor,omitempty"`
	// Engagement multiplies turns per user per minute; EngagementPerMinute
	// sets them (questions per active user per minute, a stated human
	// engagement instead of the virtual users'); the two are exclusive.
	// Verbosity multiplies output tokens.
	Engagement          float64 `yaml:"engagement_x" json:"engagement_x,omitempty"`
	EngagementPerMinute float64 `yaml:"engagement_per_minute" json:"engagement_per_minute,omitempty"`
	// EngagementFromCorpus sets EngagementPerMinute from the corpus's
	// recorded think times (WhatIfOptions.CorpusGaps, HumanEngagement) when
	// ProjectRun evaluates the scenario.
	EngagementFromCorpus bool    `yaml:"engagement_from_corpus" json:"engagement_from_corpus,omitempty"`
	Verbosity            float64 `yaml:"verbosity_x" json:"verbosity_x,omitempty"`
	// CacheHitRate is the share of turns answered from a cache: no Bedrock
	// tokens, the rest of the stack as before.
	CacheHitRate float64 `yaml:"cache_hit_rate" json:"cache_hit_rate,omitempty"`
	Model        string  `yaml:"model" json:"model,omitempty"` // price every turn as this model
	// RateLimitPerMinute caps turns per user per minute; DailyTokenBudget
	// caps a user's billed tokens per day (needs sessions_per_day and
	// session_minutes).
	RateLimitPerMinute float64 `yaml:"rate_limit_per_minute" json:"rate_limit_per_minute,omitempty"`
	DailyTokenBudget   float64 `yaml:"daily_token_budget" json:"daily_token_budget,omitempty"`
	// HoursPerDay is how long a day holds the scenario's concurrency
	// (default 24; DAU scenarios always use their daily average over 24 h).
	HoursPerDay float64 `yaml:"hours_per_day" json:"hours_per_day,omitempty"`
}

// ViralSet is the built-in "going viral" set: ×10 and ×100 users, each at
// ×2 engagement, next to the measured baseline.
func ViralSet() []Scenario {
	return []Scenario{
		{Name: "measured"},
		{Name: "viral x10 users, x2 engagement", UsersFactor: 10, Engagement: 2},
		{Name: "viral x100 users, x2 engagement", UsersFactor: 100, Engagement: 2},
	}
}

// Validate names the first unusable field.
func (sc Scenario) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"users_x", sc.UsersFactor}, {"users", sc.Users}, {"daily_active_users", sc.DailyActiveUsers},
		{"sessions_per_day", sc.SessionsPerDay}, {"session_minutes", sc.SessionMinutes}, {"peak_factor", sc.PeakFactor},
		{"engagement_x", sc.Engagement}, {"engagement_per_minute", sc.EngagementPerMinute}, {"verbosity_x", sc.Verbosity}, {"cache_hit_rate", sc.CacheHitRate},
		{"rate_limit_per_minute", sc.RateLimitPerMinute}, {"daily_token_budget", sc.DailyTokenBudget}, {"hours_per_day", sc.HoursPerDay}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("%s %v: must be a number of zero or more", f.name, f.v)
		}
	}
	switch {
	case sc.EngagementFromCorpus && (sc.Engagement > 0 || sc.EngagementPerMinute > 0):
		return fmt.Errorf("engagement_from_corpus with engagement_x %v or engagement_per_minute %v: give one", sc.Engagement, sc.EngagementPerMinute)
	case sc.Engagement > 0 && sc.EngagementPerMinute > 0:
		return fmt.Errorf("engagement_x %v and engagement_per_minute %v: give one (a multiple of the measured engagement, or questions per user per minute)", sc.Engagement, sc.EngagementPerMinute)
	case sc.CacheHitRate > 1:
		return fmt.Errorf("cache_hit_rate %v: want a fraction between 0 and 1", sc.CacheHitRate)
	case sc.HoursPerDay > 24:
		return fmt.Errorf("hours_per_day %v: a day has 24", sc.HoursPerDay)
	case sc.DailyActiveUsers > 0 && (sc.SessionsPerDay <= 0 || sc.SessionMinutes <= 0):
		return fmt.Errorf("daily_active_users needs sessions_per_day and session_minutes (Little's law)")
	case sc.DailyTokenBudget > 0 && (sc.SessionsPerDay <= 0 || sc.SessionMinutes <= 0):
		return fmt.Errorf("daily_token_budget needs sessions_per_day and session_minutes: how long a user is active in a day")
	}
	return nil
}

func or1(v float64) float64 {
	if v == 0 {
		return 1
	}
	return v
}

// Result is a scenario evaluated against a baseline.
type Result struct {
	Scenario Scenario `json:"scenario"`
	// ConcurrentUsers is the scenario's peak concurrency; AverageUsers its
	// daily average (equal unless a DAU scenario has a peak factor).
	ConcurrentUsers    float64 `json:"concurrent_users"`
	AverageUsers       float64 `json:"average_users"`
	TurnsPerUserMinute float64 `json:"turns_per_user_minute"`
	TurnsPerMinute     float64 `json:"turns_per_minute"`
	// Billed Bedrock tokens per answered turn (cache hits excluded).
	InputTokensPerTurn  float64 `json:"input_tokens_per_turn"`
	OutputTokensPerTurn float64 `json:"output_tokens_per_turn"`
	TokensPerMinute     float64 `json:"tokens_per_minute"`
	BedrockTPMQuota     float64 `json:"bedrock_tpm_quota"`
	// TPMUse is the busiest model's share of its tokens-per-minute quota:
	// its input + output × the output burndown rate a minute, plus the
	// unused part of input + max_tokens reserved by the calls in flight,
	// ÷ the quota of its kind (on-demand or cross-Region). TPMQuotaBasis
	// says so in words.
	TPMUse        float64 `json:"tpm_quota_use"`
	TPMQuotaBasis string  `json:"tpm_quota_basis,omitempty"`
	// HoursPerDay is the hours a day the $/day and $/month figures count
	// at ConcurrentUsers (24 unless the scenario says; DAU scenarios: 24 h
	// at their daily average).
	HoursPerDay float64 `json:"hours_per_day"`
	// LambdaConcurrency is the concurrency to provision for: the mean
	// (turns/s × Lambda seconds per turn) × the baseline's p99-to-mean
	// ratio of requests in flight per second.
	LambdaConcurrency     float64 `json:"lambda_concurrency"`
	LambdaConcurrencyMean float64 `json:"lambda_concurrency_mean"`
	LambdaLimit           int     `json:"lambda_concurrency_limit"`
	WriteUnitsPerSecond   float64 `json:"dynamodb_write_units_per_second"`
	ReadUnitsPerSecond    float64 `json:"dynamodb_read_units_per_second"`
	// Quotas are the scenario's needs against each quota the what-if
	// knows; Over marks every one it overruns.
	Quotas []QuotaCheck `json:"quotas"`
	// LoadEquivalentUsers is the measured-run users that would make this
	// scenario's turn rate: what the measured limits are compared with.
	LoadEquivalentUsers float64             `json:"load_equivalent_users"`
	PerTurn             brink.CostBreakdown `json:"usd_per_turn"`
	PerUserMinute       brink.CostBreakdown `json:"usd_per_user_minute"`
	PerHour             brink.CostBreakdown `json:"usd_per_hour"`
	PerDay              brink.CostBreakdown `json:"usd_per_day"`
	PerMonth            brink.CostBreakdown `json:"usd_per_month"`
	Limits              []LimitCheck        `json:"limits"`
	Notes               []string            `json:"notes,omitempty"`
}

// QuotaCheck is one quota: what the scenario needs and what is there.
type QuotaCheck struct {
	Name  string  `json:"name"` // "Bedrock tokens/min", "Lambda concurrency", "DynamoDB WCU", "DynamoDB RCU"
	Need  float64 `json:"need"`
	Limit float64 `json:"limit"`
	Over  bool    `json:"over"`
}

// LimitCheck compares the scenario with a measured limit. Headroom is the
// limit minus the load-equivalent users: negative when beyond it.
type LimitCheck struct {
	Name          string  `json:"name"`
	Users         float64 `json:"users"`
	HeadroomUsers float64 `json:"headroom_users"`
	Beyond        bool    `json:"beyond"`
}

// Evaluate projects a scenario from the baseline with the sheet's prices and
// the usage assumptions.
func Evaluate(b Baseline, sc Scenario, sheet *Sheet, u Usage) (Result, error) {
	if err := sc.Validate(); err != nil {
		return Result{}, fmt.Errorf("scenario %q: %w", sc.Name, err)
	}
	if err := u.Validate(); err != nil {
		return Result{}, err
	}
	if b.TurnsPerUserMinute <= 0 || len(b.Models) == 0 {
		return Result{}, fmt.Errorf("baseline level %d answered no turn: nothing to project from", b.Level)
	}
	r := Result{Scenario: sc, BedrockTPMQuota: u.BedrockTPMQuota, LambdaLimit: u.LambdaConcurrencyLimit}
	var hours float64
	switch {
	case sc.Users > 0:
		r.AverageUsers = sc.Users
		hours = sc.HoursPerDay
	case sc.DailyActiveUsers > 0:
		r.AverageUsers = ConcurrentUsers(sc.DailyActiveUsers, sc.SessionsPerDay, sc.SessionMinutes)
		hours = 24
	default:
		r.AverageUsers = float64(b.Users) * or1(sc.UsersFactor)
		hours = sc.HoursPerDay
	}
	if hours == 0 {
		hours = 24
	}
	r.HoursPerDay = hours
	r.ConcurrentUsers = r.AverageUsers
	if sc.DailyActiveUsers > 0 && sc.Users == 0 {
		r.ConcurrentUsers = r.AverageUsers * or1(sc.PeakFactor)
	}

	// Bedrock tokens and dollars per answered turn.
	billed := 1 - sc.CacheHitRate
	var llmIn, llmOut float64
	for _, m := range b.Models {
		id := m.Model
		if sc.Model != "" {
			id = sc.Model
		}
		p, err := sheet.Model(id)
		if err != nil {
			return Result{}, fmt.Errorf("scenario %q: %w", sc.Name, err)
		}
		in, out := m.InputPerTurn, m.OutputPerTurn*or1(sc.Verbosity)
		r.InputTokensPerTurn += billed * m.Share * in
		r.OutputTokensPerTurn += billed * m.Share * out
		ci, co := p.TokensUSD(in, out)
		llmIn += billed * m.Share * ci
		llmOut += billed * m.Share * co
	}
	tokensPerTurn := r.InputTokensPerTurn + r.OutputTokensPerTurn

	// Turns per user per minute: engagement, then the caps.
	t := b.TurnsPerUserMinute * or1(sc.Engagement)
	if sc.EngagementPerMinute > 0 {
		t = sc.EngagementPerMinute
	}
	if sc.RateLimitPerMinute > 0 && t > sc.RateLimitPerMinute {
		r.Notes = append(r.Notes, fmt.Sprintf("the rate limit cuts %.2f turns per user per minute to %.2f", t, sc.RateLimitPerMinute))
		t = sc.RateLimitPerMinute
	}
	if sc.DailyTokenBudget > 0 {
		daily := t * tokensPerTurn * sc.SessionsPerDay * sc.SessionMinutes
		if daily > sc.DailyTokenBudget {
			f := sc.DailyTokenBudget / daily
			r.Notes = append(r.Notes, fmt.Sprintf("the daily token budget (%.0f) is spent after %.0f%% of a user's day: turns cut to %.3f per user per minute",
				sc.DailyTokenBudget, 100*f, t*f))
			t *= f
		}
	}
	r.TurnsPerUserMinute = t
	r.TurnsPerMinute = r.ConcurrentUsers * t

	// Infrastructure per answered turn.
	gbs, err := sheet.GBSecond(u.LambdaArch)
	if err != nil {
		return Result{}, err
	}
	apiPrice, err := sheet.APIGatewayPerRequest(u.APIGatewayType)
	if err != nil {
		return Result{}, err
	}
	lambdaSec := b.LambdaSecondsPerTurn
	if u.LambdaDuration > 0 {
		lambdaSec = b.InvocationsPerTurn * u.LambdaDuration.Seconds()
	}
	per := brink.CostBreakdown{
		LLMInput:   llmIn,
		LLMOutput:  llmOut,
		Lambda:     b.InvocationsPerTurn*perMillion(sheet.Lambda.RequestsPerMillion) + lambdaSec*u.LambdaGB()*gbs,
		APIGateway: b.APIRequestsPerTurn * apiPrice,
	}
	// DynamoDB units a second at the scenario's peak concurrency.
	turnsPerSecond := r.TurnsPerMinute / 60
	r.WriteUnitsPerSecond = turnsPerSecond * u.WriteUnitsPerTurn
	r.ReadUnitsPerSecond = turnsPerSecond * u.ReadUnitsPerTurn
	switch u.DynamoDBMode {
	case OnDemand:
		per.DynamoDB = sheet.DynamoDBOnDemandUSD(u.WriteUnitsPerTurn, u.ReadUnitsPerTurn)
	default:
		// The analysis's model: the provisioned capacity is billed by the
		// hour whatever the traffic, so the measured scenario costs what the
		// measured level did. A scenario that needs more is priced at the
		// capacity it needs (and flagged below): the floor of what scaling
		// up would cost.
		w, rd := max(u.ProvisionedWCU, r.WriteUnitsPerSecond), max(u.ProvisionedRCU, r.ReadUnitsPerSecond)
		if turnsPerSecond > 0 {
			per.DynamoDB = sheet.DynamoDBProvisionedUSD(w, rd, 1) / (turnsPerSecond * 3600)
		}
	}
	r.PerTurn = per.Sum()
	r.PerUserMinute = r.PerTurn.Scale(t)
	r.PerHour = r.PerUserMinute.Scale(r.ConcurrentUsers * 60)
	r.PerDay = r.PerUserMinute.Scale(r.AverageUsers * 60 * hours)
	r.PerMonth = r.PerDay.Scale(DaysPerMonth)

	// Capacity: every quota the what-if knows, each overrun flagged.
	r.TokensPerMinute = r.TurnsPerMinute * tokensPerTurn
	r.quotaUse(b, sc, u, lambdaSec) // Bedrock's way of counting, with its own note when over
	r.LambdaConcurrencyMean = turnsPerSecond * lambdaSec
	r.LambdaConcurrency = r.LambdaConcurrencyMean
	if b.LambdaPeakToMean > 0 {
		r.LambdaConcurrency *= b.LambdaPeakToMean
	} else {
		r.Notes = append(r.Notes, "Lambda concurrency is the mean (no per-second peak was measured): the busy seconds need more")
	}
	r.Quotas = []QuotaCheck{
		{Name: "Bedrock tokens/min", Need: r.TPMUse * u.BedrockTPMQuota, Limit: u.BedrockTPMQuota},
		{Name: "Lambda concurrency (p99 second)", Need: r.LambdaConcurrency, Limit: float64(u.LambdaConcurrencyLimit)},
	}
	if u.DynamoDBMode != OnDemand {
		r.Quotas = append(r.Quotas,
			QuotaCheck{Name: "DynamoDB WCU", Need: r.WriteUnitsPerSecond, Limit: u.ProvisionedWCU},
			QuotaCheck{Name: "DynamoDB RCU", Need: r.ReadUnitsPerSecond, Limit: u.ProvisionedRCU})
	}
	for i := range r.Quotas {
		q := &r.Quotas[i]
		// A zero limit is unknown (or a table that is not read), not a quota of 0.
		if q.Limit > 0 && q.Need > q.Limit {
			q.Over = true
			if i == 0 {
				continue // quotaUse said it, with its basis
			}
			r.Notes = append(r.Notes, fmt.Sprintf("over quota: %s needs %.0f, %.1f× the %.0f there", q.Name, q.Need, q.Need/q.Limit, q.Limit))
		}
	}
	r.LoadEquivalentUsers = r.TurnsPerMinute / b.TurnsPerUserMinute
	for _, l := range b.Limits {
		h := l.Users - r.LoadEquivalentUsers
		r.Limits = append(r.Limits, LimitCheck{Name: l.Name, Users: l.Users, HeadroomUsers: h, Beyond: h < 0})
	}
	return r, nil
}

// quotaUse sets TPMUse from each model's quota use (Result.TPMUse). A
// call's duration is taken as the Lambda seconds of a turn: an upper
// bound, since the function waits for the model.
func (r *Result) quotaUse(b Baseline, sc Scenario, u Usage, callSec float64) {
	billed := 1 - sc.CacheHitRate
	for _, m := range b.Models {
		id := m.Model
		if sc.Model != "" {
			id = sc.Model
		}
		quota, kind := u.TPMQuota(id)
		if quota <= 0 {
			continue
		}
		turns := r.TurnsPerMinute * m.Share
		in, out := billed*m.InputPerTurn, billed*m.OutputPerTurn*or1(sc.Verbosity)
		burn := brink.OutputBurndown(id)
		used := turns * (in + burn*out)
		calls := turns / 60 * callSec
		held := calls * max(0, float64(u.BedrockMaxTokens)-burn*out)
		if use := (used + held) / quota; use >= r.TPMUse {
			r.TPMUse = use
			r.TPMQuotaBasis = fmt.Sprintf("%s's %s quota of %.0f tokens/min; a minute counts input + %g × output (%.0f) plus the unused part of input + max_tokens %d reserved by %.0f calls in flight (%.0f)",
				id, kind, quota, burn, used, u.BedrockMaxTokens, calls, held)
		}
	}
	if r.TPMUse > 1 {
		r.Notes = append(r.Notes, fmt.Sprintf("Bedrock would need %.1f× its tokens-per-minute quota (%s): ask for a quota increase or expect throttling",
			r.TPMUse, r.TPMQuotaBasis))
	}
}
