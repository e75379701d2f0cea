// Package memo keeps values computed lately, by a key that says all they
// depend on, within a bound.
package memo

import "sync"

// Bounded keeps at most a given number of values by key, safe for
// concurrent use; once full, putting a new key forgets the oldest one put.
// Keys must name everything a value depends on: nothing is invalidated.
type Bounded[K comparable, V any] struct {
	size  int
	mu    sync.Mutex
	byKey map[K]V
	order []K
}

// New returns a Bounded keeping at most size values.
func New[K comparable, V any](size int) *Bounded[K, V] {
	return &Bounded[K, V]{size: size, byKey: make(map[K]V)}
}

// Get returns the value kept for key.
func (b *Bounded[K, V]) Get(key K) (V, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.byKey[key]
	return v, ok
}

// Put keeps v for key, unless key is kept already.
func (b *Bounded[K, V]) Put(key K, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.byKey[key]; ok || b.size <= 0 {
		return
	}
	if len(b.order) >= b.size {
		delete(b.byKey, b.order[0])
		b.order = b.order[1:]
	}
	b.byKey[key] = v
	b.order = append(b.order, key)
}

// Len counts the values kept.
func (b *Bounded[K, V]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.byKey)
}
