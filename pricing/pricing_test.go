package pricing

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"brink"
)

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, want %.15g", name, got, want)
	}
}

func TestDefaultSheet(t *testing.T) {
	s := Default()
	want := map[string][2]float64{
		"anthropic.claude-3-haiku-20240307-v1:0":    {0.25, 1.25},
		"anthropic.claude-haiku-4-5-20251001-v1:0":  {1.00, 5.00},
		"anthropic.claude-sonnet-4-5-20250929-v1:0": {3.00, 15.00},
		"amazon.nova-micro-v1:0":                    {0.035, 0.14},
		"amazon.nova-lite-v1:0":                     {0.06, 0.24},
		"amazon.nova-pro-v1:0":                      {0.80, 3.20},
		"meta.llama3-3-70b-instruct-v1:0":           {0.72, 0.72},
		"meta.llama3-1-8b-instruct-v1:0":            {0.22, 0.22},
	}
	if len(s.Bedrock) != len(want) {
		t.Errorf("%d models, want %d: %v", len(s.Bedrock), len(want), s.ModelIDs())
	}
	for id, p := range want {
		m, err := s.Model(id)
		if err != nil {
			t.Fatal(err)
		}
		if m.InputPerMillion != p[0] || m.OutputPerMillion != p[1] {
			t.Errorf("%s: %v/%v per million, want %v/%v", id, m.InputPerMillion, m.OutputPerMillion, p[0], p[1])
		}
		if m.Source == "" || m.AsOf == "" || m.Name == "" {
			t.Errorf("%s: name %q source %q as_of %q: all required", id, m.Name, m.Source, m.AsOf)
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"lambda requests", s.Lambda.RequestsPerMillion, 0.20},
		{"lambda x86", s.Lambda.GBSecondX86, 0.0000166667},
		{"lambda arm", s.Lambda.GBSecondARM, 0.0000133334},
		{"ddb write", s.DynamoDB.OnDemandWritePerMillion, 0.625},
		{"ddb read", s.DynamoDB.OnDemandReadPerMillion, 0.125},
		{"ddb wcu-hour", s.DynamoDB.ProvisionedWCUHour, 0.00065},
		{"ddb rcu-hour", s.DynamoDB.ProvisionedRCUHour, 0.00013},
		{"http api", s.APIGateway.HTTPPerMillion, 1.00},
		{"rest api", s.APIGateway.RESTPerMillion, 3.50},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if s.Currency != "USD" || s.File != "embedded" || s.AsOf() != "2026-12-02" {
		t.Errorf("currency %q file %q as of %q", s.Currency, s.File, s.AsOf())
	}
}

func TestUnknownModel(t *testing.T) {
	_, err := Default().Model("openai.gpt-9")
	var ue *UnknownModelError
	if !errors.As(err, &ue) || ue.ID != "openai.gpt-9" {
		t.Fatalf("err %v, want *UnknownModelError", err)
	}
	msg := err.Error()
	for _, want := range []string{"openai.gpt-9", "amazon.nova-micro-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0", "--prices", "bedrock:", "as_of"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

const minimalSheet = `bedrock:
  m1:
    input_per_million: 2
    output_per_million: 8
    source: test
    as_of: 2026-01-02
lambda: {requests_per_million: 0.2, gb_second_x86: 0.00001, gb_second_arm: 0.000008, source: test, as_of: 2026-01-02}
dynamodb: {on_demand_write_per_million: 1, on_demand_read_per_million: 0.5, provisioned_wcu_hour: 0.001, provisioned_rcu_hour: 0.0002, source: test, as_of: 2026-01-02}
api_gateway: {http_per_million: 1, rest_per_million: 3.5, source: test, as_of: 2026-01-02}
`

func TestParseSheet(t *testing.T) {
	s, err := Parse("p.yaml", []byte(minimalSheet))
	if err != nil {
		t.Fatal(err)
	}
	if s.Bedrock["m1"].OutputPerMillion != 8 || s.Currency != "USD" || s.AsOf() != "2026-01-02" {
		t.Fatalf("parsed %+v", s)
	}
	for _, c := range []struct {
		name, edit, from, want string
	}{
		{"misspelt key", "input_per_milion", "input_per_million", `p.yaml:3:5: unknown key "input_per_milion" (did you mean "input_per_million"?)`},
		{"no source", "source: \"\"\n    as_of", "source: test\n    as_of", `p.yaml:2:3: m1: source is missing`},
		{"bad date", "as_of: June 2025\nlambda", "as_of: 2026-01-02\nlambda", `p.yaml:2:3: m1: as_of "June 2025": want the date`},
		{"negative price", "input_per_million: -2", "input_per_million: 2", `p.yaml:2:3: m1.input_per_million -2: want a price of zero or more`},
		{"no models", "bedrock: {}\nx_m1:", "bedrock:\n  m1:", "unknown key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(strings.Replace(minimalSheet, c.from, c.edit, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want it to contain %q", err, c.want)
			}
		})
	}
	if _, err := Parse("e.yaml", []byte("  \n")); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
}

