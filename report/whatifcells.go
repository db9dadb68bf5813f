package report

import (
	"fmt"
	"strings"

	"brink/pricing"
)

// hoursOf is a scenario's hours per day (24 for what-ifs written before
// brink recorded it).
func hoursOf(r pricing.Result) float64 {
	if r.HoursPerDay > 0 {
		return r.HoursPerDay
	}
	return 24
}

// overQuota names the quotas a scenario overruns (need/limit), or "-".
func overQuota(r pricing.Result) string {
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
