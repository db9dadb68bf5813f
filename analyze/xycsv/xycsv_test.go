package xycsv

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		xName, yName string
		x, y         []float64
		lines        []int
	}{
		{"plain", "users,rps\n1,2.5\n2,4\n", "users", "rps", []float64{1, 2}, []float64{2.5, 4}, []int{2, 3}},
		{"crlf, spaces, BOM", "\ufeffusers , rps\r\n 1 , 2.5 \r\n2,4e1\r\n", "users", "rps", []float64{1, 2}, []float64{2.5, 40}, []int{2, 3}},
		{"comments and blank lines", "# from run 7\nN,X\n\n1,1\n# hold\n2,1.8868\n", "N", "X", []float64{1, 2}, []float64{1, 1.8868}, []int{4, 6}},
		{"quoted header, negative", "\"users, total\",\"p95 (ms)\"\n-1,-0.5\n", "users, total", "p95 (ms)", []float64{-1}, []float64{-0.5}, []int{2}},
		{"no final newline", "a,b\n3,4", "a", "b", []float64{3}, []float64{4}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Read(strings.NewReader(tt.in), "t.csv")
			if err != nil {
				t.Fatal(err)
			}
			if d.XName != tt.xName || d.YName != tt.yName || !slices.Equal(d.X, tt.x) || !slices.Equal(d.Y, tt.y) || !slices.Equal(d.Lines, tt.lines) {
				t.Errorf("got %q,%q %v %v lines %v; want %q,%q %v %v lines %v",
					d.XName, d.YName, d.X, d.Y, d.Lines, tt.xName, tt.yName, tt.x, tt.y, tt.lines)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the whole message
	}{
		{"empty", "", `t.csv: no header row and no data; the file should start with a header such as "users,throughput" followed by x,y rows`},
		{"header only", "users,rps\n", `t.csv: no data rows after the header; add x,y rows such as "10,42.5"`},
		{"no header", "1,2\n3,4\n", `t.csv:1: the first row must be a header naming the two columns, found numbers "1","2"; add a line such as "users,throughput" above it`},
		{"three columns", "users,rps\n1,2\n3,4,5\n", `t.csv:3: expected 2 columns (a number for each of users and rps), found 3`},
		{"one column header", "users\n1\n", `t.csv:1: expected 2 columns (x,y), found 1`},
		{"not a number", "users,rps\n1,2\n3,fast\n", `t.csv:3:3: "fast" in column 2 (rps) is not a number; write it like 12 or 0.35`},
		{"decimal comma", "users,rps\n1,2\n3;4,5\n", `t.csv:3:1: "3;4" in column 1 (users) is not a number; write it like 12 or 0.35`},
		{"empty value", "users,rps\n1,\n", `t.csv:2:3: empty value in column 2 (rps); give a number`},
		{"NaN", "users,rps\n1,NaN\n", `t.csv:2:3: "NaN" in column 2 (rps) is not a finite number; remove the row or give a value`},
		{"overflow", "users,rps\n1e999,1\n", `t.csv:2:1: "1e999" in column 1 (users) is not a finite number; remove the row or give a value`},
		{"bad quote", "users,rps\n1,\"2\n", `t.csv:2:6: extraneous or missing " in quoted-field; check the quoting on this line`},
		{"quote over lines", "users,rps\n1,\"2\n3,4\n", `t.csv:2: extraneous or missing " in quoted-field (a quoted field opens here and is still open on line 3); check the quoting`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "t.csv")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("err = %s\nwant  %s", err, tt.want)
			}
		})
	}
}

func TestCheckIncreasing(t *testing.T) {
	d, err := Read(strings.NewReader("users,rps\n1,1\n# gap\n4,2\n4,3\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := "t.csv:5: users = 4 is not greater than users = 4 on line 4; sort the rows by users and keep one row per value"
	if err := d.CheckIncreasing(); err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	d.X[2] = 5
	if err := d.CheckIncreasing(); err != nil {
		t.Errorf("sorted: %v", err)
	}
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.csv")
	if err := os.WriteFile(path, []byte("x,y\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := ReadFile(path)
	if err != nil || d.File != path || !slices.Equal(d.Y, []float64{2}) {
		t.Errorf("ReadFile = %+v, %v", d, err)
	}
	_, err = ReadFile(filepath.Join(t.TempDir(), "missing.csv"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: err = %v", err)
	}
}

// FuzzRead: Read never panics, an error is an *Error naming the file, and
// what it accepts is finite, aligned and on increasing lines.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"x,y\n1,2\n", "x,y\r\n1,2\r\n3,4", "1,2\n", "", "x,y\n\"1\",2\n", "x\n", "a,b\n1,\"\n", "\ufeffa,b\n#c\n1e3,-4\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Read(strings.NewReader(s), "f.csv")
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("error %q is not an *Error naming the file", err)
			}
			return
		}
		if len(d.X) == 0 || len(d.X) != len(d.Y) || len(d.X) != len(d.Lines) {
			t.Fatalf("lengths %d %d %d", len(d.X), len(d.Y), len(d.Lines))
		}
		for i := range d.X {
			if math.IsNaN(d.X[i]) || math.IsInf(d.X[i], 0) || math.IsNaN(d.Y[i]) || math.IsInf(d.Y[i], 0) {
				t.Fatalf("row %d not finite: %v,%v", i, d.X[i], d.Y[i])
			}
			if d.Lines[i] < 2 || (i > 0 && d.Lines[i] <= d.Lines[i-1]) {
				t.Fatalf("lines %v", d.Lines)
			}
		}
	})
}
