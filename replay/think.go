package replay

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Think is a think-time distribution (scenario time).
type Think struct {
	Dist   string        `yaml:"dist"`   // constant, uniform, normal, exponential, recorded
	Value  time.Duration `yaml:"value"`  // constant
	Min    time.Duration `yaml:"min"`    // uniform; lower clamp for normal
	Max    time.Duration `yaml:"max"`    // uniform; upper clamp for normal and exponential
	Mean   time.Duration `yaml:"mean"`   // normal, exponential
	Stddev time.Duration `yaml:"stddev"` // normal
	Scale  float64       `yaml:"scale"`  // recorded: multiply the recorded gaps (default 1)
}

// DefaultThink is uniform 3–8 s.
func DefaultThink() *Think {
	return &Think{Dist: "uniform", Min: 3 * time.Second, Max: 8 * time.Second}
}

func (t *Think) check(at string) error {
	switch t.Dist {
	case "constant":
		if t.Value < 0 {
			return errAt(at+".value", "think value %v must not be negative", t.Value)
		}
	case "uniform":
		if t.Min < 0 || t.Max < t.Min {
			return errAt(at, "uniform think: want 0 <= min <= max (got min %v, max %v)", t.Min, t.Max)
		}
	case "normal":
		if t.Mean <= 0 || t.Stddev < 0 {
			return errAt(at, "normal think: want mean > 0 and stddev >= 0")
		}
	case "exponential":
		if t.Mean <= 0 {
			return errAt(at+".mean", "exponential think: want mean > 0")
		}
	case "recorded":
		if t.Scale < 0 {
			return errAt(at+".scale", "recorded think: scale must not be negative")
		}
		if t.Scale == 0 {
			t.Scale = 1
		}
	case "":
		return errAt(at, "think needs a dist: constant, uniform, normal, exponential or recorded")
	default:
		return errAt(at+".dist", "think dist %q: want constant, uniform, normal, exponential or recorded", t.Dist)
	}
	return nil
}

// String describes the distribution for dry runs and docs.
func (t *Think) String() string {
	switch t.Dist {
	case "constant":
		return fmt.Sprintf("constant %v", t.Value)
	case "uniform":
		return fmt.Sprintf("uniform %v..%v", t.Min, t.Max)
	case "normal":
		return fmt.Sprintf("normal mean %v stddev %v", t.Mean, t.Stddev)
	case "exponential":
		return fmt.Sprintf("exponential mean %v", t.Mean)
	default:
		return fmt.Sprintf("recorded x%g", t.Scale)
	}
}

// Draw picks a think time. recorded is the corpus gap before this question
// (negative when the corpus has none: the fallback is uniform 3–8 s).
func (t *Think) Draw(rng *rand.Rand, recorded time.Duration) time.Duration {
	var d time.Duration
	switch t.Dist {
	case "constant":
		d = t.Value
	case "uniform":
		d = t.Min
		if span := t.Max - t.Min; span > 0 {
			d += time.Duration(rng.Int64N(int64(span)))
		}
	case "normal":
		d = time.Duration(float64(t.Mean) + rng.NormFloat64()*float64(t.Stddev))
		d = max(d, t.Min)
	case "exponential":
		d = time.Duration(rng.ExpFloat64() * float64(t.Mean))
	case "recorded":
		if recorded < 0 {
			return DefaultThink().Draw(rng, -1)
		}
		d = time.Duration(float64(recorded) * t.Scale)
	}
	if t.Max > 0 && t.Dist != "uniform" && t.Dist != "recorded" {
		d = min(d, t.Max)
	}
	return time.Duration(math.Max(0, float64(d)))
}
