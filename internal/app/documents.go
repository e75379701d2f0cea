package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/model"
)

// MaxDocumentSize bounds a document: a scanned deliberation of a few pages
// or a signed original of fifty stays below.
const MaxDocumentSize = 10 << 20

// MaxDocumentTitle bounds the title of a document, in characters.
const MaxDocumentTitle = 200

// ownerCheck reports whether key designates an existing object of a kind
// in the convention c, with a French message naming the problem.
type ownerCheck func(ctx context.Context, s *Service, c *model.Convention, key string) error

// The keys of the lifecycle acts documents are attached to: a convention
// has at most one of each.
const (
	ActTermination = "termination"
	ActRenewal     = "renewal"
)

// ownerChecks is the one place that says which objects documents may be
// attached to.
var ownerChecks = map[model.OwnerKind]ownerCheck{
	model.OwnerConvention: func(_ context.Context, _ *Service, _ *model.Convention, key string) error {
		if key != "" {
			return errors.New("un document de la convention elle-même ne désigne aucun élément")
		}
		return nil
	},
	model.OwnerAuthorization: func(_ context.Context, _ *Service, c *model.Convention, key string) error {
		if key == "" {
			return errors.New("choisissez la partie signataire dont c'est la délibération")
		}
		if !slices.ContainsFunc(c.Parties, func(p model.Party) bool { return p.Organization == key }) {
			return fmt.Errorf("aucune partie signataire de la convention ne correspond à « %s »", key)
		}
		return nil
	},
	model.OwnerAmendment: func(ctx context.Context, s *Service, c *model.Convention, key string) error {
		n, err := strconv.Atoi(key)
		if err != nil || strconv.Itoa(n) != key {
			return fmt.Errorf("numéro d'avenant invalide « %s » : un nombre entier à partir de 1 est attendu", key)
		}
		list, err := s.store.Amendments(ctx, c.Slug)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(list, func(x model.Amendment) bool { return x.Number == n }) {
			return fmt.Errorf("aucun avenant n° %d n'est enregistré sur cette convention", n)
		}
		return nil
	},
	model.OwnerAct: func(_ context.Context, _ *Service, c *model.Convention, key string) error {
		switch {
		case key == ActTermination && c.Acts.Termination != nil, key == ActRenewal && c.Acts.Renewal != nil:
			return nil
		case key == ActTermination || key == ActRenewal:
			return fmt.Errorf("aucun acte « %s » n'est enregistré sur cette convention", key)
		}
		return fmt.Errorf("acte inconnu « %s » : %s ou %s", key, ActTermination, ActRenewal)
	},
}

// documentOwners are the organizations whose contributors may attach a
// document to an object and remove it: a party's own deliberation is its
// organization's; anything else is the editors'.
func documentOwners(kind model.OwnerKind, key string) []string {
	if kind == model.OwnerAuthorization {
		return []string{key}
	}
	return nil
}

// CanAttach reports whether the actor may attach documents to, and remove
// documents from, an object of the convention.
// An avenant's working copy holds none: the signed avenant is attached to
// the avenant, on the convention.
func CanAttach(a *auth.Actor, slug string, kind model.OwnerKind, key string) bool {
	_, _, workingCopy := model.WorkingCopyOf(slug)
	return !workingCopy && a.CanEdit(slug, documentOwners(kind, key))
}

// DocumentOwnerLabel names what a document is attached to, in French.
func DocumentOwnerLabel(c *model.Convention, kind model.OwnerKind, key string) string {
	switch kind {
	case model.OwnerConvention:
		return "Convention"
	case model.OwnerAuthorization:
		return "Délibération (" + c.OrgName(key) + ")"
	case model.OwnerAmendment:
		return "Avenant n° " + key
	case model.OwnerAct:
		return "Acte " + key
	}
	return string(kind) + " " + key
}

// Documents lists the documents of a convention the actor may read,
// without their content.
func (s *Service) Documents(ctx context.Context, a *auth.Actor, slug string) ([]model.Document, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	return s.store.Documents(ctx, slug)
}

