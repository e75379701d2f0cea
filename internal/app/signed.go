package app

import (
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/model"
)

// SignedError refuses a change of the signed content of a signed
// convention: that content changes only by an avenant. It names what the
// change would have altered.
type SignedError struct {
	// Slug is the convention's.
	Slug string
	// Parts names the parts of the signed text the change would alter
	// ("Article 12 – La fin de la convention").
	Parts []string
	// Article is the number of the article that provides for avenants.
	Article int
	// Adding is set, to the kind's label ("fiche action"), when the
	// change refused adds a record.
	Adding string
}

// maxNamedParts bounds the parts a refusal names; the others are counted.
const maxNamedParts = 5

func (e *SignedError) Error() string {
	if e.Adding != "" {
		return fmt.Sprintf("La convention est signée : ajouter un élément « %s » modifierait le texte signé, qui ne change que par avenant (article %d). Préparez un avenant pour l'ajouter.", e.Adding, e.Article)
	}
	quoted := make([]string, 0, maxNamedParts)
	for i, p := range e.Parts {
		if i == maxNamedParts {
			quoted = append(quoted, fmt.Sprintf("%d autres éléments", len(e.Parts)-maxNamedParts))
			break
		}
		quoted = append(quoted, "« "+p+" »")
	}
	if len(e.Parts) == 1 {
		return fmt.Sprintf("La convention est signée : %s fait partie du texte signé et ne change que par avenant (article %d). Préparez un avenant pour le modifier.", quoted[0], e.Article)
	}
	return fmt.Sprintf("La convention est signée : %s font partie du texte signé et ne changent que par avenant (article %d). Préparez un avenant pour les modifier.", strings.Join(quoted, ", "), e.Article)
}

// Unwrap makes errors.Is(err, model.ErrSigned) true.
func (e *SignedError) Unwrap() error { return model.ErrSigned }

// keepSigned is the one check of every write to a convention's records:
// once before is signed, a change that leaves it as after must keep its
// signed content, else it is refused with a *SignedError naming what it
// would alter. label names the record changed, "" for a whole convention
// (an import): the parts that differ are named then. after is nil for a record added or removed, of
// the given kind (key: the organization's key): only a follow-up record
// may be.
func keepSigned(before, after *model.Convention, kind, key, label string) error {
	if _, _, workingCopy := model.WorkingCopyOf(before.Slug); workingCopy && after != nil && after.Signature.Date != nil {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "signature.date",
			Message: "une copie de travail n'est pas signée : la signature de l'avenant s'enregistre sur la page de l'avenant"}}}
	}
	if !contract.Locked(before) {
		return nil
	}
	var parts []string
	switch {
	case after == nil:
		if contract.Addable(before, kind, key) {
			return nil
		}
		parts = []string{label}
	case contract.SameSigned(before, after):
		return nil
	default:
		// The record's own label, unless the text names it better:
		// "Article 12" is "Article 12 – La fin de la convention".
		parts = []string{label}
		if changed := contract.Changed(before, after); label == "" || (len(changed) == 1 && strings.HasPrefix(changed[0], label+" – ")) {
			parts = changed
		}
		if len(parts) == 0 {
			parts = []string{"le texte de la convention"}
		}
	}
	return &SignedError{Slug: before.Slug, Parts: parts, Article: contract.AmendmentArticle(before)}
}