func TestArithmetic(t *testing.T) {
	s := Default()
	haiku, _ := s.Model("anthropic.claude-3-haiku-20240307-v1:0")
	in, out := haiku.TokensUSD(1_000_000, 200_000)
	near(t, "haiku input", in, 0.25)
	near(t, "haiku output", out, 200_000*1.25/1e6) // 0.25
	l, err := s.LambdaUSD(1_000_000, 1000, ArchX86)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "lambda x86", l, 0.20+1000*0.0000166667)
	l, _ = s.LambdaUSD(0, 1000, ArchARM)
	near(t, "lambda arm", l, 1000*0.0000133334)
	if _, err := s.LambdaUSD(1, 1, "sparc"); err == nil {
		t.Error("sparc: want an error")
	}
	p, _ := s.APIGatewayPerRequest(APIREST)
	near(t, "rest per request", p, 3.5e-6)
	near(t, "ddb on demand", s.DynamoDBOnDemandUSD(2_000_000, 4_000_000), 2*0.625+4*0.125)
	near(t, "ddb provisioned", s.DynamoDBProvisionedUSD(90, 10, 24), (90*0.00065+10*0.00013)*24)
	b := brink.CostBreakdown{LLMInput: 1, LLMOutput: 2, Lambda: 0.5, DynamoDB: 0.25, APIGateway: 0.125}.Sum()
	if b.LLM != 3 || b.Total != 3.875 || b.Scale(2).Total != 7.75 {
		t.Errorf("breakdown %+v", b)
	}
}

func TestConcurrentUsers(t *testing.T) {
	for _, c := range []struct{ dau, spd, min, want float64 }{
		{14400, 1, 10, 100},                // 14,400 sessions a day = 10/min, 10 min each
		{10000, 3, 8, 10000 * 24.0 / 1440}, // 166.67
		{0, 3, 8, 0},
	} {
		near(t, "concurrent users", ConcurrentUsers(c.dau, c.spd, c.min), c.want)
	}
}

// testBaseline: 10 users, 2 answered turns per user-minute, 1.2 requests
// and invocations per turn, 3 Lambda seconds per turn, a p99 second with
// 1.5× the mean requests in flight, Claude 3 Haiku with 1000 input and 200
// output tokens a turn; limits at 80 (edge) and 150 (USL).
func testBaseline() Baseline {
	return Baseline{Level: 3, Users: 10, TurnsPerUserMinute: 2, APIRequestsPerTurn: 1.2, InvocationsPerTurn: 1.2, LambdaSecondsPerTurn: 3, LambdaPeakToMean: 1.5,
		Models: []ModelShare{{Model: "anthropic.claude-3-haiku-20240307-v1:0", Share: 1, InputPerTurn: 1000, OutputPerTurn: 200}},
		Limits: []Limit{{"edge of failure", 80}, {"USL peak", 150}}}
}

