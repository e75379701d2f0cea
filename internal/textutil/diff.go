package textutil

import ()

// Op says whether a piece of text is common to two versions, only in the
// first (removed) or only in the second (added).
type Op int

// The operations of a text comparison.
const (
	Same Op = iota
	Removed
	Added
)

// Piece is a run of text and what the comparison says of it.
type Piece struct {
	Text string
	Op   Op
}

// maxDiffCells bounds the work of a comparison (words of one version times
// words of the other): beyond, the two texts are given whole, one removed
// and one added.
const maxDiffCells = 4_000_000

var tokens = LazyRegexp(`\s+|[^\s]+`)

// DiffWords compares two texts word by word, as a reader compares two
// versions of an article: the pieces of the first (Same and Removed) and of
// the second (Same and Added), in order; spaces and line breaks are kept.
func DiffWords(a, b string) (before, after []Piece) {
	x, y := tokens.FindAllString(a, -1), tokens.FindAllString(b, -1)
	if len(x)*len(y) > maxDiffCells {
		return []Piece{{a, Removed}}, []Piece{{b, Added}}
	}
	// lcs[i][j] is the length of the longest common subsequence of x[i:]
	// and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			switch {
			case x[i] == y[j]:
				lcs[i][j] = lcs[i+1][j+1] + 1
			case lcs[i+1][j] >= lcs[i][j+1]:
				lcs[i][j] = lcs[i+1][j]
			default:
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	add := func(list []Piece, text string, op Op) []Piece {
		if n := len(list); n > 0 && list[n-1].Op == op {
			list[n-1].Text += text
			return list
		}
		return append(list, Piece{text, op})
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			before, after = add(before, x[i], Same), add(after, y[j], Same)
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			after = add(after, y[j], Added)
			j++
		default:
			before = add(before, x[i], Removed)
			i++
		}
	}
	return before, after
}
