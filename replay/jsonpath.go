package replay

import (
	"fmt"
	"strconv"
	"strings"
)

// jsonPath is a parsed path of the subset brink needs: $.a.b[0]["c d"].
type jsonPath []pathElem

type pathElem struct {
	key   string
	index int // when key == "" (array element)
}

// parseJSONPath parses $ followed by .name, [N] or ["name"] elements.
func parseJSONPath(s string) (jsonPath, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("JSON path %q must start with $", s)
	}
	var p jsonPath
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			n := strings.IndexAny(rest, ".[")
			if n < 0 {
				n = len(rest)
			}
			if n == 0 {
				return nil, fmt.Errorf("JSON path %q: empty name after '.'", s)
			}
			p = append(p, pathElem{key: rest[:n], index: -1})
			rest = rest[n:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("JSON path %q: '[' without ']'", s)
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if len(inner) >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[len(inner)-1] == inner[0] {
				p = append(p, pathElem{key: inner[1 : len(inner)-1], index: -1})
				continue
			}
			i, err := strconv.Atoi(inner)
			if err != nil || i < 0 {
				return nil, fmt.Errorf("JSON path %q: [%s] is not an index or a quoted name", s, inner)
			}
			p = append(p, pathElem{index: i})
		default:
			return nil, fmt.Errorf("JSON path %q: unexpected %q (use .name or [N])", s, rest[:1])
		}
	}
	return p, nil
}

// lookup returns the value at the path in a decoded JSON document.
func (p jsonPath) lookup(doc any) (any, bool) {
	v := doc
	for _, e := range p {
		if e.index < 0 {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[e.key]; !ok {
				return nil, false
			}
			continue
		}
		a, ok := v.([]any)
		if !ok || e.index >= len(a) {
			return nil, false
		}
		v = a[e.index]
	}
	return v, true
}

// scalarString renders a JSON scalar as a variable value.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "", false
	default:
		return "", false
	}
}
