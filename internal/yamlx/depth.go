package yamlx

// MaxDepth bounds how deeply a document may nest. brink's inputs nest a
// handful of levels; a hostile one (50,000 '[' in 100 KB) would otherwise
// take the parser tens of seconds and gigabytes before failing.
const MaxDepth = 100

// tooDeep scans data as text, before any parsing, and returns the line
// where nesting first passes MaxDepth: flow collections ('[' and '{'
// outside quotes and comments) or block indentation ('- ' items and
// leading spaces, two columns a level).
func tooDeep(data []byte) (line int, deep bool) {
	depth, line := 0, 1
	var quote byte
	start := true // at the start of a line: measuring its indentation
	indent := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			line, start, indent = line+1, true, 0
			if quote == '\'' || quote == '"' {
				continue // a quoted scalar may span lines
			}
			continue
		}
		if start {
			switch {
			case c == ' ':
				indent++
				if indent/2 > MaxDepth {
					return line, true
				}
				continue
			case c == '-' && i+1 < len(data) && (data[i+1] == ' ' || data[i+1] == '\n'):
				indent += 2
				if indent/2 > MaxDepth {
					return line, true
				}
				continue
			}
			start = false
		}
		switch {
		case quote != 0:
			if c == quote && !(quote == '"' && i > 0 && data[i-1] == '\\') {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i--
		case c == '[' || c == '{':
			depth++
			if depth > MaxDepth {
				return line, true
			}
		case c == ']' || c == '}':
			depth = max(depth-1, 0)
		}
	}
	return line, false
}
