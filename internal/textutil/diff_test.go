package textutil

import "testing"

func render(pieces []Piece) string {
	out := ""
	for _, p := range pieces {
		switch p.Op {
		case Removed:
			out += "[-" + p.Text + "-]"
		case Added:
			out += "{+" + p.Text + "+}"
		default:
			out += p.Text
		}
	}
	return out
}

func TestDiffWordsShowsWhatChanged(t *testing.T) {
	before, after := DiffWords("conclue jusqu'au 31 décembre 2024.\nRenouvelable.", "conclue jusqu'au 31 décembre 2025.\nRenouvelable.")
	if got := render(before); got != "conclue jusqu'au 31 décembre [-2024.-]\nRenouvelable." {
		t.Errorf("avant : %q", got)
	}
	if got := render(after); got != "conclue jusqu'au 31 décembre {+2025.+}\nRenouvelable." {
		t.Errorf("après : %q", got)
	}
	if b, a := DiffWords("même texte", "même texte"); len(b) != 1 || b[0].Op != Same || len(a) != 1 || a[0].Op != Same {
		t.Error("deux textes identiques diffèrent")
	}
}

func TestDiffWordsBoundsItsWork(t *testing.T) {
	long := ""
	for range 3000 {
		long += "mot "
	}
	before, after := DiffWords(long, long+"fin")
	if len(before) != 1 || before[0].Op != Removed || len(after) != 1 || after[0].Op != Added {
		t.Errorf("comparaison trop longue découpée : %d, %d morceaux", len(before), len(after))
	}
}
