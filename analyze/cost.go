package analyze

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"brink"
	"brink/pricing"
	"brink/queries"
	"brink/rundir"
)

// CostOptions configure the cost of a run. Zero values take the defaults:
// the run directory's prices.yaml or the embedded sheet, and
// pricing.DefaultUsage (the embedded sim's figures).
type CostOptions struct {
	Prices *pricing.Sheet
	Usage  *pricing.Usage
	// Strict makes a model the sheet does not price an error (the user
	// named the sheet) instead of a warning.
	Strict bool
	Now    time.Time // for the sheet's staleness warning; default time.Now()
}

// addCost prices the hold windows (queries/cost*.sql), writes
// analysis/cost.parquet and sets s.Cost. A run it cannot price (a model the
// sheet does not know, a bad sheet) gets a warning, not an error: the rest
// of the analysis stands.
func addCost(ctx context.Context, db *sql.DB, run *rundir.Run, s *brink.Summary) error {
	return addCostWith(ctx, db, run, s, CostOptions{})
}

func addCostWith(ctx context.Context, db *sql.DB, run *rundir.Run, s *brink.Summary, o CostOptions) error {
	if o.Prices == nil {
		path := "" // the embedded sheet, unless the run keeps its own
		if p, err := run.Fetch(ctx, rundir.PricesFile); err == nil {
			path = p
		}
		sheet, err := pricing.Load(path)
		if err != nil {
			s.Warnings = append(s.Warnings, "cost not computed: "+err.Error())
			return nil
		}
		o.Prices = sheet
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if w := o.Prices.Stale(o.Now); w != "" {
		s.Warnings = append(s.Warnings, w)
	}
	u := pricing.DefaultUsage()
	if o.Usage != nil {
		u = *o.Usage
	}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("cost assumptions: %w", err)
	}
	cs, err := runCost(ctx, db, s.Step, o.Prices, u)
	var ue *pricing.UnknownModelError
	if errors.As(err, &ue) && o.Strict {
		return fmt.Errorf("cost: %w", err)
	}
	if errors.As(err, &ue) {
		s.Warnings = append(s.Warnings, "cost not computed: "+err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	cs.BaselineLevel = baselineLevel(s, cs.Levels)
	if cs.FailureExposure, err = failureExposure(ctx, db, u.DefaultModel); err != nil {
		return err
	}
	if cs.FailureExposure == nil {
		cs.Notes = append(cs.Notes, "billing exposure of failures (tokens Bedrock billed for answers that never arrived) needs collected AWS/Bedrock metrics: not computed")
	}
	if err := copyParquet(ctx, db, "cost", run, rundir.CostFile); err != nil {
		return err
	}
	s.Cost = cs
	return nil
}

// runCost registers the prices and parameters and runs the cost queries.
func runCost(ctx context.Context, db *sql.DB, step string, sheet *pricing.Sheet, u pricing.Usage) (*brink.CostSummary, error) {
	cs := &brink.CostSummary{Currency: sheet.Currency, PriceSheet: sheet.File, PricesAsOf: sheet.AsOf(), Assumptions: u.Assumptions()}
	// The models answered turns name, each of which must have a price.
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT coalesce(nullif(model, ''), $2) FROM traces WHERE step = $1 AND error = '' ORDER BY 1`, step, u.DefaultModel)
	if err != nil {
		return nil, fmt.Errorf("cost: models: %w", err)
	}
	var models []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cost: models: %w", err)
		}
		models = append(models, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cost: models: %w", err)
	}
	for _, stmt := range []string{
		`CREATE OR REPLACE TABLE cost_prices (model VARCHAR, input_usd DOUBLE, output_usd DOUBLE)`,
		// Filled by levelMetrics when metrics were collected.
		`CREATE TABLE IF NOT EXISTS level_infra (level INTEGER, lambda_invocations_per_s DOUBLE)`,
		`CREATE OR REPLACE TABLE cost_params (default_model VARCHAR, lambda_ms DOUBLE, overhead_ms DOUBLE, lambda_gb DOUBLE,
			lambda_request_usd DOUBLE, gb_second_usd DOUBLE, api_request_usd DOUBLE, dynamodb_mode VARCHAR,
			write_units_per_turn DOUBLE, read_units_per_turn DOUBLE, wcu DOUBLE, rcu DOUBLE, wcu_hour_usd DOUBLE,
			rcu_hour_usd DOUBLE, write_unit_usd DOUBLE, read_unit_usd DOUBLE)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("cost: %w", err)
		}
	}
	for _, id := range models {
		p, err := sheet.Model(id)
		if err != nil {
			return nil, err
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO cost_prices VALUES (?, ?, ?)`, id, p.InputPerMillion/1e6, p.OutputPerMillion/1e6); err != nil {
			return nil, fmt.Errorf("cost: prices: %w", err)
		}
	}
	gbs, err := sheet.GBSecond(u.LambdaArch)
	if err != nil {
		return nil, err
	}
	api, err := sheet.APIGatewayPerRequest(u.APIGatewayType)
	if err != nil {
		return nil, err
	}
	var lambdaMS any // NULL: measured
	if u.LambdaDuration > 0 {
		lambdaMS = float64(u.LambdaDuration) / float64(time.Millisecond)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO cost_params VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.DefaultModel, lambdaMS, float64(u.APIGatewayOverhead)/float64(time.Millisecond), u.LambdaGB(),
		sheet.Lambda.RequestsPerMillion/1e6, gbs, api, u.DynamoDBMode,
		u.WriteUnitsPerTurn, u.ReadUnitsPerTurn, u.ProvisionedWCU, u.ProvisionedRCU,
		sheet.DynamoDB.ProvisionedWCUHour, sheet.DynamoDB.ProvisionedRCUHour,
		sheet.DynamoDB.OnDemandWritePerMillion/1e6, sheet.DynamoDB.OnDemandReadPerMillion/1e6); err != nil {
		return nil, fmt.Errorf("cost: parameters: %w", err)
	}
	// cost reads cost_models (the turns' dollars per model) for its totals.
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE cost_models AS `+queries.MustGet("cost_models"), step, u.DefaultModel); err != nil {
		return nil, fmt.Errorf("cost by model: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE cost AS `+queries.MustGet("cost"), step); err != nil {
		return nil, fmt.Errorf("cost table: %w", err)
	}
	if cs.Levels, err = readCostLevels(ctx, db); err != nil {
		return nil, err
	}
	if err := readCostModels(ctx, db, cs.Levels); err != nil {
		return nil, err
	}
	if cs.TurnGrowth, cs.InputTokensPerTurn, err = readTurnGrowth(ctx, db, step, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

func readCostLevels(ctx context.Context, db *sql.DB) ([]brink.LevelCost, error) {
	rows, err := db.QueryContext(ctx, `SELECT level, users, window_s, user_minutes, answered_turns, api_requests,
		lambda_invocations, lambda_seconds, lambda_gb_seconds, write_units, read_units, input_tokens, output_tokens,
		tokens_per_turn_mean, tokens_per_turn_p95, input_tokens_per_turn_mean, input_tokens_per_turn_p95,
		output_tokens_per_turn_mean, output_tokens_per_turn_p95,
		llm_input_usd, llm_output_usd, llm_usd, lambda_usd, dynamodb_usd, api_gateway_usd, total_usd,
		usd_per_answered_turn FROM cost ORDER BY level`)
	if err != nil {
		return nil, fmt.Errorf("cost table: %w", err)
	}
	defer rows.Close()
	var out []brink.LevelCost
	for rows.Next() {
		var l brink.LevelCost
		var tm, tp, im, ip, om, op, perTurn sql.NullFloat64
		b := &l.USD
		if err := rows.Scan(&l.Level, &l.Users, &l.WindowS, &l.UserMinutes, &l.AnsweredTurns, &l.APIRequests,
			&l.LambdaInvocations, &l.LambdaSeconds, &l.LambdaGBSeconds, &l.WriteUnits, &l.ReadUnits, &l.InputTokens, &l.OutputTokens,
			&tm, &tp, &im, &ip, &om, &op,
			&b.LLMInput, &b.LLMOutput, &b.LLM, &b.Lambda, &b.DynamoDB, &b.APIGateway, &b.Total, &perTurn); err != nil {
			return nil, fmt.Errorf("cost table: %w", err)
		}
		l.TokensPerTurnMean, l.TokensPerTurnP95 = ptr(tm), ptr(tp)
		l.InputTokensPerTurnMean, l.InputTokensPerTurnP95 = ptr(im), ptr(ip)
		l.OutputTokensPerTurnMean, l.OutputTokensPerTurnP95 = ptr(om), ptr(op)
		l.PerTurnUSD = ptr(perTurn)
		if l.UserMinutes > 0 {
			l.PerUserMinute = l.USD.Scale(1 / l.UserMinutes)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func readCostModels(ctx context.Context, db *sql.DB, levels []brink.LevelCost) error {
	rows, err := db.QueryContext(ctx, `SELECT level, model, turns, input_tokens, output_tokens, input_usd, output_usd
		FROM cost_models ORDER BY level, model`)
	if err != nil {
		return fmt.Errorf("cost by model: %w", err)
	}
	defer rows.Close()
	idx := map[int]int{}
	for i, l := range levels {
		idx[l.Level] = i
	}
	for rows.Next() {
		var lvl int
		var m brink.ModelTokens
		if err := rows.Scan(&lvl, &m.Model, &m.Turns, &m.InputTokens, &m.OutputTokens, &m.InputUSD, &m.OutputUSD); err != nil {
			return fmt.Errorf("cost by model: %w", err)
		}
		if i, ok := idx[lvl]; ok {
			levels[i].Models = append(levels[i].Models, m)
		}
	}
	return rows.Err()
}

// maxTurnRows bounds the asks numbered for the turn-growth table: past it,
// a deterministic sample of whole sessions is numbered instead (a 10M-row
// run's turn numbering alone would take seconds).
const maxTurnRows = 1_000_000

func readTurnGrowth(ctx context.Context, db *sql.DB, step string, cs *brink.CostSummary) ([]brink.TurnTokens, *float64, error) {
	var asks int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM traces WHERE step = ?`, step).Scan(&asks); err != nil {
		return nil, nil, fmt.Errorf("tokens by turn: %w", err)
	}
	every := max(1, (asks+maxTurnRows-1)/maxTurnRows)
	if every > 1 {
		cs.Notes = append(cs.Notes, fmt.Sprintf("tokens by turn number: computed on 1 in %d sessions (%d %s requests in all), chosen by a hash of (vu, session)", every, asks, step))
	}
	rows, err := db.QueryContext(ctx, queries.MustGet("cost_turns"), step, every)
	if err != nil {
		return nil, nil, fmt.Errorf("tokens by turn: %w", err)
	}
	defer rows.Close()
	var out []brink.TurnTokens
	// Least squares of input tokens on turn number from per-turn sums:
	// x = turn is constant within a row, so n, Σx, Σx², Σy and Σxy follow.
	var n, sx, sxx, sy, sxy float64
	for rows.Next() {
		var t brink.TurnTokens
		var sumIn float64
		if err := rows.Scan(&t.Turn, &t.Answered, &t.InputTokensMean, &t.OutputTokensMean, &sumIn); err != nil {
			return nil, nil, fmt.Errorf("tokens by turn: %w", err)
		}
		x, k := float64(t.Turn), float64(t.Answered)
		n, sx, sxx, sy, sxy = n+k, sx+k*x, sxx+k*x*x, sy+sumIn, sxy+x*sumIn
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if d := n*sxx - sx*sx; len(out) > 1 && d != 0 {
		slope := (n*sxy - sx*sy) / d
		return out, &slope, nil
	}
	return out, nil, nil
}

// baselineLevel is the level headline cost numbers describe: the last level
// before the edge of failure (the edge level when it is the first), else the
// last level that answered a turn.
func baselineLevel(s *brink.Summary, levels []brink.LevelCost) int {
	best := -1
	for _, l := range levels {
		if l.AnsweredTurns == 0 {
			continue
		}
		if s.Edge != nil && l.Level >= s.Edge.Level {
			if best < 0 {
				best = l.Level
			}
			break
		}
		best = l.Level
	}
	if best < 0 && len(levels) > 0 {
		best = levels[0].Level
	}
	return best
}

// failureExposure is the billing exposure of failures, per level: Bedrock's
// own token counts (collected metrics) less the tokens the traces received,
// priced by model (queries/failure_exposure.sql). Nil when no metrics were
// collected.
func failureExposure(ctx context.Context, db *sql.DB, defaultModel string) ([]brink.FailureExposure, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_views() WHERE view_name = 'metrics'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, queries.MustGet("failure_exposure"), defaultModel)
	if err != nil {
		return nil, fmt.Errorf("billing exposure of failures: %w", err)
	}
	defer rows.Close()
	out := []brink.FailureExposure{}
	for rows.Next() {
		var e brink.FailureExposure
		var usd sql.NullFloat64
		var unpriced int
		if err := rows.Scan(&e.Level, &e.InputTokens, &e.OutputTokens, &usd, &unpriced); err != nil {
			return nil, fmt.Errorf("billing exposure of failures: %w", err)
		}
		e.USD = usd.Float64
		out = append(out, e)
	}
	return out, rows.Err()
}

// costFindings says the cost headline in sentences (appended to findings).
func costFindings(s *brink.Summary) []string {
	c := s.Cost
	if c == nil {
		return nil
	}
	var l *brink.LevelCost
	for i := range c.Levels {
		if c.Levels[i].Level == c.BaselineLevel {
			l = &c.Levels[i]
		}
	}
	if l == nil || l.AnsweredTurns == 0 {
		return nil
	}
	var out []string
	pu := l.PerUserMinute
	out = append(out, fmt.Sprintf("At %d users (level %d) an active user cost $%.6f a minute: LLM $%.6f (input $%.6f, output $%.6f), Lambda $%.6f, DynamoDB $%.6f, API Gateway $%.6f (%s prices as of %s).",
		l.Users, l.Level, pu.Total, pu.LLM, pu.LLMInput, pu.LLMOutput, pu.Lambda, pu.DynamoDB, pu.APIGateway, c.PriceSheet, c.PricesAsOf))
	out = append(out, fmt.Sprintf("That active user asked %.2f questions a minute (answered turns per user-minute, the run's engagement): a virtual user with short think times, busier than a person; brink whatif --engagement Q_PER_MIN projects a stated human engagement.",
		l.QuestionsPerUserMinute()))
	if l.PerTurnUSD != nil && l.TokensPerTurnMean != nil && l.TokensPerTurnP95 != nil {
		out = append(out, fmt.Sprintf("An answered turn cost $%.6f and used %.0f tokens on average (p95 %.0f).",
			*l.PerTurnUSD, *l.TokensPerTurnMean, *l.TokensPerTurnP95))
	}
	if c.InputTokensPerTurn != nil && len(c.TurnGrowth) > 1 {
		first, last := c.TurnGrowth[0], c.TurnGrowth[len(c.TurnGrowth)-1]
		out = append(out, fmt.Sprintf("Input tokens grow with the conversation: %.0f at turn %d, %.0f at turn %d (about %.0f more per turn).",
			first.InputTokensMean, first.Turn, last.InputTokensMean, last.Turn, *c.InputTokensPerTurn))
	}
	return out
}
