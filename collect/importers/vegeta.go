package importers

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"time"

	"brink"
	"brink/collect/importers/vegeta"
)

func scanVegeta(ctx context.Context, path string, fn func(*vegeta.Result) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("vegeta: %w", err)
	}
	defer f.Close()
	r := vegeta.NewReader(f, path)
	n := 0
	for r.Scan() {
		if n++; n%65536 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		switch rec := r.Result().(type) {
		case *vegeta.SyntaxError:
			return rec
		case *vegeta.Result:
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	return r.Err()
}

func vegetaName(r *vegeta.Result) string {
	if r.URL == "" {
		return "request" // vegeta before 12.9 does not record the URL
	}
	return RequestName(r.URL)
}

type vegetaHit struct {
	t      time.Time
	seq    uint64
	attack string
}

// vegetaLevels finds the attacks in a results file: sorted by time, a new
// attack starts where the attack name changes or seq is 0 again (vegeta
// numbers each attack's requests from 0). An attack of n requests at rate r
// is a level of round(r) "users" (requests/s: vegeta is an open model) with
// no ramp, whose hold lasts n/r, so its rps is r.
func vegetaLevels(hits []vegetaHit) ([]brink.LevelWindow, []string) {
	sort.Slice(hits, func(i, j int) bool { return hits[i].t.Before(hits[j].t) })
	zeros := 0
	for _, h := range hits {
		if h.seq == 0 {
			zeros++
		}
	}
	var warnings []string
	useSeq := zeros*2 <= len(hits) || len(hits) < 2
	if !useSeq {
		warnings = append(warnings, "the results carry no sequence numbers (older vegeta): the whole file is one level; give --plan to split it")
	}
	var levels []brink.LevelWindow
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j].attack == hits[i].attack && (!useSeq || hits[j].seq != 0) {
			j++
		}
		n := j - i
		first, last := hits[i].t, hits[j-1].t
		rate := 1.0
		if n > 1 && last.After(first) {
			rate = float64(n-1) / last.Sub(first).Seconds()
		}
		end := first.Add(time.Duration(float64(n) / rate * float64(time.Second)))
		levels = append(levels, brink.LevelWindow{Index: len(levels), Users: max(int(math.Round(rate)), 1),
			RampStart: first.UTC(), SteadyStart: first.UTC(), End: end.UTC()})
		i = j
	}
	return levels, warnings
}

// Vegeta imports vegeta's JSON results (`vegeta encode --to json`): a trace
// row per request. Levels come from opts.Plan laid out from the first
// request, or else one level per attack (see vegetaLevels).
func Vegeta(ctx context.Context, path string, opts Options) (*Result, error) {
	opts.defaults()
	var (
		hits  []vegetaHit
		stats = nameStats{}
		hosts = map[string]int{}
		last  time.Time
	)
	err := scanVegeta(ctx, path, func(r *vegeta.Result) error {
		hits = append(hits, vegetaHit{r.Timestamp, r.Seq, r.Attack})
		stats.add(vegetaName(r), msf(r.Latency))
		hosts[targetOf(r.URL)]++
		if e := r.Timestamp.Add(r.Latency); e.After(last) {
			last = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(hits) == 0 {
		return nil, fmt.Errorf("%s: no results: is it `vegeta encode --to json` output?", path)
	}
	steps, err := newStepMapper(opts, stats)
	if err != nil {
		return nil, err
	}
	var levels []brink.LevelWindow
	var warnings []string
	var plan brink.Plan
	first := hits[0].t
	for _, h := range hits {
		if h.t.Before(first) {
			first = h.t
		}
	}
	if opts.Plan != nil {
		plan = *opts.Plan
		levels = plan.Timeline(first.UTC())
		if n := len(levels); levels[n-1].End.Before(last) {
			warnings = append(warnings, fmt.Sprintf("the plan ends at %s but requests ran until %s: later requests count as the last level's ramp",
				levels[n-1].End.Format(time.RFC3339), last.UTC().Format(time.RFC3339)))
		}
	} else {
		levels, warnings = vegetaLevels(hits)
		plan = planFor(levels, "open")
		warnings = append(warnings, "vegeta is an open model: each level's users column holds its attack rate in requests/s, not concurrent users")
	}
	hits = nil
	sum, err := hashFiles(path)
	if err != nil {
		return nil, fmt.Errorf("vegeta: %w", err)
	}
	w, err := newRun(ctx, opts, "vegeta", path, sum, first, false)
	if err != nil {
		return nil, err
	}
	defer w.Abandon(ctx) // no-op once finished
	runID := w.ID()
	tw, err := writeTraces(w)
	if err != nil {
		return nil, err
	}
	err = scanVegeta(ctx, path, func(r *vegeta.Result) error {
		lvl, phase := locate(levels, r.Timestamp)
		lat := msf(r.Latency)
		t := brink.Trace{RunID: runID, Session: int64(r.Seq), Step: steps.step(vegetaName(r)), Level: int32(lvl),
			Users: int32(levels[lvl].Users), Phase: phase, Start: r.Timestamp, LatencyMS: lat, TTFBMS: lat,
			Status: int32(r.Code), BytesSent: int64(min(r.BytesOut, math.MaxInt64)), BytesReceived: int64(min(r.BytesIn, math.MaxInt64))}
		if r.Code == 0 {
			t.Error = classifyError(r.Error)
		} else {
			t.Error, t.Throttled = brink.ClassifyStatus(r.Code)
			if t.Error == "" && r.Error != "" {
				t.Error = brink.ErrConnect // the response broke off while being read
			}
		}
		return tw.Write(t)
	})
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, "vegeta does not time the first byte: ttfb_ms is the full latency",
		"vegeta has no virtual users: vu is 0 and session is the request's sequence number")
	if err := finish(ctx, w, last, levels, plan, mostCommon(hosts)); err != nil {
		return nil, err
	}
	return &Result{Dir: w.Dir(), Manifest: w.Manifest(), Requests: tw.Rows(), StepNames: steps.names(stats.counts()), StepChoice: steps.choice, Warnings: warnings}, nil
}
