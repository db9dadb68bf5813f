package knee

import "testing"

func TestTrend(t *testing.T) {
	tests := []struct {
		name string
		y    []float64
		dir  Direction
		want *TrendBreak
	}{
		// Issue 18: 10.3 -> 4.4 falls 5.9 of the range 10.3 - 4.0 = 6.3: 94%.
		{"issue latency", []float64{10.3, 4.4, 6.7, 4.0}, Increasing, &TrendBreak{From: 0, To: 1, Share: 5.9 / 6.3}},
		{"rising with noise", []float64{1.0, 1.1, 1.08, 2.0, 5.0}, Increasing, nil}, // 0.02/4 = 0.5%
		{"dip over tolerance", []float64{1.0, 3.0, 2.5, 4.0, 5.0}, Increasing, &TrendBreak{From: 1, To: 2, Share: 0.5 / 4}},
		{"decreasing, rise within tolerance", []float64{9, 7, 7.2, 3}, Decreasing, nil}, // 0.2/6 = 3.3%
		{"decreasing, rise over it", []float64{9, 5, 7, 3}, Decreasing, &TrendBreak{From: 1, To: 2, Share: 2.0 / 6}},
		{"constant", []float64{2, 2, 2}, Increasing, nil},
		{"one point", []float64{2}, Increasing, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Trend(tt.y, tt.dir, DefaultTrendTolerance)
			if (got == nil) != (tt.want == nil) || got != nil && (got.From != tt.want.From || got.To != tt.want.To || !close(got.Share, tt.want.Share)) {
				t.Errorf("Trend(%v) = %+v, want %+v", tt.y, got, tt.want)
			}
		})
	}
}

func close(a, b float64) bool { d := a - b; return d < 1e-12 && d > -1e-12 }
