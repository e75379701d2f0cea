package app

import (
	"container/list"
	"reflect"
	"sync"

	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
)

// convCache keeps the conventions read lately, each with the revision it
// had (store.ConventionRevision), and what the checker reads beside its
// text. A request asks the database for the revision, one cheap query, and
// reads the convention again only when it moved: every audited change of a
// convention moves it in its own transaction, whichever server made it, so
// nothing is invalidated by hand and nothing stale is served. The
// revision is always read before what is kept under it: a change
// committed in between leaves behind a revision that no one reads again.
type convCache struct {
	mu      sync.Mutex
	entries map[string]*list.Element // of *cachedConv, by slug
	order   list.List                // most recently used first
}

// convCacheSize bounds the conventions kept: those viewed lately, a few
// hundred kilobytes each.
const convCacheSize = 64

// cachedConv is what is kept of one convention at one revision. Nothing
// kept is ever handed out: callers receive deep copies.
type cachedConv struct {
	slug, revision string
	// conv is the live convention as stored (nil when only its
	// recorded life was asked for), and dueCheckedOn the day when it was
	// last found to have no avenant to apply.
	conv         *model.Convention
	dueCheckedOn model.Date
	// recorded is what the checker reads beside the text, by the day
	// whose text in force it compares with (see Service.lifeOf).
	recorded map[model.Date]lint.Recorded
}

// at returns the entry of slug if it is at revision, making it the most
// recently used; the caller holds mu.
func (m *convCache) at(slug, revision string) *cachedConv {
	el, ok := m.entries[slug]
	if !ok {
		return nil
	}
	e := el.Value.(*cachedConv)
	if e.revision != revision {
		return nil
	}
	m.order.MoveToFront(el)
	return e
}

// entry returns the entry of slug at revision, replacing one at another
// revision and forgetting the least recently used beyond the bound; the
// caller holds mu.
func (m *convCache) entry(slug, revision string) *cachedConv {
	if e := m.at(slug, revision); e != nil {
		return e
	}
	if m.entries == nil {
		m.entries = map[string]*list.Element{}
	}
	if el, ok := m.entries[slug]; ok {
		m.order.Remove(el)
		delete(m.entries, slug)
	}
	for m.order.Len() >= convCacheSize {
		last := m.order.Back()
		delete(m.entries, last.Value.(*cachedConv).slug)
		m.order.Remove(last)
	}
	e := &cachedConv{slug: slug, revision: revision}
	m.entries[slug] = m.order.PushFront(e)
	return e
}

// live returns a copy of the convention kept for slug at revision and
// whether it was checked on day for avenants to apply.
func (m *convCache) live(slug, revision string, day model.Date) (c *model.Convention, checked bool) {
	m.mu.Lock()
	e := m.at(slug, revision)
	if e == nil || e.conv == nil {
		m.mu.Unlock()
		return nil, false
	}
	kept, checked := e.conv, e.dueCheckedOn == day
	m.mu.Unlock()
	return deepCopy(kept), checked
}

// checked records that slug, at revision, had no avenant to apply on day.
func (m *convCache) checked(slug, revision string, day model.Date) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.at(slug, revision); e != nil {
		e.dueCheckedOn = day
	}
}

// putLive keeps a copy of c, read at revision and checked on day.
func (m *convCache) putLive(revision string, day model.Date, c *model.Convention) {
	kept := deepCopy(c)
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(c.Slug, revision)
	e.conv, e.dueCheckedOn = kept, day
}

// recordedOf returns a copy of what the checker reads beside the text
// of slug at revision, for day.
func (m *convCache) recordedOf(slug, revision string, day model.Date) (lint.Recorded, bool) {
	m.mu.Lock()
	e := m.at(slug, revision)
	if e == nil {
		m.mu.Unlock()
		return lint.Recorded{}, false
	}
	rec, ok := e.recorded[day]
	m.mu.Unlock()
	if !ok {
		return lint.Recorded{}, false
	}
	return deepCopy(rec), true
}

// maxRecordedDays bounds the days kept per convention: today, and the
// few days a page looks at.
const maxRecordedDays = 4

// putRecorded keeps a copy of rec for slug at revision and day.
func (m *convCache) putRecorded(slug, revision string, day model.Date, rec lint.Recorded) {
	kept := deepCopy(rec)
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(slug, revision)
	if e.recorded == nil || len(e.recorded) >= maxRecordedDays {
		e.recorded = map[model.Date]lint.Recorded{}
	}
	e.recorded[day] = kept
}

// deepCopy returns a copy of v that shares no pointer, slice or map with
// it, so that what is kept cannot be changed through what is handed out
// (pages resolve the territory of the convention they receive, avenants
// carry follow-up into it).
func deepCopy[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	dst := reflect.New(src.Type()).Elem()
	copyValue(dst, src)
	return dst.Interface().(T)
}

// copyValue sets dst, settable, to a deep copy of src. Unexported fields
// are copied as they are: the model's types have none that refer to
// shared data.
func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Cap())
		if src.Type().Elem().Kind() == reflect.Uint8 {
			reflect.Copy(s, src)
		} else {
			for i := range src.Len() {
				copyValue(s.Index(i), src.Index(i))
			}
		}
		dst.Set(s)
	case reflect.Array:
		for i := range src.Len() {
			copyValue(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			copyValue(k, it.Key())
			v := reflect.New(src.Type().Elem()).Elem()
			copyValue(v, it.Value())
			m.SetMapIndex(k, v)
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		copyValue(v, src.Elem())
		dst.Set(v)
	case reflect.Struct:
		dst.Set(src)
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				copyValue(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}