func TestEvaluate(t *testing.T) {
	s, u := Default(), DefaultUsage()
	// Per turn, by hand:
	llmIn := 1000 * 0.25 / 1e6                // 2.5e-4
	llmOut := 200 * 1.25 / 1e6                // 2.5e-4
	lambda := 1.2*0.20/1e6 + 3*1*0.0000166667 // requests + 3 GB-s at 1024 MB
	api := 1.2 * 3.50 / 1e6                   // REST API (the sim's, DefaultUsage)
	// Provisioned DynamoDB: 400 turns/min × 7 units = 46.7 WCU/s, under the
	// 90 provisioned, so the 90 WCU are billed by the hour (as the analysis
	// does) and shared by 400 × 60 turns an hour.
	ddb := 90 * 0.00065 / (400 * 60)
	perTurn := llmIn + llmOut + lambda + api + ddb

	r, err := Evaluate(testBaseline(), Scenario{Name: "viral", UsersFactor: 10, Engagement: 2}, s, u)
	if err != nil {
		t.Fatal(err)
	}
	// 100 users × 4 turns/min = 400 turns/min.
	near(t, "users", r.ConcurrentUsers, 100)
	near(t, "turns/min", r.TurnsPerMinute, 400)
	near(t, "per turn LLM", r.PerTurn.LLM, 5e-4)
	near(t, "per turn lambda", r.PerTurn.Lambda, lambda)
	near(t, "per turn dynamodb", r.PerTurn.DynamoDB, ddb)
	near(t, "per turn total", r.PerTurn.Total, perTurn)
	near(t, "per user-minute", r.PerUserMinute.Total, 4*perTurn)
	near(t, "per hour", r.PerHour.Total, 400*60*perTurn)
	near(t, "per hour LLM output", r.PerHour.LLMOutput, 400*60*llmOut)
	near(t, "per day", r.PerDay.Total, 400*60*24*perTurn)
	near(t, "per month", r.PerMonth.Total, 400*60*24*perTurn*365/12)
	near(t, "tokens/min", r.TokensPerMinute, 400*1200)
	// Quota: 480,000 tokens a minute, plus the unused part of the
	// reservation (700 max_tokens − 200 output) held by the 20 calls in
	// flight (400 turns/min ÷ 60 × 3 s).
	near(t, "tpm use", r.TPMUse, (480000.0+20*500)/1000000)
	near(t, "lambda concurrency (mean)", r.LambdaConcurrencyMean, 400.0/60*3) // 20
	near(t, "lambda concurrency (p99)", r.LambdaConcurrency, 400.0/60*3*1.5)  // the baseline's p99 second is 1.5× its mean
	near(t, "write units/s", r.WriteUnitsPerSecond, 400.0/60*7)
	near(t, "hours per day", r.HoursPerDay, 24)
	if len(r.Quotas) != 4 || r.Quotas[1].Over || r.Quotas[2].Over {
		t.Errorf("quotas %+v: want 4, Lambda (30 of 36) and WCU (46.7 of 90) not over", r.Quotas)
	}
	near(t, "load-equivalent users", r.LoadEquivalentUsers, 200)
	if len(r.Limits) != 2 || !r.Limits[0].Beyond || r.Limits[0].HeadroomUsers != -120 || !r.Limits[1].Beyond || r.Limits[1].HeadroomUsers != -50 {
		t.Errorf("limits %+v: want beyond the edge by 120 and the USL peak by 50", r.Limits)
	}
}

