package analyze

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"brink"
	"brink/pricing"
	"brink/queries"
	"brink/rundir"
)

// CompareOptions configure Compare. Zero values take the defaults.
type CompareOptions struct {
	DB DBOptions
	// Alpha is the significance level; default 0.05. A difference whose p
	// value is not below it is reported as no difference ("~").
	Alpha float64
}

// DefaultAlpha is CompareOptions.Alpha's default.
const DefaultAlpha = 0.05

// Compare compares analysed run B with run A the way benchstat compares
// benchmarks: only at the user levels both runs held, metric by metric, each
// with a significance test on the raw values of the two runs — latency
// percentiles by a Mann–Whitney U test on the answered conversation
// requests of the level's hold, the all-step error rate by Fisher's exact
// test on the request and error counts, the cost per user-minute by a U
// test on each user's LLM spend per minute. A difference that is not
// significant at Alpha never drives the verdict. The figures a and b are
// the runs' own summaries' (exact percentiles, the cost model's totals).
func Compare(ctx context.Context, dirA, dirB string, o CompareOptions) (*brink.Comparison, error) {
	if o.Alpha <= 0 {
		o.Alpha = DefaultAlpha
	}
	var runs [2]*rundir.Run
	var sums [2]*brink.Summary
	for i, d := range []string{dirA, dirB} {
		run, s, err := rundir.OpenAnalysed(ctx, d)
		if err != nil {
			return nil, fmt.Errorf("compare run %c: %w", 'A'+i, err)
		}
		runs[i], sums[i] = run, s
	}
	sa, sb := sums[0], sums[1]
	c := &brink.Comparison{RunA: sa.RunID, RunB: sb.RunID, Step: sb.Step, Alpha: o.Alpha, Differences: []brink.Difference{}}
	if sa.Step != sb.Step {
		c.Notes = append(c.Notes, fmt.Sprintf("run A's conversation step is %q and run B's %q: latencies compare different requests", sa.Step, sb.Step))
	}
	la, lb := levelsByUsers(sa), levelsByUsers(sb)
	for u := range la {
		if _, ok := lb[u]; ok {
			c.Users = append(c.Users, u)
		}
	}
	slices.Sort(c.Users)
	if len(c.Users) == 0 {
		c.Verdict = "The runs share no user level: there is nothing to compare like for like."
		return c, nil
	}
	db, err := Open(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tests, err := compareSamples(ctx, db, runs, sb.Step, c)
	if err != nil {
		return nil, err
	}
	ca, cb := costByUsers(sa), costByUsers(sb)
	for _, u := range c.Users {
		x, y := la[u], lb[u]
		lat := tests[rankKey{"latency_ms", u}]
		for _, m := range []struct {
			name string
			a, b *float64
		}{{brink.MetricP50, x.P50MS, y.P50MS}, {brink.MetricP95, x.P95MS, y.P95MS}, {brink.MetricP99, x.P99MS, y.P99MS}} {
			c.Differences = append(c.Differences, difference(m.name, u, m.a, m.b, lat, "mann-whitney-u", o.Alpha))
		}
		errP := fisherExactP(errorsOf(x), x.AllRequests, errorsOf(y), y.AllRequests)
		c.Differences = append(c.Differences, difference(brink.MetricErrorRate, u, &x.AllErrorRate, &y.AllErrorRate, &errP, "fisher-exact", o.Alpha))
		c.Differences = append(c.Differences, difference(brink.MetricUSDPerUserMin, u, ca[u], cb[u], tests[rankKey{"usd_per_user_minute", u}], "mann-whitney-u", o.Alpha))
	}
	c.Verdict = verdict(c)
	return c, nil
}

type rankKey struct {
	metric string
	users  int
}

// compareSamples loads each run in turn, keeps its raw values in
// cmp_samples, and returns the U test's p value per metric and level. A run
// without per-request rows (imported from Locust) has none: its latency and
// cost differences are not tested, and a note says so.
func compareSamples(ctx context.Context, db *sql.DB, runs [2]*rundir.Run, step string, c *brink.Comparison) (map[rankKey]*float64, error) {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE cmp_samples (run VARCHAR, metric VARCHAR, users INTEGER, v DOUBLE)`); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	for i, name := range []string{"a", "b"} {
		run := runs[i]
		if run.Manifest().Aggregated {
			c.Notes = append(c.Notes, fmt.Sprintf("run %s was imported without per-request rows: its latencies and cost are not tested for significance", strings.ToUpper(name)))
			return map[rankKey]*float64{}, nil
		}
		if _, err := loadRun(ctx, db, run); err != nil {
			return nil, fmt.Errorf("compare run %s: %w", strings.ToUpper(name), err)
		}
		u := pricing.DefaultUsage()
		if err := comparePrices(ctx, db, run, step, u.DefaultModel); err != nil {
			c.Notes = append(c.Notes, fmt.Sprintf("run %s: %v: its users' spend counts unpriced tokens as 0", strings.ToUpper(name), err))
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO cmp_samples `+queries.MustGet("compare_samples"), name, step, u.DefaultModel); err != nil {
			return nil, fmt.Errorf("compare run %s: samples: %w", strings.ToUpper(name), err)
		}
	}
	rows, err := db.QueryContext(ctx, queries.MustGet("compare_ranks"))
	if err != nil {
		return nil, fmt.Errorf("compare: ranks: %w", err)
	}
	defer rows.Close()
	out := map[rankKey]*float64{}
	for rows.Next() {
		var k rankKey
		var nA, nB int64
		var rankSum, tie float64
		if err := rows.Scan(&k.metric, &k.users, &nA, &nB, &rankSum, &tie); err != nil {
			return nil, fmt.Errorf("compare: ranks: %w", err)
		}
		if nA > 0 && nB > 0 {
			p := mannWhitneyP(nA, nB, rankSum, tie)
			out[k] = &p
		}
	}
	return out, rows.Err()
}

