package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

func chartByName(t *testing.T, name string) chart {
	t.Helper()
	for _, ch := range charts {
		if ch.name == name {
			return ch
		}
	}
	t.Fatalf("no chart %q", name)
	return chart{}
}

// Image goldens (gonum/plot's cmpimg compares the decoded pixels) for the
// latency, errors and cost charts of the fixture run; go test -update
// rewrites them. A failed comparison leaves the new image beside the
// golden as *.got.png to look at.
func TestChartImages(t *testing.T) {
	in := &input{s: fixtureSummary(), w: fixtureWhatIf()}
	for _, name := range []string{"latency", "errors", "cost"} {
		t.Run(name, func(t *testing.T) {
			img := vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(150))
			drawChart(draw.New(img), in, chartByName(t, name))
			var got bytes.Buffer
			if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&got); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "chart_"+name+".golden.png")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			ok, err := cmpimg.Equal("png", got.Bytes(), want)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				failed := strings.TrimSuffix(golden, ".golden.png") + ".got.png"
				os.WriteFile(failed, got.Bytes(), 0o644)
				t.Errorf("%s differs from %s (new image in %s; go test -update accepts it)", name, golden, failed)
			}
		})
	}
}

// The words the charts must carry, read from their SVG text: plain legend
// words, the throttled series named apart from errors, a cost segment under
// 1% named as such, R² with three decimals and the USL peak labelled.
func TestChartWords(t *testing.T) {
	in := &input{s: fixtureSummary(), w: fixtureWhatIf()}
	svg := func(name string) string {
		c := vgsvg.New(chartW, chartH)
		drawChart(draw.New(c), in, chartByName(t, name))
		var b bytes.Buffer
		c.WriteTo(&b)
		return b.String()
	}
	for name, wants := range map[string][]string{
		"latency":    {"95th-percentile user: their slowest request", "95th-percentile user: their median latency"},
		"errors":     {"errors (all steps)", "throttled, HTTP 429 (all steps; dashed)"},
		"cost":       {"API Gateway (under 1%: at most $0.000010/user-min, too thin to see)", "questions/user-min"},
		"throughput": {"R^2 0.990)", "USL peak N* = 88 users"},
		"whatif":     {"(24 h)", "over quota: DynamoDB WCU"},
	} {
		got := svg(name)
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s chart lacks %q", name, w)
			}
		}
		if strings.Contains(got, "... of each") {
			t.Errorf("%s chart still says \"... of each\"", name)
		}
	}
}
