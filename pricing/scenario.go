package pricing

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"brink/internal/yamlx"
)

// ScenarioFile is the YAML form of a what-if set (docs/cost.md):
//
//	scenarios:
//	  - name: launch day
//	    daily_active_users: 50000
//	    sessions_per_day: 2
//	    session_minutes: 6
//	    peak_factor: 3
type ScenarioFile struct {
	Scenarios []Scenario `yaml:"scenarios"`
}

var knownScenarioKeys = yamlx.Keys(ScenarioFile{})

// LoadScenarios reads a scenario file.
func LoadScenarios(path string) ([]Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	return ParseScenarios(path, b)
}

// ParseScenarios decodes and checks a scenario file; errors name
// file:line:col. A scenario without a name is called "scenario N".
func ParseScenarios(file string, data []byte) ([]Scenario, error) {
	var f ScenarioFile
	name := "scenarios " + file
	if err := yamlx.Decode(name, data, &f, knownScenarioKeys); err != nil {
		return nil, err
	}
	if len(f.Scenarios) == 0 {
		return nil, fmt.Errorf("%s: no scenarios: list them under scenarios:", name)
	}
	for i := range f.Scenarios {
		sc := &f.Scenarios[i]
		if sc.Name == "" {
			sc.Name = fmt.Sprintf("scenario %d", i+1)
		}
		if err := sc.Validate(); err != nil {
			line, col := nthItem(data, i)
			return nil, yamlx.At(name, line, col, "scenario %q: %v", sc.Name, err)
		}
	}
	return f.Scenarios, nil
}

// nthItem finds the line of the i-th "- " list item, or 0, 0.
func nthItem(data []byte, i int) (int, int) {
	n := -1
	line := 1
	start := true
	for j, c := range data {
		if start {
			k := j
			for k < len(data) && data[k] == ' ' {
				k++
			}
			if k < len(data) && data[k] == '-' && (k+1 == len(data) || data[k+1] == ' ' || data[k+1] == '\n') {
				n++
				if n == i {
					return line, k - j + 1
				}
			}
		}
		start = c == '\n'
		if start {
			line++
		}
	}
	return 0, 0
}

// EngagementValue is a flag.Value for a scenario's engagement: questions
// per active user per minute (EngagementPerMinute), or "corpus"
// (EngagementFromCorpus).
type EngagementValue struct{ Scenario *Scenario }

func (v EngagementValue) String() string {
	switch {
	case v.Scenario == nil:
		return "0"
	case v.Scenario.EngagementFromCorpus:
		return "corpus"
	}
	return strconv.FormatFloat(v.Scenario.EngagementPerMinute, 'g', -1, 64)
}

// Set takes a number of questions per minute or the word corpus.
func (v EngagementValue) Set(s string) error {
	if s == "corpus" {
		v.Scenario.EngagementFromCorpus = true
		return nil
	}
	q, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("want questions per active user per minute (e.g. 1) or corpus")
	}
	v.Scenario.EngagementPerMinute = q
	return nil
}
