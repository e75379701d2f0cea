package interchange

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// validateFile checks a whole file: its text, the texts it nests
// (working copies, versions) and its life, each problem under its path.
func validateFile(f *model.ConventionFile, ref *territory.Data) error {
	v := &lifeValidator{f: f, ref: ref, errs: &model.ValidationError{}}
	if err := v.nested("", &f.Convention); err != nil {
		return err
	}
	for _, p := range f.Parties {
		v.parties = append(v.parties, p.Organization)
	}
	if err := v.avenants(); err != nil {
		return err
	}
	if err := v.versions(); err != nil {
		return err
	}
	v.acts()
	v.documents()
	v.meetings()
	return v.errs.OrNil()
}

type lifeValidator struct {
	f       *model.ConventionFile
	ref     *territory.Data
	errs    *model.ValidationError
	parties []string
}

func (v *lifeValidator) add(path, format string, args ...any) { v.errs.Add(path, format, args...) }

// nested validates a convention text found at prefix ("" for the file's
// own), adding its problems under that path.
func (v *lifeValidator) nested(prefix string, c *model.Convention) error {
	err := convention.Validate(c, v.ref)
	var ve *model.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	if ve != nil {
		for _, fe := range ve.Errors {
			if prefix != "" {
				fe.Path = strings.TrimSuffix(prefix+"."+fe.Path, ".")
			}
			v.errs.Errors = append(v.errs.Errors, fe)
		}
	}
	if prefix != "" && c.Slug != v.f.Slug {
		v.add(prefix+".slug", "« %s » : le texte d'une version ou d'une copie de travail porte l'identifiant de sa convention, « %s »", c.Slug, v.f.Slug)
	}
	return nil
}

func (v *lifeValidator) party(path, key string) {
	switch {
	case strings.TrimSpace(key) == "":
		v.add(path, "champ obligatoire vide : la clé de l'organisation d'une partie")
	case !slices.Contains(v.parties, key):
		v.add(path, "« %s » n'est pas une partie de la convention (parties[].organization)", key)
	}
}

func (v *lifeValidator) avenants() error {
	drafts := 0
	for i := range v.f.Avenants {
		x := &v.f.Avenants[i]
		p := fmt.Sprintf("avenants[%d]", i)
		if x.Number != i+1 {
			v.add(p+".number", "numéro %d : les avenants sont numérotés à partir de 1, dans l'ordre, sans doublon ni trou (%d attendu ici)", x.Number, i+1)
		}
		if strings.TrimSpace(x.Object) == "" {
			v.add(p+".object", "champ obligatoire vide : l'objet de l'avenant")
		}
		switch x.State {
		case model.AmendmentSigned:
			if x.SignedOn == nil {
				v.add(p+".signed_on", "un avenant signé porte sa date de signature")
			}
			if x.EffectiveOn == nil {
				v.add(p+".effective_on", "un avenant signé porte sa date d'effet")
			}
			if len(x.Modifications) == 0 {
				v.add(p+".changes", "un avenant signé porte la liste de ses modifications")
			}
		case model.AmendmentDraft:
			if drafts++; drafts > 1 {
				v.add(p+".state", "un seul avenant peut être en préparation à la fois")
			}
			if x.SignedOn != nil {
				v.add(p+".signed_on", "un avenant en préparation n'est pas signé : enregistrez-le signé (state: signed) ou retirez sa date")
			}
			if x.EffectiveOn != nil {
				v.add(p+".effective_on", "un avenant en préparation n'a pas encore de date d'effet")
			}
			if len(x.Modifications) > 0 {
				v.add(p+".changes", "les modifications d'un avenant en préparation se lisent dans sa copie de travail (working_copy) ; elles ne sont enregistrées qu'à la signature")
			}
			if x.Text == nil {
				v.add(p+".working_copy", "un avenant en préparation porte le texte de sa copie de travail")
			}
		case model.AmendmentAbandoned:
		default:
			v.add(p+".state", "état « %s » inconnu ; états possibles : draft, signed, abandoned", x.State)
		}
		if x.Text != nil {
			if x.State != model.AmendmentDraft {
				v.add(p+".working_copy", "seul un avenant en préparation a une copie de travail")
			} else if err := v.nested(p+".working_copy", x.Text); err != nil {
				return err
			}
		}
		seen := map[string]bool{}
		for j, a := range x.Authorizations {
			q := fmt.Sprintf("%s.authorizations[%d]", p, j)
			v.party(q+".organization", a.Organization)
			if seen[a.Organization] {
				v.add(q+".organization", "l'autorisation de « %s » figure déjà pour cet avenant", a.Organization)
			}
			seen[a.Organization] = true
			if strings.TrimSpace(a.Body) == "" {
				v.add(q+".body", "champ obligatoire vide : l'organe qui a autorisé la signature")
			}
		}
		for j, c := range x.Modifications {
			q := fmt.Sprintf("%s.changes[%d]", p, j)
			if !slices.Contains(model.AmendmentOps, c.Op) {
				v.add(q+".op", "opération « %s » inconnue ; opérations possibles : %s", c.Op, strings.Join(model.AmendmentOps, ", "))
			}
			if strings.TrimSpace(c.Kind) == "" {
				v.add(q+".kind", "champ obligatoire vide : la nature de l'élément modifié")
			}
			if strings.TrimSpace(c.Sentence) == "" {
				v.add(q+".sentence", "champ obligatoire vide : la modification telle que l'avenant l'énonce")
			}
		}
	}
	return nil
}