// DocumentFile returns a document of a convention the actor may read,
// with its content; ErrNotFound otherwise.
func (s *Service) DocumentFile(ctx context.Context, a *auth.Actor, slug, id string) (*model.Document, []byte, error) {
	if !a.CanRead(slug) {
		return nil, nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	return s.store.Document(ctx, slug, id)
}

// DocumentInput is a file sent to be attached.
type DocumentInput struct {
	OwnerKind model.OwnerKind
	OwnerKey  string
	// Name is the file name as sent; it is cleaned before it is stored.
	Name  string
	Title string
	// Content is read up to MaxDocumentSize, and one byte more to tell
	// that it is larger.
	Content io.Reader
}

// AttachDocument stores a file attached to an object of the convention,
// with its entry in the history (who, file name, size, checksum). It
// refuses, writing nothing, an object that does not exist
// (*model.ValidationError on owner_key), an actor who may not change it
// (ErrForbidden), a file over MaxDocumentSize or whose bytes are not of an
// accepted type (*model.ValidationError on file).
func (s *Service) AttachDocument(ctx context.Context, a *auth.Actor, slug string, in DocumentInput) (*model.Document, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	if in.OwnerKind == "" {
		in.OwnerKind = model.OwnerConvention
	}
	in.OwnerKey = strings.TrimSpace(in.OwnerKey)
	check, ok := ownerChecks[in.OwnerKind]
	if !ok {
		return nil, single("owner_kind", fmt.Sprintf("rattachement inconnu « %s » : convention, authorization, amendment ou act", in.OwnerKind))
	}
	if err := check(ctx, s, c, in.OwnerKey); err != nil {
		return nil, single("owner_key", err.Error())
	}
	if !CanAttach(a, slug, in.OwnerKind, in.OwnerKey) {
		return nil, fmt.Errorf("joindre un document (%s) : %w", DocumentOwnerLabel(c, in.OwnerKind, in.OwnerKey), model.ErrForbidden)
	}
	name := document.CleanName(in.Name)
	title := strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(title); n > MaxDocumentTitle {
		return nil, single("title", fmt.Sprintf("le titre compte %d caractères, %d au plus", n, MaxDocumentTitle))
	}
	if in.Content == nil {
		return nil, single("file", "choisissez le fichier à joindre")
	}
	data, err := io.ReadAll(io.LimitReader(in.Content, MaxDocumentSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxDocumentSize {
		return nil, single("file", fmt.Sprintf("« %s » est trop volumineux : %d Mo au plus", name, MaxDocumentSize>>20))
	}
	if len(data) == 0 {
		return nil, single("file", fmt.Sprintf("« %s » est vide", name))
	}
	contentType, err := document.Sniff(data)
	if err != nil {
		return nil, single("file", fmt.Sprintf("« %s » n'est pas d'un type accepté : %s (le type est lu dans le contenu du fichier, pas dans son nom)",
			name, document.Accepted))
	}
	sum := sha256.Sum256(data)
	d := &model.Document{Convention: slug, OwnerKind: in.OwnerKind, OwnerKey: in.OwnerKey, Name: name, ContentType: contentType,
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Title: title, UploadedBy: a.Label()}
	if a != nil && a.Name != "" {
		d.UploadedBy = a.Name
	}
	entry := audited(a, slug, "attach", "document", "", documentLabel(c, d)).WithChange(nil, documentAudit(d))
	if err := s.store.InsertDocument(ctx, d, data, entry); err != nil {
		return nil, err
	}
	return d, nil
}

// RemoveDocument removes a document of the convention, with its entry in
// the history; ErrNotFound when there is none, ErrForbidden when the actor
// may not change what it is attached to.
func (s *Service) RemoveDocument(ctx context.Context, a *auth.Actor, slug, id string) error {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return err
	}
	d, _, err := s.store.Document(ctx, slug, id)
	if err != nil {
		return err
	}
	if !CanAttach(a, slug, d.OwnerKind, d.OwnerKey) {
		return fmt.Errorf("retirer le document « %s » : %w", d.Name, model.ErrForbidden)
	}
	entry := audited(a, slug, "detach", "document", d.ID, documentLabel(c, d)).WithChange(documentAudit(d), nil)
	return s.store.DeleteDocument(ctx, slug, id, entry)
}

// documentLabel names a document in the history.
func documentLabel(c *model.Convention, d *model.Document) string {
	return "Document « " + d.Name + " » – " + DocumentOwnerLabel(c, d.OwnerKind, d.OwnerKey)
}

// documentAudit is what the history keeps of a document: enough to
// recognize the file (name, size, checksum) without its content.
func documentAudit(d *model.Document) map[string]string {
	m := map[string]string{"file_name": d.Name, "size": strconv.FormatInt(d.Size, 10), "sha256": d.SHA256,
		"content_type": d.ContentType, "owner_kind": string(d.OwnerKind), "owner_key": d.OwnerKey}
	if d.Title != "" {
		m["title"] = d.Title
	}
	return m
}
