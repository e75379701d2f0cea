package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// The directory of organizations is the platform's: its platform
// administrators keep it and attach accounts to its organizations.

// DirectoryEntries lists the organizations of the platform (of those
// kinds only, when given).
func (s *Service) DirectoryEntries(ctx context.Context, a *auth.Actor, kinds ...model.OrganizationKind) ([]model.DirectoryEntry, error) {
	if a == nil || !a.PlatformAdmin {
		return nil, fmt.Errorf("annuaire des organisations : %w", model.ErrForbidden)
	}
	return s.store.DirectoryEntries(ctx, kinds...)
}

// DirectoryView is one organization of the directory with its accounts
// and the titles of its conventions, by slug.
type DirectoryView struct {
	model.DirectoryEntry
	Members []auth.User
	Titles  map[string]string
}

// DirectoryEntry returns an organization of the directory with the
// accounts that belong to it.
func (s *Service) DirectoryEntry(ctx context.Context, a *auth.Actor, id string) (*DirectoryView, error) {
	if a == nil || !a.PlatformAdmin {
		return nil, fmt.Errorf("annuaire des organisations : %w", model.ErrForbidden)
	}
	e, err := s.store.DirectoryEntry(ctx, id)
	if err != nil {
		return nil, err
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	v := &DirectoryView{DirectoryEntry: *e, Titles: map[string]string{}}
	for _, u := range users {
		if u.OrganizationID == id {
			v.Members = append(v.Members, u)
		}
	}
	list, err := s.store.Conventions(ctx)
	for _, c := range list {
		v.Titles[c.Slug] = c.Title
	}
	return v, err
}

// AddDirectoryEntry adds an organization that no convention names yet
// (a Caf before its first convention in ctg, say): its kind, its name,
// and its SIREN, or INSEE code for a commune, when it has one.
func (s *Service) AddDirectoryEntry(ctx context.Context, a *auth.Actor, e model.DirectoryEntry) (*model.DirectoryEntry, error) {
	if a == nil || !a.PlatformAdmin {
		return nil, fmt.Errorf("annuaire des organisations : %w", model.ErrForbidden)
	}
	e.Name, e.ShortName = strings.TrimSpace(e.Name), strings.TrimSpace(e.ShortName)
	e.SIREN, e.INSEE = strings.ReplaceAll(strings.TrimSpace(e.SIREN), " ", ""), strings.TrimSpace(e.INSEE)
	ve := &model.ValidationError{}
	if !slices.Contains(model.OrganizationKinds, e.Kind) {
		ve.Add("kind", "type : choisissez le type de l'organisation (Caf, MSA, EPCI, commune…)")
	}
	if e.Name == "" {
		ve.Add("name", "nom : obligatoire")
	}
	ve.Line("name", "nom", e.Name, maxNewConventionLine)
	ve.Line("short_name", "nom court", e.ShortName, maxNewConventionLine)
	if e.SIREN != "" {
		switch _, epci := s.Territory.EPCI(e.SIREN); {
		case !convention.ValidSIREN(e.SIREN):
			ve.Add("siren", "SIREN : « %s » n'est pas un SIREN (9 chiffres dont le dernier est une clé de Luhn)", e.SIREN)
		case e.Kind == model.KindEPCI && !epci:
			ve.Add("siren", "SIREN : aucune intercommunalité de SIREN %s dans les données INSEE", e.SIREN)
		}
	}
	if e.INSEE != "" {
		if _, ok := s.Territory.Commune(e.INSEE); !ok || e.Kind != model.KindCommune {
			ve.Add("insee", "code INSEE : « %s » n'est le code d'aucune commune des données INSEE (il ne sert qu'aux communes)", e.INSEE)
		}
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	// The same kind and name is the same organization, whatever the
	// identifiers one of them has.
	list, err := s.store.DirectoryEntries(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range list {
		if x.Kind == e.Kind && textutil.Fold(x.Name) == textutil.Fold(e.Name) {
			return nil, single("name", fmt.Sprintf("nom : « %s » est déjà dans l'annuaire (%s)", x.Name, cmp.Or(x.SIREN, x.INSEE, "sans SIREN")))
		}
	}
	err = s.store.CreateDirectoryEntry(ctx, &e, audited(a, "", "create", "directory_organization", "", e.Name).
		WithChange(nil, map[string]string{"kind": string(e.Kind), "name": e.Name, "short_name": e.ShortName, "siren": e.SIREN, "insee": e.INSEE}))
	if errors.Is(err, model.ErrConflict) {
		path, what := "name", "même type et même nom"
		switch {
		case e.SIREN != "":
			path, what = "siren", "SIREN "+e.SIREN
		case e.INSEE != "":
			path, what = "insee", "code INSEE "+e.INSEE
		}
		return nil, single(path, fmt.Sprintf("organisation : une organisation de l'annuaire a déjà ce %s", what))
	}
	return &e, err
}

// FindDirectoryEntry finds an organization of the directory by its id,
// SIREN, INSEE code, name or short name (accents and case aside); a name
// shared by several organizations is refused, listing them.
func (s *Service) FindDirectoryEntry(ctx context.Context, ref string) (*model.DirectoryEntry, error) {
	ref = strings.TrimSpace(ref)
	list, err := s.store.DirectoryEntries(ctx)
	if err != nil {
		return nil, err
	}
	var found []model.DirectoryEntry
	for _, e := range list {
		if e.ID == ref || (e.SIREN != "" && e.SIREN == ref) || (e.INSEE != "" && e.INSEE == ref) {
			return &e, nil
		}
		if f := textutil.Fold(ref); f != "" && (textutil.Fold(e.Name) == f || textutil.Fold(e.ShortName) == f) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return nil, &model.ValidationError{Errors: []model.FieldError{{Path: "organization",
			Message: fmt.Sprintf("organisation : « %s » n'est pas dans l'annuaire (nom, SIREN ou code INSEE attendu)", ref)}}}
	case 1:
		return &found[0], nil
	}
	var names []string
	for _, e := range found {
		names = append(names, fmt.Sprintf("« %s »%s", e.Name, cond(e.SIREN != "", " (SIREN "+e.SIREN+")", "")))
	}
	return nil, &model.ValidationError{Errors: []model.FieldError{{Path: "organization",
		Message: fmt.Sprintf("organisation : « %s » désigne plusieurs organisations ; donnez son nom complet ou son SIREN : %s", ref, strings.Join(names, ", "))}}}
}

// SetAccountOrganization makes the account with that e-mail belong to an
// organization of the directory (ref: see FindDirectoryEntry; none when
// empty), with a role in every convention the organization is party to
// (none when role is empty): an adviser of a Caf then reads every
// convention of her Caf without a grant in each. A contributor or a DPO
// acts there for the organization itself.
func (s *Service) SetAccountOrganization(ctx context.Context, a *auth.Actor, email, ref string, role auth.Role) error {
	if a == nil || !a.PlatformAdmin {
		return fmt.Errorf("rattacher un compte à une organisation : %w", model.ErrForbidden)
	}
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, model.ErrNotFound) {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("adresse : aucun compte pour « %s »", email)}}}
	}
	if err != nil {
		return err
	}
	if role != "" && !role.Valid() {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "role", Message: fmt.Sprintf("rôle : « %s » n'est pas un rôle (admin, editor, contributor, reader, dpo)", role)}}}
	}
	id, name := "", ""
	if strings.TrimSpace(ref) != "" {
		e, err := s.FindDirectoryEntry(ctx, ref)
		if err != nil {
			return err
		}
		id, name = e.ID, e.Name
	} else if role != "" {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "organization", Message: "organisation : un rôle dans les conventions d'une organisation demande l'organisation"}}}
	}
	before := map[string]string{"organization": u.Organization, "organization_role": string(u.OrganizationRole)}
	after := map[string]string{"organization": name, "organization_role": string(role)}
	return s.store.SetUserOrganization(ctx, u.ID, id, role,
		audited(a, "", "set_organization", "user", u.ID, "Compte de "+u.Email).WithChange(before, after))
}

// DetachAccount takes the account with that e-mail out of the
// organization of the directory with that id, which it must belong to.
func (s *Service) DetachAccount(ctx context.Context, a *auth.Actor, email, id string) error {
	if a == nil || !a.PlatformAdmin {
		return fmt.Errorf("détacher un compte d'une organisation : %w", model.ErrForbidden)
	}
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, model.ErrNotFound) || (err == nil && u.OrganizationID != id) {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("adresse : « %s » n'est pas un compte de cette organisation", email)}}}
	}
	if err != nil {
		return err
	}
	return s.SetAccountOrganization(ctx, a, email, "", "")
}

// cond returns yes when ok, no otherwise.
func cond(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}