// Issue 18 item 11: the measured scenario costs what the measured level did
// (the same provisioned DynamoDB model as the analysis), and every quota a
// scenario overruns is flagged, DynamoDB write capacity included.
func TestEvaluateMeasuredAndQuotas(t *testing.T) {
	s, u := Default(), DefaultUsage()
	b := testBaseline()
	r, err := Evaluate(b, Scenario{Name: "measured"}, s, u)
	if err != nil {
		t.Fatal(err)
	}
	// The analysis's DynamoDB cost per user-minute of the level: 90 WCU for
	// an hour ÷ (10 users × 60 minutes).
	near(t, "measured dynamodb $/user-min", r.PerUserMinute.DynamoDB, 90*0.00065/(10*60))
	// ×100 users at ×2 engagement: 1000 users × 4 turns/min = 4000 turns/min:
	// 466.7 WCU/s against 90; Lambda 4000/60 × 3 s × 1.5 = 300 against 36;
	// 4000 × 1200 = 4.8M tokens/min, plus the unused reservation (700 −
	// 200 tokens) of the 200 calls in flight (4000/60 × 3 s): 4.9M as the
	// quota counts them, against 1M.
	r, err = Evaluate(b, Scenario{Name: "viral", UsersFactor: 100, Engagement: 2}, s, u)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"DynamoDB WCU": 4000.0 / 60 * 7, "Lambda concurrency (p99 second)": 300, "Bedrock tokens/min": 4.8e6 + 200*500}
	for _, q := range r.Quotas {
		if w, ok := want[q.Name]; ok {
			near(t, q.Name, q.Need, w)
			if !q.Over {
				t.Errorf("%s: %v needed against %v, not flagged", q.Name, q.Need, q.Limit)
			}
			delete(want, q.Name)
		} else if q.Over {
			t.Errorf("%s flagged: %+v", q.Name, q)
		}
	}
	if len(want) > 0 {
		t.Errorf("quotas %+v lack %v", r.Quotas, want)
	}
	notes := strings.Join(r.Notes, "\n")
	if !strings.Contains(notes, "over quota: DynamoDB WCU needs 467, 5.2× the 90 there") {
		t.Errorf("notes %q", notes)
	}
	// Priced at the capacity it needs: 466.7 WCU for an hour over 240,000 turns.
	near(t, "dynamodb/turn at scale", r.PerTurn.DynamoDB, (4000.0/60*7)*0.00065/(4000*60))
}

// Issue 18 item 9: a stated human engagement (questions per active user
// per minute) replaces the virtual users' and cannot be combined with the
// multiplier.
func TestEvaluateEngagementPerMinute(t *testing.T) {
	s, u := Default(), DefaultUsage()
	r, err := Evaluate(testBaseline(), Scenario{EngagementPerMinute: 0.5}, s, u)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "turns/user/min", r.TurnsPerUserMinute, 0.5)
	near(t, "load-equivalent users", r.LoadEquivalentUsers, 10*0.5/2)
	near(t, "LLM $/user-min", r.PerUserMinute.LLM, 0.5*5e-4)
	if _, err := Evaluate(testBaseline(), Scenario{EngagementPerMinute: 0.5, Engagement: 2}, s, u); err == nil || !strings.Contains(err.Error(), "give one") {
		t.Errorf("both engagements: %v", err)
	}
}

// A person's engagement from recorded think times: gaps of 5 and 7 s and a
// 3 s answer make one question every 9 s, 60/9 a minute.
func TestHumanEngagement(t *testing.T) {
	q, src := HumanEngagement([]time.Duration{5 * time.Second, 7 * time.Second}, 3*time.Second)
	near(t, "questions/min", q, 60.0/9)
	if !strings.Contains(src, "2 recorded think times (mean 6.0 s)") {
		t.Errorf("source %q", src)
	}
	q, src = HumanEngagement(nil, 3*time.Second)
	if q != DefaultHumanEngagement || !strings.Contains(src, "assumed") {
		t.Errorf("no gaps: %v %q, want the stated assumption", q, src)
	}
	if err := (Scenario{EngagementFromCorpus: true, Engagement: 2}).Validate(); err == nil {
		t.Error("engagement_from_corpus with engagement_x: want an error")
	}
}

