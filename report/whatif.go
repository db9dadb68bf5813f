package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"brink"
)

// WhatIf is the part of analysis/whatif.json (written by brink whatif) the
// report draws: each scenario's concurrency, cost and load.
type WhatIf struct {
	RunID      string           `json:"run_id"`
	Currency   string           `json:"currency"`
	PriceSheet string           `json:"price_sheet"`
	PricesAsOf string           `json:"prices_as_of"`
	Baseline   WhatIfBaseline   `json:"baseline"`
	Results    []WhatIfScenario `json:"results"`
}

// WhatIfBaseline is the measured level the scenarios project from.
type WhatIfBaseline struct {
	Level              int     `json:"level"`
	Users              int     `json:"users"`
	TurnsPerUserMinute float64 `json:"turns_per_user_minute"`
}

// WhatIfScenario is one evaluated scenario.
type WhatIfScenario struct {
	Scenario struct {
		Name string `json:"name"`
	} `json:"scenario"`
	ConcurrentUsers     float64             `json:"concurrent_users"`
	AverageUsers        float64             `json:"average_users"`
	TurnsPerUserMinute  float64             `json:"turns_per_user_minute"`
	LoadEquivalentUsers float64             `json:"load_equivalent_users"`
	PerUserMinute       brink.CostBreakdown `json:"usd_per_user_minute"`
	PerDay              brink.CostBreakdown `json:"usd_per_day"`
	PerMonth            brink.CostBreakdown `json:"usd_per_month"`
	TPMUse              float64             `json:"tpm_quota_use"`
	HoursPerDay         float64             `json:"hours_per_day"`
	Quotas              []WhatIfQuota       `json:"quotas"`
	Notes               []string            `json:"notes"`
}

// WhatIfQuota is a quota the scenario was checked against.
type WhatIfQuota struct {
	Name  string  `json:"name"`
	Need  float64 `json:"need"`
	Limit float64 `json:"limit"`
	Over  bool    `json:"over"`
}

// hours is the scenario's hours per day (24 for what-ifs written before
// brink recorded it).
func (r WhatIfScenario) hours() float64 {
	if r.HoursPerDay > 0 {
		return r.HoursPerDay
	}
	return 24
}

// overQuota names the quotas the scenario overruns, or "-".
func (r WhatIfScenario) overQuota() string {
	var over []string
	for _, q := range r.Quotas {
		if q.Over {
			over = append(over, fmt.Sprintf("%s %s/%s", q.Name, countLabel(q.Need), countLabel(q.Limit)))
		}
	}
	if len(over) == 0 {
		return "-"
	}
	return strings.Join(over, "; ")
}

// ReadWhatIf reads runDir/analysis/whatif.json; it returns nil, nil when the
// run has none (brink whatif was not run).
func ReadWhatIf(runDir string) (*WhatIf, error) {
	path := filepath.Join(runDir, brink.AnalysisDir, brink.WhatIfFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read what-if: %w", err)
	}
	var w WhatIf
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &w, nil
}