// versions checks that the stored texts are those of the signed
// avenants: none without a signed avenant, else the original (0) and one
// after each signed avenant, in order, each from its avenant's date of
// effect.
func (v *lifeValidator) versions() error {
	var want []int
	effect := map[int]*model.Date{}
	for _, x := range v.f.Avenants {
		if x.State == model.AmendmentSigned {
			if len(want) == 0 {
				want = []int{0}
			}
			want = append(want, x.Number)
			effect[x.Number] = x.EffectiveOn
		}
	}
	if len(v.f.Versions) != len(want) {
		if len(want) == 0 {
			v.add("versions", "aucun avenant n'est signé : la convention n'a pas d'autre version que son texte")
		} else {
			names := make([]string, len(want))
			for i, n := range want {
				names[i] = strconv.Itoa(n)
			}
			v.add("versions", "%d version(s) au lieu de %d : le texte initial (0) et le texte après chaque avenant signé (%s)",
				len(v.f.Versions), len(want), strings.Join(names, ", "))
		}
	}
	for i := range v.f.Versions {
		ver := &v.f.Versions[i]
		p := fmt.Sprintf("versions[%d]", i)
		if i < len(want) && ver.Number != want[i] {
			v.add(p+".number", "version %d inattendue : %d attendue ici (le texte initial, 0, puis un texte par avenant signé, dans l'ordre)", ver.Number, want[i])
		} else if i < len(want) {
			switch d := effect[ver.Number]; {
			case ver.Number == 0 && ver.EffectiveOn != nil:
				v.add(p+".effective_on", "le texte initial n'a pas d'autre date d'effet que la période de la convention")
			case ver.Number > 0 && d != nil && (ver.EffectiveOn == nil || *ver.EffectiveOn != *d):
				v.add(p+".effective_on", "la version %d prend effet à la date d'effet de l'avenant n° %d, le %s", ver.Number, ver.Number, textutil.FrenchDate(*d))
			}
		}
		if err := v.nested(p+".text", &ver.Text); err != nil {
			return err
		}
	}
	return nil
}

func (v *lifeValidator) slugRef(path, slug string) {
	switch {
	case !convention.ValidSlug(slug):
		v.add(path, "identifiant de convention « %s » invalide : lettres minuscules, chiffres et tirets", slug)
	case slug == v.f.Slug:
		v.add(path, "« %s » est l'identifiant de cette convention même", slug)
	}
}

func (v *lifeValidator) required(path string, d model.Date) bool {
	if d.IsZero() {
		v.add(path, "date obligatoire absente")
		return false
	}
	return true
}

