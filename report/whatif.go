package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

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
	Notes               []string            `json:"notes"`
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
