package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// listsKey names what a list over every convention a person reads depends
// on: the stored state of those conventions (readableDigest) and the day.
type listsKey struct {
	digest [sha256.Size]byte
	day    model.Date
}

// listsKept bounds the whole lists kept (portfolios, coverages): a few
// people's, each at most as long as the conventions of France.
const listsKept = 8

// refsDigest digests the refs of the conventions the actor may read, in
// one statement (see readableDigest).
func (s *Service) refsDigest(ctx context.Context, a *auth.Actor) ([sha256.Size]byte, error) {
	refs, err := s.store.ConventionRefs(ctx)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	h := sha256.New()
	for _, r := range refs {
		if a.CanRead(r.Slug) {
			fmt.Fprintf(h, "%s\x00%s\x00%d\n", r.Slug, r.ID, r.Revision)
		}
	}
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out, nil
}

// countedKey names what is computed over many conventions: the count of
// changes read before (store.Changes: while it is the same, no convention
// was changed, added or removed, whichever server wrote), the conventions
// the person reads (scopeOf) and, for a page of the conventions list, its
// number and day.
type countedKey struct {
	changes int64
	scope   string
	page    int
	day     model.Date
}

// countedKept bounds what is kept by countedKey: a count of changes
// lasts until the next change anywhere, for the people viewing meanwhile.
const countedKept = 512

// scopeOf names the conventions an actor reads: every one for a platform
// administrator, else its memberships with their roles (a working copy is
// read by its convention's administrators and editors).
func scopeOf(a *auth.Actor) string {
	if a.PlatformAdmin {
		return "*"
	}
	parts := make([]string, 0, len(a.Memberships))
	for slug, m := range a.Memberships {
		parts = append(parts, slug+"\x00"+string(m.Role))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x01")
}

// readableDigest names the stored state of the conventions the actor may
// read: a digest of their refs (slug, id and revision, which every change
// moves, whichever server made it). The same digest means the same
// conventions in the same states. It is read again only when the count of
// changes moved: one statement then, not one row per convention.
func (s *Service) readableDigest(ctx context.Context, a *auth.Actor) ([sha256.Size]byte, error) {
	changes, err := s.store.Changes(ctx)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	key := countedKey{changes: changes, scope: scopeOf(a)}
	if d, ok := s.digests.Get(key); ok {
		return d, nil
	}
	d, err := s.refsDigest(ctx, a)
	if err == nil {
		s.digests.Put(key, d)
	}
	return d, err
}
