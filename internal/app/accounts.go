package app

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 12 * time.Hour

// NewUser describes an account to create.
type NewUser struct {
	Email, Name, Organization, Password string
	PlatformAdmin                       bool
}

// AddUser creates an account after checking its fields; errors name the field.
func (s *Service) AddUser(ctx context.Context, in NewUser) (*auth.User, error) {
	ve := &model.ValidationError{}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		ve.Add("email", "adresse électronique « %s » invalide", in.Email)
	}
	if strings.TrimSpace(in.Name) == "" {
		ve.Add("name", "nom obligatoire")
	}
	if err := auth.CheckPasswordStrength(in.Password); err != nil {
		ve.Add("password", "%s", err.Error())
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &auth.User{Email: email, Name: strings.TrimSpace(in.Name), Organization: strings.TrimSpace(in.Organization),
		PasswordHash: hash, PlatformAdmin: in.PlatformAdmin}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// Grant gives the account with that e-mail a role in a convention, if the
// actor manages that convention. A contributor must act for one of the
// convention's organizations.
func (s *Service) Grant(ctx context.Context, a *auth.Actor, email string, m auth.Membership) error {
	if !a.CanAdmin(m.Convention) {
		return fmt.Errorf("gérer les membres de %s : %w", m.Convention, model.ErrForbidden)
	}
	u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, model.ErrNotFound) {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("aucun compte pour %s", email)}}}
	}
	if err != nil {
		return err
	}
	c, err := s.store.Convention(ctx, m.Convention)
	if err != nil {
		return err
	}
	ve := &model.ValidationError{}
	if !m.Role.Valid() {
		ve.Add("role", "rôle « %s » inconnu (admin, editor, contributor, reader)", m.Role)
	}
	if m.Organization != "" && !hasOrganization(c, m.Organization) {
		ve.Add("organization", "la convention ne compte pas d'organisation « %s »", m.Organization)
	}
	if m.Role == auth.RoleContributor && m.Organization == "" {
		ve.Add("organization", "un·e contributeur·rice agit pour une organisation de la convention")
	}
	if err := ve.OrNil(); err != nil {
		return err
	}
	if err := s.store.SetMembership(ctx, u.ID, m); err != nil {
		return err
	}
	return s.store.AppendAudit(ctx, audited(a, m.Convention, "grant", "membership", u.ID, "Accès de "+u.Email).
		WithChange(nil, map[string]string{"role": string(m.Role), "organization": m.Organization}))
}

// Members lists the accounts with a role in a convention the actor may read.
func (s *Service) Members(ctx context.Context, a *auth.Actor, slug string) ([]auth.Member, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	return s.store.Members(ctx, slug)
}

func hasOrganization(c *model.Convention, key string) bool {
	for _, o := range c.Organizations {
		if o.Key == key {
			return true
		}
	}
	return false
}

// ChangePassword sets a new password for the account with that e-mail.
func (s *Service) ChangePassword(ctx context.Context, email, password string) error {
	if err := auth.CheckPasswordStrength(password); err != nil {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "password", Message: err.Error()}}}
	}
	u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, model.ErrNotFound) {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("aucun compte pour %s", email)}}}
	}
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, u.ID, hash)
}

// ErrBadCredentials is returned for a wrong e-mail or password, without
// saying which.
var ErrBadCredentials = errors.New("adresse ou mot de passe incorrect")

// SignIn checks credentials and opens a session; it returns the session
// and CSRF tokens.
func (s *Service) SignIn(ctx context.Context, email, password string) (token, csrf string, err error) {
	u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, model.ErrNotFound) {
		// Spend the same time as a real check, so that timing does not
		// reveal which addresses have an account.
		_ = auth.VerifyPassword(dummyHash, password)
		return "", "", ErrBadCredentials
	}
	if err != nil {
		return "", "", err
	}
	if u.Disabled || auth.VerifyPassword(u.PasswordHash, password) != nil {
		return "", "", ErrBadCredentials
	}
	return s.store.CreateSession(ctx, u.ID, SessionTTL)
}

var dummyHash, _ = auth.HashPassword("mot de passe factice pour le temps constant")

// ActorForSession returns who holds a session token, and its CSRF token.
func (s *Service) ActorForSession(ctx context.Context, token string) (*auth.Actor, string, error) {
	u, csrf, err := s.store.Session(ctx, token)
	if err != nil {
		return nil, "", err
	}
	a, err := s.store.Actor(ctx, u)
	return a, csrf, err
}

// ActorForToken returns who holds a personal access token.
func (s *Service) ActorForToken(ctx context.Context, token string) (*auth.Actor, error) {
	u, err := s.store.UserByAPIToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.store.Actor(ctx, u)
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, token)
}

// CreateToken creates a personal access token for the actor.
func (s *Service) CreateToken(ctx context.Context, a *auth.Actor, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", &model.ValidationError{Errors: []model.FieldError{{Path: "name", Message: "donnez un nom au jeton (l'outil qui l'utilisera)"}}}
	}
	return s.store.CreateAPIToken(ctx, a.UserID, strings.TrimSpace(name))
}

// EnsureFirstAdmin creates a platform administrator when no account exists
// yet, so that a newcomer can sign in; it returns the password it chose,
// or "" when accounts already existed.
func (s *Service) EnsureFirstAdmin(ctx context.Context, email string) (string, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	password := auth.RandomToken(12)
	if _, err := s.AddUser(ctx, NewUser{Email: email, Name: "Administrateur·rice", Password: password, PlatformAdmin: true}); err != nil {
		return "", err
	}
	return password, nil
}

// ActorByEmail returns the account with that e-mail as the subject of
// permission checks, for the command line.
func (s *Service) ActorByEmail(ctx context.Context, email string) (*auth.Actor, error) {
	u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, err
	}
	return s.store.Actor(ctx, u)
}

// Users lists every account, for a platform administrator.
func (s *Service) Users(ctx context.Context) ([]auth.User, error) {
	return s.store.Users(ctx)
}
