// Package yamlx decodes brink's YAML inputs (flows, plans, sim configs,
// price sheets) strictly, and turns decoder errors into one line that names
// the file, line and column and, for a misspelt key, the closest known key.
package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"brink/internal/suggest"
)

// Decode decodes data (read from file) into v, refusing unknown keys.
// known lists the keys the format has, for "did you mean" hints.
func Decode(file string, data []byte, v any, known []string) (err error) {
	// go-yaml can panic on some malformed input (found by fuzzing, e.g.
	// tagged sequences): report it as a syntax error of the file.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: not valid YAML (the parser failed: %v)", file, r)
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: the file is empty", file)
	}
	if line, deep := tooDeep(data); deep {
		return fmt.Errorf("%s:%d: nested more than %d levels deep: brink's files nest a few levels; flatten it", file, line, MaxDepth)
	}
	if n, ok := expandedSize(data); ok && n > MaxNodes {
		return fmt.Errorf("%s: its aliases (*name) expand to more than %d values: write the values out, or use fewer nested aliases", file, MaxNodes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if err := dec.Decode(v); err != nil {
		return Error(file, err, known)
	}
	return nil
}

var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// Error formats a go-yaml error as "file:line:col: message".
func Error(file string, err error, known []string) error {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return fmt.Errorf("%s: %v", file, err)
	}
	msg := ye.GetMessage()
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("unknown key %q", m[1])
		if s := Closest(m[1], known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
	}
	if tok := ye.GetToken(); tok != nil && tok.Position != nil {
		return fmt.Errorf("%s:%d:%d: %s", file, tok.Position.Line, tok.Position.Column, msg)
	}
	return fmt.Errorf("%s: %s", file, msg)
}

// At formats an error about a value at a known position.
func At(file string, line, col int, format string, a ...any) error {
	if line <= 0 {
		return fmt.Errorf("%s: %s", file, fmt.Sprintf(format, a...))
	}
	return fmt.Errorf("%s:%d:%d: %s", file, line, col, fmt.Sprintf(format, a...))
}

// Closest returns the known key nearest to s (see suggest.Closest).
func Closest(s string, candidates []string) string { return suggest.Closest(s, candidates) }

// Keys lists the yaml keys of v's struct type and of the structs it holds
// (through pointers, slices and maps), for Decode's hints.
func Keys(v any) []string {
	seen := map[reflect.Type]bool{}
	set := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				set[name] = true
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(v))
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
