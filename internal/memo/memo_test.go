package memo

import "testing"

// Beyond its bound, a Bounded forgets the oldest key put, and keeps the
// first value put for a key.
func TestBoundedForgetsTheOldest(t *testing.T) {
	b := New[int, string](2)
	b.Put(1, "un")
	b.Put(2, "deux")
	b.Put(1, "autre")
	if v, ok := b.Get(1); !ok || v != "un" {
		t.Fatalf("1 : %q, %v", v, ok)
	}
	b.Put(3, "trois")
	if _, ok := b.Get(1); ok {
		t.Error("1 gardé au-delà de la borne")
	}
	for k, want := range map[int]string{2: "deux", 3: "trois"} {
		if v, ok := b.Get(k); !ok || v != want {
			t.Errorf("%d : %q, %v", k, v, ok)
		}
	}
	if b.Len() != 2 {
		t.Errorf("%d valeurs gardées, 2 attendues", b.Len())
	}
	var none *Bounded[int, int] = New[int, int](0)
	none.Put(1, 1)
	if none.Len() != 0 {
		t.Error("une borne nulle garde une valeur")
	}
}
