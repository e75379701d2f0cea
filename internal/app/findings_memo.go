package app

import (
	"crypto/sha256"
	"encoding/gob"
	"slices"

	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/memo"
	"github.com/ctg-territoires/ctg/internal/model"
)

// findingsMemo keeps the checker's findings by a digest of everything
// they are computed from: the convention as loaded, what is recorded of
// its life, and the day. A page that shows them again without any change
// reuses them; any change, made by this process or by another on the
// same database, gives another digest. Hashing costs a fortieth of the
// checker on the bundled convention.
type findingsMemo struct {
	kept *memo.Bounded[[sha256.Size]byte, []lint.Finding]
}

// findingsMemoSize bounds the findings kept: those of the conventions
// viewed lately.
const findingsMemoSize = 256

// digest is the key of findings, or false when the inputs cannot be
// encoded (the findings are then computed, not kept).
func findingsDigest(c *model.Convention, rec lint.Recorded, at model.Date) ([sha256.Size]byte, bool) {
	h := sha256.New()
	err := gob.NewEncoder(h).Encode(struct {
		C   *model.Convention
		Rec lint.Recorded
		At  model.Date
	}{c, rec, at})
	var key [sha256.Size]byte
	copy(key[:], h.Sum(nil))
	return key, err == nil
}

// get returns a copy of the findings kept for key.
func (m findingsMemo) get(key [sha256.Size]byte) ([]lint.Finding, bool) {
	f, ok := m.kept.Get(key)
	return slices.Clone(f), ok
}

// put keeps a copy of findings for key, forgetting the oldest beyond the
// bound.
func (m findingsMemo) put(key [sha256.Size]byte, f []lint.Finding) {
	m.kept.Put(key, slices.Clone(f))
}
