package yamlx

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type conf struct {
	Name  string `yaml:"name"`
	Think struct {
		Min int `yaml:"min"`
	} `yaml:"think"`
}

func TestDecodeErrors(t *testing.T) {
	known := []string{"name", "think", "min"}
	for _, c := range []struct{ in, want string }{
		{"nmae: x\n", `f.yaml:1:1: unknown key "nmae" (did you mean "name"?)`},
		{"think:\n  mni: 1\n", `f.yaml:2:3: unknown key "mni" (did you mean "min"?)`},
		{"think:\n  min: many\n", "f.yaml:2:8:"},
		{"", "f.yaml: the file is empty"},
		{"zzzzzzzz: 1\n", `unknown key "zzzzzzzz"`},
	} {
		var v conf
		err := Decode("f.yaml", []byte(c.in), &v, known)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.in, err, c.want)
		}
	}
	if got := Closest("zzzzzzzz", known); got != "" {
		t.Errorf("Closest(zzzzzzzz) = %q, want no suggestion", got)
	}
}

// A few nested aliases expand to billions of values ("billion laughs"): the
// file is refused at once instead of hanging the decoder.
func TestAliasBomb(t *testing.T) {
	y := "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i <= 9; i++ {
		y += fmt.Sprintf("a%d: &a%d [", i, i)
		for k := 0; k < 10; k++ {
			if k > 0 {
				y += ", "
			}
			y += fmt.Sprintf("*a%d", i-1)
		}
		y += "]\n"
	}
	var v map[string]any
	start := time.Now()
	err := Decode("bomb.yaml", []byte(y), &v, nil)
	if err == nil || !strings.Contains(err.Error(), "expand to more than") || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	// Ordinary aliases still work.
	var h struct {
		A map[string]string `yaml:"a"`
		B map[string]string `yaml:"b"`
	}
	if err := Decode("ok.yaml", []byte("a: &h {x: \"1\"}\nb: *h\n"), &h, nil); err != nil || h.B["x"] != "1" {
		t.Fatalf("alias: %+v, %v", h, err)
	}
}