func TestEvaluateLevers(t *testing.T) {
	s, u := Default(), DefaultUsage()
	b := testBaseline()
	t.Run("cache, verbosity, model", func(t *testing.T) {
		r, err := Evaluate(b, Scenario{CacheHitRate: 0.5, Verbosity: 2, Model: "amazon.nova-micro-v1:0"}, s, u)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "billed input/turn", r.InputTokensPerTurn, 500)
		near(t, "billed output/turn", r.OutputTokensPerTurn, 200) // 0.5 × 200 × 2
		near(t, "LLM/turn", r.PerTurn.LLM, 0.5*(1000*0.035+400*0.14)/1e6)
		near(t, "tokens/min", r.TokensPerMinute, 10*2*700)
	})
	t.Run("rate limit", func(t *testing.T) {
		r, _ := Evaluate(b, Scenario{Engagement: 2, RateLimitPerMinute: 3}, s, u)
		near(t, "turns/user/min", r.TurnsPerUserMinute, 3)
		near(t, "load-equivalent users", r.LoadEquivalentUsers, 15)
		if len(r.Notes) == 0 {
			t.Error("no note about the rate limit")
		}
	})
	t.Run("daily token budget", func(t *testing.T) {
		// 2 turns/min × 1200 tokens × 2 sessions × 10 min = 48,000 > 20,000.
		r, _ := Evaluate(b, Scenario{SessionsPerDay: 2, SessionMinutes: 10, DailyTokenBudget: 20000}, s, u)
		near(t, "turns/user/min", r.TurnsPerUserMinute, 2*20000.0/48000)
	})
	t.Run("daily active users", func(t *testing.T) {
		// 14,400 DAU × 1 session × 10 min ÷ 1440 = 100 on average, 200 at peak.
		r, _ := Evaluate(b, Scenario{DailyActiveUsers: 14400, SessionsPerDay: 1, SessionMinutes: 10, PeakFactor: 2}, s, u)
		near(t, "average", r.AverageUsers, 100)
		near(t, "peak", r.ConcurrentUsers, 200)
		near(t, "per day", r.PerDay.Total, 100*2*1440*r.PerTurn.Total)
		near(t, "per hour (at peak)", r.PerHour.Total, 200*2*60*r.PerTurn.Total)
	})
	t.Run("on-demand, arm, rest, fixed duration", func(t *testing.T) {
		u := u
		u.DynamoDBMode, u.LambdaArch, u.APIGatewayType, u.LambdaDuration, u.LambdaMemoryMB = OnDemand, ArchARM, APIREST, 2*time.Second, 512
		r, _ := Evaluate(b, Scenario{}, s, u)
		near(t, "dynamodb/turn", r.PerTurn.DynamoDB, 7*0.625/1e6)
		near(t, "lambda/turn", r.PerTurn.Lambda, 1.2*0.2/1e6+1.2*2*0.5*0.0000133334)
		near(t, "api/turn", r.PerTurn.APIGateway, 1.2*3.5/1e6)
	})
	for _, sc := range []Scenario{{CacheHitRate: 1.5}, {Engagement: -1}, {DailyActiveUsers: 10}, {DailyTokenBudget: 5}, {Model: "nope"}, {Verbosity: math.NaN()}} {
		if _, err := Evaluate(b, sc, s, u); err == nil {
			t.Errorf("%+v: want an error", sc)
		}
	}
}

