package secrecy

import "testing"

func TestCounts(t *testing.T) {
	cases := []struct {
		rule  Rule
		in    float64
		label string
		out   float64
		shown bool
	}{
		{Mask, 0, "", 0, true},
		{Mask, 1, "< 5", 0, false},
		{Mask, 4, "< 5", 0, false},
		{Mask, 5, "", 5, true},
		{Mask, 12, "", 12, true},
		{Round5, 3, "< 5", 0, false},
		{Round5, 12, "", 10, true},
		{Round5, 13, "", 15, true},
	}
	for _, c := range cases {
		label, out, shown := c.rule.Count(c.in)
		if label != c.label || out != c.out || shown != c.shown {
			t.Errorf("%s(%v) = %q %v %v", c.rule, c.in, label, out, shown)
		}
	}
	if _, err := ParseRule("arrondi"); err == nil {
		t.Error("règle inconnue acceptée")
	}
}
