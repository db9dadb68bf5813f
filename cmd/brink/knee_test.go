package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeCSV writes content to name in a fresh directory and returns its path.
func xyWriteCSV(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// xyCSV makes a CSV with header h and x = 0, 1, 2, ... against ys.
func xyRowsCSV(h string, ys ...string) string {
	var b strings.Builder
	b.WriteString(h + "\n")
	for i, y := range ys {
		b.WriteString(strconv.Itoa(i) + "," + y + "\n")
	}
	return b.String()
}

func xyRunMain(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestKneeCommand: kneed's published cases through the command line, in
// both output forms.
func TestKneeCommand(t *testing.T) {
	concaveInc := xyWriteCSV(t, "ci.csv", xyRowsCSV("users,rps", "0", "60", "80", "85", "90", "95", "96", "97", "98", "99"))
	concaveDec := xyWriteCSV(t, "cd.csv", xyRowsCSV("users,rps", "99", "98", "97", "96", "95", "90", "85", "80", "60", "0"))
	convexInc := xyWriteCSV(t, "vi.csv", xyRowsCSV("users,p95_ms", "1", "2", "3", "4", "5", "10", "15", "20", "40", "100"))
	convexDec := xyWriteCSV(t, "vd.csv", xyRowsCSV("users,p95_ms", "100", "40", "20", "15", "10", "5", "4", "3", "2", "1"))
	var fig2 strings.Builder
	fig2.WriteString("x,y\n")
	for i := range 10 {
		x := float64(i) / 9
		fig2.WriteString(strconv.FormatFloat(x, 'g', -1, 64) + "," + strconv.FormatFloat(5-1/(x+0.1), 'g', -1, 64) + "\n")
	}
	figure2 := xyWriteCSV(t, "fig2.csv", fig2.String())
	line := xyWriteCSV(t, "line.csv", xyRowsCSV("x,y", "0", "1", "2", "3", "4"))

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"concave increasing", []string{concaveInc}, "knee at users = 2, rps = 80 (line 4)\n"},
		{"concave increasing json", []string{concaveInc, "--json"}, `{"knee_x":2,"knee_y":80}` + "\n"},
		{"concave decreasing", []string{"--direction", "decreasing", concaveDec, "--json"}, `{"knee_x":7,"knee_y":80}` + "\n"},
		{"convex increasing", []string{"--curve", "convex", convexInc, "--json"}, `{"knee_x":7,"knee_y":20}` + "\n"},
		{"convex decreasing", []string{"--curve=convex", "--direction=decreasing", convexDec}, "knee at users = 2, p95_ms = 20 (line 4)\n"},
		{"figure 2", []string{figure2, "--json"}, `{"knee_x":0.2222222222222222,"knee_y":1.8965517241379306}` + "\n"},
		{"sensitivity 0", []string{figure2, "--sensitivity", "0", "--json"}, `{"knee_x":0.2222222222222222,"knee_y":1.8965517241379306}` + "\n"},
		{"no knee json", []string{line, "--json"}, `{"knee_x":null,"knee_y":null}` + "\n"},
		{"no knee", []string{line}, "no knee: the difference curve never falls below its threshold (sensitivity 1)\n"},
		{"huge sensitivity", []string{concaveInc, "--sensitivity", "50", "--json"}, `{"knee_x":null,"knee_y":null}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := xyRunMain(append([]string{"knee"}, tt.args...)...)
			if code != 0 || out != tt.want || errOut != "" {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant exit 0, stdout %q", code, out, errOut, tt.want)
			}
		})
	}
}

func TestKneeCommandOnline(t *testing.T) {
	// kneed's bumpy curve (DataGenerator.bumpy), convex decreasing.
	ys := strings.Fields(`7305.0 6979.0 6666.6 6463.2 6326.5 6048.8 6032.8 5762.0 5742.8 5398.2
		5256.8 5227.0 5001.7 4942.0 4854.2 4734.6 4558.7 4491.1 4411.6 4333.0 4234.6 4139.1
		4056.8 4022.5 3868.0 3808.3 3745.3 3692.3 3645.6 3618.3 3574.3 3504.3 3452.4 3401.2
		3382.4 3340.7 3301.1 3247.6 3190.3 3180.0 3154.2 3089.5 3045.6 2989.0 2993.6 2941.3
		2875.6 2866.3 2834.1 2785.1 2759.7 2763.2 2720.1 2660.1 2690.2 2635.7 2632.9 2574.6
		2556.0 2545.7 2513.4 2491.6 2496.0 2466.5 2442.7 2420.5 2381.5 2388.1 2340.6 2335.0
		2318.9 2319.0 2308.2 2262.2 2235.8 2259.3 2221.0 2202.7 2184.3 2170.1 2160.0 2127.7
		2134.7 2102.0 2101.4 2066.4 2074.3 2063.7 2048.1 2031.9`)
	path := xyWriteCSV(t, "bumpy.csv", xyRowsCSV("k,inertia", ys...))
	code, out, _ := xyRunMain("knee", path, "--curve", "convex", "--direction", "decreasing")
	if want := "knee at k = 26, inertia = 3745.3 (line 28)\n"; code != 0 || out != want {
		t.Errorf("offline: exit %d, %q; want %q", code, out, want)
	}
	code, out, _ = xyRunMain("knee", path, "--curve", "convex", "--direction", "decreasing", "--online")
	want := "knee at k = 53, inertia = 2660.1 (line 55)\nknees found in order: k = 26, 31, 41, 46, 53 (online mode reports the last)\n"
	if code != 0 || out != want {
		t.Errorf("online: exit %d, %q; want %q", code, out, want)
	}
}

func TestKneeCommandErrors(t *testing.T) {
	good := xyWriteCSV(t, "good.csv", xyRowsCSV("users,rps", "0", "60", "80", "85"))
	unsorted := xyWriteCSV(t, "unsorted.csv", "users,rps\n1,10\n3,20\n2,25\n")
	badNum := xyWriteCSV(t, "bad.csv", "users,rps\n1,10\n2,ten\n")
	noHeader := xyWriteCSV(t, "nohead.csv", "1,10\n2,20\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // substring
	}{
		{"no file", nil, 2, "give one CSV file"},
		{"two files", []string{good, good}, 2, "give one CSV file"},
		{"bad curve", []string{good, "--curve", "round"}, 2, `--curve "round": use concave or convex`},
		{"bad direction", []string{good, "--direction", "up"}, 2, `--direction "up": use increasing or decreasing`},
		{"negative sensitivity", []string{good, "--sensitivity", "-1"}, 2, "--sensitivity -1: use a number >= 0"},
		{"misspelt flag", []string{good, "--sensitivty", "2"}, 2, "unknown flag --sensitivty (did you mean --sensitivity?)"},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.csv")}, 1, "nope.csv: no such file"},
		{"unsorted", []string{unsorted}, 1, "unsorted.csv:4: users = 2 is not greater than users = 3 on line 3; sort the rows by users"},
		{"not a number", []string{badNum}, 1, `bad.csv:3:3: "ten" in column 2 (rps) is not a number`},
		{"no header", []string{noHeader}, 1, "nohead.csv:1: the first row must be a header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := xyRunMain(append([]string{"knee"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.stderr)
			}
			if tt.code == 1 && strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", errOut)
			}
		})
	}
}

func TestKneeHelp(t *testing.T) {
	code, out, _ := xyRunMain("knee", "--help")
	if code != 0 || !strings.Contains(out, "Example:\n  brink knee levels.csv") || !strings.Contains(out, "-sensitivity") {
		t.Errorf("exit %d, help %q", code, out)
	}
}
