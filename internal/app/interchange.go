package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// ImportResult tells what an import stored and what it left out.
type ImportResult struct {
	Convention *model.Convention
	// Avenants, Documents and Meetings count what was stored beside the text.
	Avenants, Documents, Meetings int
	// Notes say, in French, what the file describes that was not stored,
	// and why: an import never leaves something out silently.
	Notes []string
}

// ImportFile imports a convention file or an archive of one (told from
// its first bytes, never from a name): the text, then each part of its
// life the file carries, replacing what the database held of that part;
// a part the file does not carry is left as recorded. Documents come
// from an archive only, which then replaces them all; a YAML file that
// describes documents stores its text and life, and a note says that
// their content travels in the archive. Any problem of the file or of
// the archive writes nothing.
func (s *Service) ImportFile(ctx context.Context, data []byte, replace bool) (*ImportResult, error) {
	if !document.IsZip(data) {
		return s.importFile(ctx, nil, data, nil, replace)
	}
	file, contents, err := interchange.ReadArchive(data, MaxDocumentSize)
	if err != nil {
		return nil, err
	}
	return s.importFile(ctx, nil, file, contents, replace)
}

// importFile imports a decoded file for a (the command line when nil);
// contents is nil for a YAML file, the documents' contents by checksum for
// an archive.
func (s *Service) importFile(ctx context.Context, a *auth.Actor, data []byte, contents map[string][]byte, replace bool) (*ImportResult, error) {
	f, err := interchange.DecodeFile(data, s.Territory)
	if err != nil {
		return nil, err
	}
	c := &f.Convention
	if _, _, ok := model.WorkingCopyOf(c.Slug); ok {
		return nil, single("slug", fmt.Sprintf("identifiant « %s » réservé aux copies de travail des avenants : choisissez un identifiant sans « -- »", c.Slug))
	}
	ve := &model.ValidationError{}
	for i, d := range f.Documents {
		if d.Size > MaxDocumentSize {
			ve.Add(fmt.Sprintf("documents[%d].size", i), "« %s » : %d octets, %d Mo au plus par document", d.Name, d.Size, MaxDocumentSize>>20)
		}
	}
	if t := f.LifeActs; t != nil && t.Termination != nil {
		terminationRules(ve, c, t.Termination)
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	if contents != nil {
		if err := interchange.CheckArchiveDocuments(f.Documents, contents); err != nil {
			return nil, err
		}
	}
	entry := audited(a, c.Slug, "import", "convention", "", "Convention importée")
	if replace {
		old, err := s.store.Convention(ctx, c.Slug)
		switch {
		case errors.Is(err, model.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			// A signed convention takes a file with the same signed text
			// only: its follow-up may differ.
			if err := keepSigned(old, c, "", "", ""); err != nil {
				return nil, err
			}
		}
	}
	life, err := s.lifeFromFile(f, contents)
	if err != nil {
		return nil, err
	}
	out := &ImportResult{Avenants: len(f.Avenants), Meetings: len(f.Meetings)}
	if life.Documents != nil {
		out.Documents = len(life.Documents)
	}
	if n := len(f.Documents); n > 0 && contents == nil {
		note := fmt.Sprintf("%d document(s) décrit(s) dans le fichier non importé(s) : un fichier YAML ne porte que leur description ; "+
			"leur contenu voyage dans l'archive (ctg export --archive)", n)
		if replace {
			note += " ; les documents déjà enregistrés sont conservés"
		}
		out.Notes = append(out.Notes, note)
	}
	if p := predecessorOf(f); p != "" {
		acts, err := s.store.LifecycleActs(ctx, c.Slug)
		if err != nil {
			return nil, err
		}
		if acts.Predecessor != p {
			out.Notes = append(out.Notes, fmt.Sprintf("convention précédente « %s » : le lien s'établira à l'import de « %s » avec sa décision de renouvellement", p, p))
		}
	}
	// Whoever creates a convention without administering the platform
	// (the adviser of a Caf, from a draft) administers it.
	if a != nil && a.UserID != "" && !a.PlatformAdmin && !replace {
		life.Admins = append(life.Admins, a.UserID)
	}
	if out.Convention, err = s.store.ImportConvention(ctx, c, life, replace, entry); err != nil {
		return nil, err
	}
	return out, nil
}

// terminationRules checks a termination read from a file as
// RecordTermination does: the mode open to its sender, the date of
// effect computed from the mode and the receipt.
func terminationRules(ve *model.ValidationError, c *model.Convention, t *model.Termination) {
	if why := lifecycle.SenderRefusal(t.Mode, orgOf(c, t.Sender)); why != "" {
		ve.Add("acts.termination.sender", "%s", why)
	}
	if want := lifecycle.EffectiveDate(t.Mode, t.ReceivedOn); want != t.EffectiveOn {
		ve.Add("acts.termination.effective_on", "reçue le %s, la résiliation (%s) prend effet le %s, pas le %s",
			textutil.FrenchDate(t.ReceivedOn), t.Mode.Label(), textutil.FrenchDate(want), textutil.FrenchDate(t.EffectiveOn))
	}
}

func predecessorOf(f *model.ConventionFile) string {
	if f.LifeActs == nil {
		return ""
	}
	return f.LifeActs.Predecessor
}

// lifeFromFile turns the life a file describes into what the store
// keeps: the avenants with their changes in JSON, the working copies under
// their own slugs, the versions as stored texts, and which signed
// avenants the file's text already carries (applied). A part the file
// leaves out stays nil, and the database keeps it.
func (s *Service) lifeFromFile(f *model.ConventionFile, contents map[string][]byte) (*store.Life, error) {
	slug := f.Slug
	life := &store.Life{}
	if len(f.Avenants) > 0 {
		life.Amendments = []model.Amendment{}
		life.WorkingCopies = map[int]*model.Convention{}
		applied := appliedUpTo(f, model.DateOf(s.now()))
		now := s.now()
		for _, x := range f.Avenants {
			y := x
			y.Convention, y.Text, y.Modifications = slug, nil, nil
			if len(x.Modifications) > 0 {
				var err error
				if y.Changes, err = json.Marshal(x.Modifications); err != nil {
					return nil, err
				}
			}
			if x.State == model.AmendmentSigned && x.Number <= applied {
				y.AppliedAt = &now
			}
			if x.State == model.AmendmentDraft && x.Text != nil {
				wc := *x.Text
				wc.Slug = model.WorkingCopySlug(slug, x.Number)
				y.WorkingCopy = wc.Slug
				life.WorkingCopies[x.Number] = &wc
			}
			life.Amendments = append(life.Amendments, y)
		}
		for _, v := range f.Versions {
			content, err := interchange.Encode(&v.Text)
			if err != nil {
				return nil, err
			}
			life.Versions = append(life.Versions, model.ConventionVersion{Convention: slug, Number: v.Number, EffectiveOn: v.EffectiveOn, Content: content})
		}
	}
	if a := f.LifeActs; a != nil && (a.Renewal != nil || a.Termination != nil) {
		acts := *a
		if acts.Renewal != nil {
			r := *acts.Renewal
			r.RecordedBy = recorder(nil)
			acts.Renewal = &r
		}
		if acts.Termination != nil {
			t := *acts.Termination
			t.RecordedBy = recorder(nil)
			acts.Termination = &t
		}
		life.Acts = &acts
	}
	if len(f.Meetings) > 0 {
		life.Meetings = f.Meetings
	}
	if contents != nil {
		life.Documents = []store.DocumentContent{}
		for _, d := range f.Documents {
			d.Convention = slug
			life.Documents = append(life.Documents, store.DocumentContent{Document: d, Content: contents[d.SHA256]})
		}
	}
	return life, nil
}

// appliedUpTo is the number of the last signed avenant whose text the
// file's own text already carries: the highest version with the same
// signed content. A text matching no version (changed outside an
// avenant, which the checker reports) carries those in force today.
func appliedUpTo(f *model.ConventionFile, today model.Date) int {
	for i := len(f.Versions) - 1; i >= 0; i-- {
		if contract.SameSigned(&f.Versions[i].Text, &f.Convention) {
			return f.Versions[i].Number
		}
	}
	return numberOn(f.Avenants, today)
}

// conventionFile gathers a stored convention's text and life.
func (s *Service) conventionFile(ctx context.Context, slug string) (*model.ConventionFile, error) {
	c, err := s.live(ctx, slug)
	if err != nil {
		return nil, err
	}
	f := &model.ConventionFile{Convention: *c}
	if _, _, ok := model.WorkingCopyOf(slug); ok {
		// A working copy travels inside its convention's file.
		return f, nil
	}
	list, err := s.store.Amendments(ctx, slug)
	if err != nil {
		return nil, err
	}
	for _, x := range list {
		if len(x.Changes) > 0 {
			if err := json.Unmarshal(x.Changes, &x.Modifications); err != nil {
				return nil, fmt.Errorf("modifications de l'avenant n° %d illisibles : %w", x.Number, err)
			}
		}
		if x.State == model.AmendmentDraft && x.WorkingCopy != "" {
			wc, err := s.store.Convention(ctx, x.WorkingCopy)
			if err != nil {
				return nil, err
			}
			wc.Slug = slug
			x.Text = wc
		}
		f.Avenants = append(f.Avenants, x)
	}
	versions, err := s.store.ConventionVersions(ctx, slug)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		text, err := s.decodeVersion(versions, v.Number)
		if err != nil {
			return nil, err
		}
		v.Text = *text
		f.Versions = append(f.Versions, v)
	}
	if a := c.Acts; a.Renewal != nil || a.Termination != nil || a.Predecessor != "" {
		f.LifeActs = &a
	}
	if f.Documents, err = s.store.Documents(ctx, slug); err != nil {
		return nil, err
	}
	if f.Meetings, err = s.store.Meetings(ctx, slug); err != nil {
		return nil, err
	}
	return f, nil
}

// Archive writes the archive of a convention the actor may read: its
// file (Export, with its life) and the content of each of its documents.
func (s *Service) Archive(ctx context.Context, a *auth.Actor, slug string) ([]byte, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	f, err := s.conventionFile(ctx, slug)
	if err != nil {
		return nil, err
	}
	file, err := interchange.EncodeFile(f)
	if err != nil {
		return nil, err
	}
	contents := map[string][]byte{}
	for _, d := range f.Documents {
		if _, ok := contents[d.SHA256]; ok {
			continue
		}
		_, content, err := s.store.Document(ctx, slug, d.ID)
		if err != nil {
			return nil, err
		}
		contents[d.SHA256] = content
	}
	return interchange.WriteArchive(file, contents)
}
