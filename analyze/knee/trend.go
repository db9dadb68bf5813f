package knee

import "fmt"

// DefaultTrendTolerance is the share of a curve's range by which a point
// may go against the curve's direction before Trend calls the curve not
// monotone: measurement noise, not a different shape.
const DefaultTrendTolerance = 0.10

// TrendBreak is the first place a curve goes against its direction.
type TrendBreak struct {
	From, To int     // indices of the two points
	Share    float64 // the step against the direction ÷ the curve's range
}

// Trend checks that y follows dir, allowing steps against it of up to tol
// of y's range (max − min). Kneedle assumes a monotone curve: on 10.3,
// 4.4, 6.7, 4.0 it still names a knee, which means nothing. Trend returns
// the first step against dir larger than that, or nil when there is none
// (also for fewer than 2 points or a constant y). Points are in x order.
func Trend(y []float64, dir Direction, tol float64) *TrendBreak {
	if len(y) < 2 {
		return nil
	}
	lo, hi := y[0], y[0]
	for _, v := range y {
		lo, hi = min(lo, v), max(hi, v)
	}
	if !(hi > lo) {
		return nil
	}
	for i := 1; i < len(y); i++ {
		against := y[i-1] - y[i] // a fall, for an increasing curve
		if dir == Decreasing {
			against = -against
		}
		if share := against / (hi - lo); share > tol {
			return &TrendBreak{From: i - 1, To: i, Share: share}
		}
	}
	return nil
}

// String describes the break for a message.
func (b *TrendBreak) String() string {
	return fmt.Sprintf("points %d to %d go %.0f%% of the range against the trend", b.From, b.To, b.Share*100)
}
