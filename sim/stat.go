package sim

import (
	"fmt"
	"strconv"
	"strings"
)

type statKind uint8

const (
	statSum statKind = iota
	statAverage
	statMin
	statMax
	statSampleCount
	statPercentile
)

// stat is a parsed CloudWatch statistic: Sum, Average, Minimum, Maximum,
// SampleCount or pNN(.NN).
type stat struct {
	kind statKind
	p    float64
}

// parseStat reads a statistic name; other extended statistics (tm99, wm90,
// PR(...), ...) are refused by name so the caller knows what to change.
func parseStat(s string) (stat, error) {
	switch s {
	case "Sum":
		return stat{kind: statSum}, nil
	case "Average":
		return stat{kind: statAverage}, nil
	case "Minimum":
		return stat{kind: statMin}, nil
	case "Maximum":
		return stat{kind: statMax}, nil
	case "SampleCount":
		return stat{kind: statSampleCount}, nil
	}
	if rest, ok := strings.CutPrefix(s, "p"); ok && rest != "" && !strings.ContainsAny(rest, "eE+-") {
		if p, err := strconv.ParseFloat(rest, 64); err == nil && p >= 0 && p <= 100 {
			if i := strings.IndexByte(rest, '.'); i < 0 || len(rest)-i-1 <= 2 {
				return stat{kind: statPercentile, p: p}, nil
			}
		}
	}
	return stat{}, fmt.Errorf("statistic %q is not supported: use Sum, Average, Minimum, Maximum, SampleCount or a percentile such as p95 or p99.9", s)
}