// comparePrices fills cmp_prices with the prices of the models the run's
// answered turns name, from the run's own price sheet or the embedded one.
func comparePrices(ctx context.Context, db *sql.DB, run *rundir.Run, step, defaultModel string) error {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE cmp_prices (model VARCHAR, input_usd DOUBLE, output_usd DOUBLE)`); err != nil {
		return err
	}
	path := "" // the embedded sheet, unless the run keeps its own
	if p, err := run.Fetch(ctx, rundir.PricesFile); err == nil {
		path = p
	}
	sheet, err := pricing.Load(path)
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT coalesce(nullif(model, ''), $2) FROM hold WHERE step = $1 AND error = ''`, step, defaultModel)
	if err != nil {
		return err
	}
	var models []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return err
		}
		models = append(models, m)
	}
	rows.Close()
	for _, id := range models {
		p, err := sheet.Model(id)
		if err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO cmp_prices VALUES (?, ?, ?)`, id, p.InputPerMillion/1e6, p.OutputPerMillion/1e6); err != nil {
			return err
		}
	}
	return nil
}

func difference(metric string, users int, a, b, p *float64, test string, alpha float64) brink.Difference {
	d := brink.Difference{Metric: metric, Users: users, A: a, B: b, Test: test}
	if a != nil && b != nil && *a != 0 {
		v := 100 * (*b - *a) / *a
		d.DeltaPct = &v
	}
	if a != nil && b != nil && p != nil {
		d.PValue = p
		d.Significant = *p < alpha
	}
	return d
}

func levelsByUsers(s *brink.Summary) map[int]brink.LevelStats {
	m := map[int]brink.LevelStats{}
	for _, l := range s.Levels {
		if l.WindowS > 0 {
			m[l.Users] = l
		}
	}
	return m
}

func costByUsers(s *brink.Summary) map[int]*float64 {
	m := map[int]*float64{}
	if s.Cost != nil {
		for _, l := range s.Cost.Levels {
			v := l.PerUserMinute.Total
			m[l.Users] = &v
		}
	}
	return m
}

// errorsOf is the level's all-step error count.
func errorsOf(l brink.LevelStats) int64 {
	return int64(l.AllErrorRate*float64(l.AllRequests) + 0.5)
}

// verdict sums up the significant differences only, naming the worst rise
// and the best fall of each metric.
func verdict(c *brink.Comparison) string {
	var worse, better []string
	byMetric := map[string][]brink.Difference{}
	var order []string
	for _, d := range c.Differences {
		if !d.Significant || d.A == nil || d.B == nil || *d.A == *d.B {
			continue
		}
		if _, ok := byMetric[d.Metric]; !ok {
			order = append(order, d.Metric)
		}
		byMetric[d.Metric] = append(byMetric[d.Metric], d)
	}
	for _, m := range order {
		var up, down []string
		for _, d := range byMetric[m] {
			if *d.B > *d.A {
				up = append(up, fmt.Sprint(d.Users))
			} else {
				down = append(down, fmt.Sprint(d.Users))
			}
		}
		if len(up) > 0 {
			worse = append(worse, fmt.Sprintf("%s higher at %s users", m, strings.Join(up, ", ")))
		}
		if len(down) > 0 {
			better = append(better, fmt.Sprintf("%s lower at %s users", m, strings.Join(down, ", ")))
		}
	}
	levels := fmt.Sprintf("%d common level", len(c.Users))
	if len(c.Users) != 1 {
		levels += "s"
	}
	alpha := fmt.Sprintf("alpha = %g", c.Alpha)
	switch {
	case len(worse) == 0 && len(better) == 0:
		return fmt.Sprintf("No significant difference at the %s (%s): run B measures the same as run A.", levels, alpha)
	case len(better) == 0:
		return fmt.Sprintf("Run B is worse (%s, %s): %s.", levels, alpha, strings.Join(worse, "; "))
	case len(worse) == 0:
		return fmt.Sprintf("Run B is better (%s, %s): %s.", levels, alpha, strings.Join(better, "; "))
	default:
		return fmt.Sprintf("Mixed (%s, %s): worse: %s; better: %s.", levels, alpha, strings.Join(worse, "; "), strings.Join(better, "; "))
	}
}
