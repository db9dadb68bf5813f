package yamlx

import (
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// MaxNodes bounds how many nodes a document may expand to once its aliases
// are resolved. A handful of nested aliases ("billion laughs") can expand a
// few hundred bytes into billions of nodes and hang the decoder; brink's
// inputs are small hand-written files, far below this.
const MaxNodes = 100_000

// expandedSize is the number of nodes data decodes to with every alias
// replaced by its anchor's value, capped just past MaxNodes. ok is false
// when data does not parse (the decoder then reports the error).
func expandedSize(data []byte) (n int, ok bool) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return 0, false
	}
	anchors := map[string]int{}
	for _, d := range f.Docs {
		n = capAdd(n, size(d, anchors))
	}
	return n, true
}

func capAdd(a, b int) int { return min(a+b, MaxNodes+1) }

func size(n ast.Node, anchors map[string]int) int {
	switch t := n.(type) {
	case nil:
		return 0
	case *ast.DocumentNode:
		return size(t.Body, anchors)
	case *ast.AnchorNode:
		s := size(t.Value, anchors)
		if t.Name != nil {
			anchors[t.Name.String()] = s
		}
		return s
	case *ast.AliasNode:
		if t.Value == nil {
			return 1
		}
		return max(1, anchors[t.Value.String()])
	case *ast.TagNode:
		return size(t.Value, anchors)
	case *ast.MappingNode:
		s := 1
		for _, v := range t.Values {
			s = capAdd(s, size(v, anchors))
		}
		return s
	case *ast.MappingValueNode:
		return capAdd(capAdd(1, size(t.Key, anchors)), size(t.Value, anchors))
	case *ast.MappingKeyNode:
		return size(t.Value, anchors)
	case *ast.SequenceNode:
		s := 1
		for _, v := range t.Values {
			s = capAdd(s, size(v, anchors))
		}
		return s
	default:
		return 1
	}
}