func (v *lifeValidator) acts() {
	a := v.f.LifeActs
	if a == nil {
		return
	}
	if a.Predecessor != "" {
		v.slugRef("acts.predecessor", a.Predecessor)
	}
	if r := a.Renewal; r != nil {
		v.required("acts.renewal.decided_on", r.DecidedOn)
		v.slugRef("acts.renewal.successor", r.Successor)
	}
	t := a.Termination
	if t == nil {
		return
	}
	known := slices.Contains(model.TerminationModes, t.Mode)
	if !known {
		modes := make([]string, len(model.TerminationModes))
		for i, m := range model.TerminationModes {
			modes[i] = string(m)
		}
		v.add("acts.termination.mode", "mode de résiliation « %s » inconnu ; modes de l'article 12 : %s", t.Mode, strings.Join(modes, ", "))
	}
	// Whether the mode is open to the sender and the date of effect are
	// the service's rules (package lifecycle), checked at import.
	v.party("acts.termination.sender", t.Sender)
	letter := v.required("acts.termination.letter_on", t.LetterOn)
	received := v.required("acts.termination.received_on", t.ReceivedOn)
	if letter && received && t.ReceivedOn.Before(t.LetterOn) {
		v.add("acts.termination.received_on", "la réception (%s) précède la lettre (%s)", textutil.FrenchDate(t.ReceivedOn), textutil.FrenchDate(t.LetterOn))
	}
	v.required("acts.termination.effective_on", t.EffectiveOn)
}

var sha256Pattern = textutil.LazyRegexp(`^[0-9a-f]{64}$`)

func (v *lifeValidator) documents() {
	for i, d := range v.f.Documents {
		p := fmt.Sprintf("documents[%d]", i)
		if why := v.owner(d.OwnerKind, d.OwnerKey); why != "" {
			path := p + ".owner_key"
			if !slices.Contains(model.OwnerKinds, d.OwnerKind) {
				path = p + ".owner_kind"
			}
			v.add(path, "%s", why)
		}
		switch {
		case strings.TrimSpace(d.Name) == "":
			v.add(p+".file_name", "champ obligatoire vide : le nom du fichier")
		case document.CleanName(d.Name) != d.Name:
			v.add(p+".file_name", "nom de fichier « %s » invalide : ni chemin, ni caractère de contrôle, ni point au début", d.Name)
		}
		if !document.Known(d.ContentType) {
			v.add(p+".content_type", "type « %s » non accepté : %s", d.ContentType, document.Accepted)
		}
		if d.Size <= 0 {
			v.add(p+".size", "taille %d invalide : un document a au moins un octet", d.Size)
		}
		if !sha256Pattern.MatchString(d.SHA256) {
			v.add(p+".sha256", "empreinte « %s » invalide : 64 chiffres hexadécimaux en minuscules (SHA-256)", d.SHA256)
		}
		if strings.TrimSpace(d.UploadedBy) == "" {
			v.add(p+".uploaded_by", "champ obligatoire vide : qui a joint le document")
		}
		if d.UploadedAt.IsZero() {
			v.add(p+".uploaded_at", "date et heure obligatoires absentes : quand le document a été joint")
		}
	}
}

// owner tells why a document cannot be attached to the object of a kind
// and key of the file, or "".
func (v *lifeValidator) owner(kind model.OwnerKind, key string) string {
	switch kind {
	case model.OwnerConvention:
		if key != "" {
			return "un document de la convention elle-même ne désigne aucun élément : retirez owner_key"
		}
	case model.OwnerAuthorization:
		if !slices.Contains(v.parties, key) {
			return fmt.Sprintf("« %s » n'est pas une partie de la convention : une délibération est rattachée à une partie", key)
		}
	case model.OwnerAmendment:
		n, err := strconv.Atoi(key)
		if err != nil || n < 1 || n > len(v.f.Avenants) || strconv.Itoa(n) != key {
			return fmt.Sprintf("« %s » ne désigne aucun avenant du fichier (numéro d'avenant attendu)", key)
		}
	case model.OwnerAct:
		a := v.f.LifeActs
		switch {
		case key == "termination" && a != nil && a.Termination != nil, key == "renewal" && a != nil && a.Renewal != nil:
		case key == "termination" || key == "renewal":
			return fmt.Sprintf("aucun acte « %s » dans acts", key)
		default:
			return fmt.Sprintf("acte « %s » inconnu : termination ou renewal", key)
		}
	default:
		kinds := make([]string, len(model.OwnerKinds))
		for i, k := range model.OwnerKinds {
			kinds[i] = string(k)
		}
		return fmt.Sprintf("rattachement « %s » inconnu ; rattachements possibles : %s", kind, strings.Join(kinds, ", "))
	}
	return ""
}
