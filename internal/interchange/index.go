package interchange

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// index maps field paths ("axes[1].fiches[0].code") to the line where they
// are written, and lines back to the deepest path written there.
type index struct {
	lines map[string]int
	paths map[int]string
}

func newIndex(root *yaml.Node) *index {
	idx := &index{lines: map[string]int{}, paths: map[int]string{}}
	idx.walk("", root)
	return idx
}

func (idx *index) record(path string, line int) {
	idx.lines[path] = line
	// Deeper paths are recorded after their parents and win.
	idx.paths[line] = path
}

func (idx *index) walk(path string, n *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			idx.record(p, k.Line)
			idx.walk(p, v)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			idx.record(p, item.Line)
			idx.walk(p, item)
		}
	}
}

// line returns the line of path, or of its closest written ancestor.
func (idx *index) line(path string) int {
	for path != "" {
		if l, ok := idx.lines[path]; ok {
			return l
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			break
		}
		path = path[:cut]
	}
	return 0
}

// pathAt returns the deepest path written at line, or "".
func (idx *index) pathAt(line int) string {
	return idx.paths[line]
}
