package textutil

import "testing"

func TestLazyRegexpCompilesOnFirstUse(t *testing.T) {
	r := LazyRegexp(`^(\d{5})\s+(.+)$`)
	if r.re != nil {
		t.Fatal("expression compilée avant usage")
	}
	if m := r.FindStringSubmatch("04300 Forcalquier"); len(m) != 3 || m[2] != "Forcalquier" {
		t.Errorf("FindStringSubmatch = %q", m)
	}
	if r.re == nil {
		t.Error("expression non compilée à l'usage")
	}
}

func TestLazyRegexpPanicsOnAnInvalidExpression(t *testing.T) {
	r := LazyRegexp(`(`)
	defer func() {
		if recover() == nil {
			t.Error("expression invalide acceptée")
		}
	}()
	r.MatchString("x")
}