func TestEstimatePlan(t *testing.T) {
	p := brink.Plan{Model: "closed", StartUsers: 10, StepUsers: 10, MaxUsers: 30, Ramp: brink.Duration(2 * time.Minute), Hold: brink.Duration(5 * time.Minute)}
	// Levels of 10, 20, 30 users: (0+10)/2×2 + 10×5 = 60; (10+20)/2×2 + 20×5 = 130; (20+30)/2×2 + 30×5 = 200.
	near(t, "user-minutes", PlanUserMinutes(p), 390)
	u := DefaultUsage()
	e, err := EstimatePlan(p, Default(), u, "")
	if err != nil {
		t.Fatal(err)
	}
	near(t, "turns", e.Turns, 390*6)
	near(t, "LLM", e.USD.LLM, 390*6*(900*0.25+160*1.25)/1e6) // 0.9945
	open := brink.Plan{Model: "open", StartRate: 6, StepRate: 6, MaxRate: 12, Ramp: brink.Duration(time.Minute), Hold: brink.Duration(2 * time.Minute)}
	// (0+6)/2×1 + 6×2 = 15; (6+12)/2×1 + 12×2 = 33.
	near(t, "sessions", PlanSessions(open), 48)
	e, _ = EstimatePlan(open, Default(), u, "amazon.nova-lite-v1:0")
	near(t, "open turns", e.Turns, 48*4.5)
	near(t, "open LLM", e.USD.LLM, 48*4.5*(900*0.06+160*0.24)/1e6)
	if _, err := EstimatePlan(p, Default(), u, "x.unknown"); err == nil {
		t.Error("unknown model: want an error")
	}
}

func TestMeter(t *testing.T) {
	m := NewMeter(Default(), "anthropic.claude-3-haiku-20240307-v1:0")
	m.Observe(brink.Trace{HasUsage: true, InputTokens: 1000, OutputTokens: 200})                   // default model
	m.Observe(brink.Trace{HasUsage: true, InputTokens: 1000, OutputTokens: 200, Error: "timeout"}) // not received
	m.Observe(brink.Trace{HasUsage: false})                                                        // no usage
	m.Observe(brink.Trace{HasUsage: true, InputTokens: 100, OutputTokens: 10, Model: "amazon.nova-pro-v1:0"})
	got := m.Observe(brink.Trace{HasUsage: true, InputTokens: 10, OutputTokens: 1, Model: "mystery"}) // dearest: Sonnet 4
	want := (1000*0.25+200*1.25)/1e6 + (100*0.80+10*3.20)/1e6 + (10*3.00+1*15.00)/1e6
	near(t, "total", got, want)
	usd, in, out := m.Total()
	if usd != got || in != 1110 || out != 211 {
		t.Errorf("total %v %d %d", usd, in, out)
	}
	if m.Unknown()["mystery"] != 1 {
		t.Errorf("unknown %v", m.Unknown())
	}
	r, err := CostRule(0.0005)
	if err != nil {
		t.Fatal(err)
	}
	if v, breached, ok := m.Check(r); !ok || !breached || v != got {
		t.Errorf("check %v %v %v: want %v breached", v, breached, ok, got)
	}
	if _, _, ok := m.Check(brink.StopRule{Metric: brink.RuleErrorRate}); ok {
		t.Error("an error-rate rule is not the meter's")
	}
	if _, err := CostRule(0); err == nil {
		t.Error("zero limit: want an error")
	}
}

