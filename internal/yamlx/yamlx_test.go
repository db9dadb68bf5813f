package yamlx

import (
	"strings"
	"testing"
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
