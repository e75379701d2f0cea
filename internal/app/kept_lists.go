package app

import (
	"context"
	"crypto/sha256"
	"fmt"

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