func TestParseScenarios(t *testing.T) {
	sc, err := ParseScenarios("s.yaml", []byte(`scenarios:
  - name: launch
    daily_active_users: 50000
    sessions_per_day: 2
    session_minutes: 6
    peak_factor: 3
  - users_x: 10
    engagement_x: 2
    model: amazon.nova-lite-v1:0
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc) != 2 || sc[0].DailyActiveUsers != 50000 || sc[1].Name != "scenario 2" || sc[1].Model != "amazon.nova-lite-v1:0" {
		t.Fatalf("parsed %+v", sc)
	}
	for _, c := range []struct{ text, want string }{
		{"scenarios:\n  - users_x: 2\n  - cache_hit_rate: 2\n", "s.yaml:3:3: scenario \"scenario 2\": cache_hit_rate 2"},
		{"scenarios:\n  - engagment_x: 2\n", `unknown key "engagment_x" (did you mean "engagement_x"?)`},
		{"scenarios: []\n", "no scenarios"},
		{"scenarios:\n  - daily_active_users: 10\n", "needs sessions_per_day"},
	} {
		if _, err := ParseScenarios("s.yaml", []byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want %q", c.text, err, c.want)
		}
	}
}

func FuzzParseSheet(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte(minimalSheet))
	f.Add([]byte("bedrock: {a: {input_per_million: .nan}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, id := range s.ModelIDs() {
			m, err := s.Model(id)
			if err != nil || m.InputPerMillion < 0 || m.OutputPerMillion < 0 || m.AsOf == "" || m.Source == "" {
				t.Fatalf("accepted %q: %+v %v", id, m, err)
			}
		}
	})
}

func FuzzParseScenarios(f *testing.F) {
	f.Add([]byte("scenarios:\n  - users_x: 10\n    engagement_x: 2\n"))
	f.Add([]byte("scenarios:\n  - daily_active_users: 1e6\n    sessions_per_day: 2\n    session_minutes: 5\n    daily_token_budget: 1e5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		scs, err := ParseScenarios("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, sc := range scs {
			r, err := Evaluate(testBaseline(), sc, Default(), DefaultUsage())
			if err != nil {
				var ue *UnknownModelError
				if errors.As(err, &ue) {
					continue
				}
				t.Fatalf("%+v accepted but not evaluated: %v", sc, err)
			}
			if math.IsNaN(r.PerDay.Total) || r.PerDay.Total < 0 {
				t.Fatalf("%+v: per day %v", sc, r.PerDay.Total)
			}
		}
	})
}

// TestStaleSheetWarns: a sheet more than a year old says so, with its date;
// the embedded one does not, for a year from its date.
func TestStaleSheetWarns(t *testing.T) {
	old, err := Parse("old.yaml", []byte(strings.ReplaceAll(string(DefaultYAML()), "2026-12-02", "2024-03-01")))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if w := old.Stale(now); !strings.Contains(w, "old.yaml is dated 2024-03-01") || !strings.Contains(w, "--prices") {
		t.Errorf("stale warning %q", w)
	}
	if w := Default().Stale(now.AddDate(0, 11, 0)); w != "" {
		t.Errorf("the embedded sheet is stale within a year of its date: %q", w)
	}
	if w := Default().Stale(now.AddDate(1, 0, 2)); w == "" {
		t.Errorf("no warning a year and two days on")
	}
}

// TestInferenceProfilePrices: a profile id takes its model's price; a
// geographic profile of a Claude 4.5 model costs the 10% regional premium
// more, a global one the listed price; models without a premium cost the
// same through any profile.
func TestInferenceProfilePrices(t *testing.T) {
	sheet := Default()
	for _, c := range []struct {
		id      string
		in, out float64
	}{
		{"anthropic.claude-sonnet-4-5-20250929-v1:0", 3, 15},
		{"global.anthropic.claude-sonnet-4-5-20250929-v1:0", 3, 15},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", 3.3, 16.5},
		{"eu.anthropic.claude-haiku-4-5-20251001-v1:0", 1.1, 5.5},
		{"us.anthropic.claude-3-haiku-20240307-v1:0", 0.25, 1.25},
		{"apac.amazon.nova-micro-v1:0", 0.035, 0.14},
	} {
		m, err := sheet.Model(c.id)
		if err != nil || math.Abs(m.InputPerMillion-c.in) > 1e-9 || math.Abs(m.OutputPerMillion-c.out) > 1e-9 {
			t.Errorf("%s: %+v %v; want $%v / $%v per million", c.id, m, err, c.in, c.out)
		}
	}
	var unknown *UnknownModelError
	if _, err := sheet.Model("us.anthropic.claude-opus-9-v1:0"); !errors.As(err, &unknown) || unknown.ID != "us.anthropic.claude-opus-9-v1:0" {
		t.Errorf("unknown profile: %v", err)
	}
}

// TestParseUsage: a usage file overrides the keys it names, says where its
// sizing came from, and a mistake names the file, line or key.
func TestParseUsage(t *testing.T) {
	u, err := ParseUsage("u.yaml", []byte("api_gateway:\n  type: http\nlambda:\n  memory_mb: 2048\n  architecture: arm\ndynamodb:\n  mode: on_demand\n"))
	if err != nil {
		t.Fatal(err)
	}
	if u.APIGatewayType != APIHTTP || u.LambdaMemoryMB != 2048 || u.LambdaArch != ArchARM || u.DynamoDBMode != OnDemand || u.ProvisionedWCU != 90 ||
		u.Sizing != "usage file u.yaml: HTTP API, 2048 MB arm Lambda, DynamoDB on-demand (7 write, 0 read units a turn)" {
		t.Errorf("usage %+v", u)
	}
	for in, want := range map[string]string{
		"api_gateway: {type: graphql}": "usage file u.yaml: api gateway type \"graphql\": want http or rest",
		"lambda: {memory: 512}":        "usage file u.yaml",
		"lambda: {memory_mb: 64}":      "lambda memory 64 MB: want 128..10240",
		"dynamodb: {mode: [x]}":        "usage file u.yaml",
	} {
		if _, err := ParseUsage("u.yaml", []byte(in)); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want one line containing %q", in, err, want)
		}
	}
}

// FuzzParseUsage: any input gives a valid usage or an error naming the
// file.
func FuzzParseUsage(f *testing.F) {
	f.Add([]byte("api_gateway: {type: rest}\nlambda: {memory_mb: 1024, architecture: x86}\ndynamodb: {mode: provisioned, provisioned_wcu: 90}\n"))
	f.Add([]byte("dynamodb: {mode: on_demand, write_units_per_turn: 3.5, read_units_per_turn: 1}"))
	f.Add([]byte("lambda: !tag 0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := ParseUsage("f.yaml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "f.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := u.Validate(); err != nil {
			t.Fatalf("accepted an invalid usage: %v", err)
		}
	})
}

// TestQuotaByProfileType: a cross-Region profile's calls count against the
// cross-Region quota, and a Claude 4.5 model's output burns it 5× (the
// reservation's unused part shrinks accordingly).
func TestQuotaByProfileType(t *testing.T) {
	u := DefaultUsage()
	u.BedrockTPMQuota, u.BedrockCrossRegionTPMQuota = 1_000_000, 4_000_000
	b := testBaseline()
	b.Models = []ModelShare{{Model: "us.anthropic.claude-haiku-4-5-20251001-v1:0", Share: 1, InputPerTurn: 1000, OutputPerTurn: 100}}
	r, err := Evaluate(b, Scenario{Name: "viral", UsersFactor: 10, Engagement: 2}, Default(), u)
	if err != nil {
		t.Fatal(err)
	}
	// 400 turns/min × (1000 + 5 × 100) + 20 calls × (700 − 500), of 4,000,000.
	near(t, "tpm use", r.TPMUse, (400*1500.0+20*200)/4_000_000)
	if !strings.HasPrefix(r.TPMQuotaBasis, "us.anthropic.claude-haiku-4-5-20251001-v1:0's cross-Region quota of 4000000 tokens/min; a minute counts input + 5 × output") {
		t.Errorf("basis %q", r.TPMQuotaBasis)
	}
	b.Models[0].Model = "anthropic.claude-3-haiku-20240307-v1:0"
	r, _ = Evaluate(b, Scenario{Name: "viral", UsersFactor: 10, Engagement: 2}, Default(), u)
	near(t, "tpm use, in-Region Claude 3 Haiku", r.TPMUse, (400*1100.0+20*600)/1_000_000)
}
