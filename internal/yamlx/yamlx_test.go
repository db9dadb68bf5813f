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

// Deep nesting is refused from the text, before the parser builds a tree:
// 50,000 '[' (100 KB) or deep block indentation fail with the line.
func TestTooDeep(t *testing.T) {
	type doc struct {
		A any `yaml:"a"`
	}
	deep := "a: " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "\n"

	err := Decode("plan.yaml", []byte(deep), &doc{}, []string{"a"})
	if err == nil || !strings.Contains(err.Error(), "plan.yaml:1: nested more than 100 levels deep") {
		t.Fatalf("deep flow nesting: %v", err)
	}
	var block strings.Builder
	block.WriteString("a:\n")
	for i := range 150 {
		block.WriteString(strings.Repeat("  ", i+1) + "- x\n")
	}
	if err := Decode("flow.yaml", []byte(block.String()), &doc{}, []string{"a"}); err == nil || !strings.Contains(err.Error(), "flow.yaml:") || !strings.Contains(err.Error(), "nested more than") {
		t.Fatalf("deep block nesting: %v", err)
	}
	// Brackets inside quotes and comments are text, not nesting.
	ok := "a: \"" + strings.Repeat("[", 300) + "\" # " + strings.Repeat("{", 300) + "\n"
	if err := Decode("ok.yaml", []byte(ok), &doc{}, []string{"a"}); err != nil {
		t.Fatalf("quoted brackets: %v", err)
	}

}

// BenchmarkTooDeep refuses a 100 KB document of 50,000 nested '[' (the
// target: within 1 s and 100 MB; allocations are reported per op).
func BenchmarkTooDeep(b *testing.B) {
	deep := []byte("a: " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "\n")
	var v struct {
		A any `yaml:"a"`
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Decode("deep.yaml", deep, &v, []string{"a"}); err == nil {
			b.Fatal("want an error")
		}
	}
}
