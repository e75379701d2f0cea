package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/ctg-territoires/ctg/internal/store"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	if !validEmail(email) {
		ve.Add("email", "adresse électronique « %s » invalide", in.Email)
	}
	if strings.TrimSpace(in.Name) == "" {
		ve.Add("name", "nom obligatoire")
	}
	if err := auth.CheckPasswordStrength(in.Password, email, in.Name); err != nil {
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
	admin := "non"
	if u.PlatformAdmin {
		admin = "oui"
	}
	return u, s.auditAccount(ctx, auth.System, u, "create", map[string]string{"email": u.Email, "name": u.Name,
		"organization": u.Organization, "platform_admin": admin})
}

// auditAccount records a platform-level event about an account (no
// convention). It never carries a password.
func (s *Service) auditAccount(ctx context.Context, a *auth.Actor, u *auth.User, action string, after map[string]string) error {
	return s.store.AppendAudit(ctx, audited(a, "", action, "user", u.ID, "Compte de "+u.Email).WithChange(nil, after))
}

// Grant gives the account with that e-mail a role in a convention, if the
// actor manages that convention. A contributor must act for one of the
// convention's organizations.
func (s *Service) Grant(ctx context.Context, a *auth.Actor, email string, m auth.Membership) error {
	if !a.CanAdmin(m.Convention) {
		return fmt.Errorf("gérer les membres de %s : %w", m.Convention, model.ErrForbidden)
	}
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
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
	resolveOrganization(c, &m)
	ve := &model.ValidationError{}
	checkMembership(c, m, ve)
	if err := ve.OrNil(); err != nil {
		return err
	}
	if err := s.store.SetMembership(ctx, u.ID, m); err != nil {
		return err
	}
	return s.store.AppendAudit(ctx, audited(a, m.Convention, "grant", "membership", u.ID, "Accès de "+u.Email).
		WithChange(nil, membershipChange(c, m)))
}

// RemoveMember takes away the role of the account with that e-mail in a
// convention the actor manages; its sessions and tokens no longer open it.
func (s *Service) RemoveMember(ctx context.Context, a *auth.Actor, email, slug string) error {
	if !a.CanAdmin(slug) {
		return fmt.Errorf("gérer les membres de %s : %w", slug, model.ErrForbidden)
	}
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, model.ErrNotFound) {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("aucun compte pour %s", email)}}}
	}
	if err != nil {
		return err
	}
	member, err := s.store.Actor(ctx, u)
	if err != nil {
		return err
	}
	old, ok := member.Memberships[slug]
	if !ok {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("%s n'a pas d'accès à cette convention", u.Email)}}}
	}
	if old.ViaOrganization {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email",
			Message: fmt.Sprintf("%s tient son accès de son organisation, partie à la convention : un·e administrateur·rice de la plateforme le retire dans l'annuaire des organisations", u.Email)}}}
	}
	if err := s.store.DeleteMembership(ctx, u.ID, slug); err != nil {
		return err
	}
	return s.store.AppendAudit(ctx, audited(a, slug, "revoke", "membership", u.ID, "Accès de "+u.Email).
		WithChange(map[string]string{"role": string(old.Role), "organization": old.Organization}, nil))
}

// Members lists the accounts with a role in a convention the actor may
// read. Only those who manage the convention see the members' e-mail
// addresses; the others see names, roles and organizations.
func (s *Service) Members(ctx context.Context, a *auth.Actor, slug string) ([]auth.Member, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	list, err := s.store.Members(ctx, slug)
	if err != nil || a.CanAdmin(slug) {
		return list, err
	}
	for i := range list {
		list[i].Email = ""
	}
	return list, nil
}

func hasOrganization(c *model.Convention, key string) bool {
	for _, o := range c.Organizations {
		if o.Key == key {
			return true
		}
	}
	return false
}

// ChangePassword sets a new password for the account with that e-mail (an
// administrator's reset, from the command line) and ends every session of
// the account.
func (s *Service) ChangePassword(ctx context.Context, email, password string) error {
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, model.ErrNotFound) {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("aucun compte pour %s", email)}}}
	}
	if err != nil {
		return err
	}
	if err := auth.CheckPasswordStrength(password, u.Email, u.Name); err != nil {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "password", Message: err.Error()}}}
	}
	return s.setPassword(ctx, auth.System, u, password, "")
}

// setPassword stores a new password and ends every session of the account
// but the one of keepSession.
func (s *Service) setPassword(ctx context.Context, a *auth.Actor, u *auth.User, password, keepSession string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := s.store.DeleteSessions(ctx, u.ID, keepSession); err != nil {
		return err
	}
	return s.auditAccount(ctx, a, u, "password", nil)
}

// PasswordChange is a signed-in user's request to change their password.
type PasswordChange struct {
	Current, New, Confirm string
	// Client is the network address of the request, for the limit of
	// failed attempts; KeepSession the session to keep open (the one the
	// change is made from).
	Client, KeepSession string
}

// ChangeOwnPassword changes the actor's password after checking the
// current one (wrong guesses count as failed sign-ins), and ends every
// other session of the account. Errors name the field: current_password,
// new_password, confirm.
func (s *Service) ChangeOwnPassword(ctx context.Context, a *auth.Actor, in PasswordChange) error {
	u, err := s.store.UserByEmail(ctx, a.Email)
	if err != nil {
		return err
	}
	ve := &model.ValidationError{}
	if err := auth.CheckPasswordStrength(in.New, u.Email, u.Name); err != nil {
		ve.Add("new_password", "%s", err.Error())
	} else if in.New != in.Confirm {
		ve.Add("confirm", "les deux saisies du nouveau mot de passe diffèrent")
	}
	_, until, err := s.store.BeginSignIn(ctx, u.Email, in.Client, signInLimits)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return &TooManyAttempts{Until: until}
	}
	if auth.VerifyPassword(u.PasswordHash, in.Current) != nil {
		ve.Add("current_password", "mot de passe actuel incorrect")
	} else if err := s.store.ForgetSignInFailures(ctx, u.Email, in.Client); err != nil {
		return err
	}
	if err := ve.OrNil(); err != nil {
		return err
	}
	return s.setPassword(ctx, a, u, in.New, in.KeepSession)
}

// SetDisabled deactivates (or reactivates) the account with that e-mail; a
// platform administrator's decision. Deactivation ends its sessions and
// its API tokens stop working at once.
func (s *Service) SetDisabled(ctx context.Context, a *auth.Actor, email string, disabled bool) error {
	if a == nil || !a.PlatformAdmin {
		return fmt.Errorf("désactiver un compte : %w", model.ErrForbidden)
	}
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, model.ErrNotFound) {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("aucun compte pour %s", email)}}}
	}
	if err != nil {
		return err
	}
	if disabled && u.ID == a.UserID {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: "vous ne pouvez pas désactiver votre propre compte"}}}
	}
	if err := s.store.SetDisabled(ctx, u.ID, disabled); err != nil {
		return err
	}
	action := "enable"
	if disabled {
		action = "disable"
	}
	return s.auditAccount(ctx, a, u, action, nil)
}

// ErrBusy is returned when too many sign-ins are being checked at once.
var ErrBusy = errors.New("le serveur vérifie déjà beaucoup de connexions : réessayez dans quelques secondes")

// ErrBadCredentials is returned for a wrong e-mail or password, without
// saying which.
var ErrBadCredentials = errors.New("adresse ou mot de passe incorrect")

// TooManyAttempts refuses a sign-in (or a password check) while too many
// recent attempts failed.
type TooManyAttempts struct {
	// Until is when an attempt will be accepted again.
	Until time.Time
}

func (e *TooManyAttempts) Error() string {
	return "trop de tentatives de connexion : réessayez plus tard"
}

// signInLimits bound the failed sign-ins over 15 minutes. Per pair of
// account and client address, 5: one address cannot guess further, and
// cannot lock the person out either, who signs in from another address.
// Per account, 50 from every address together: guessing from many
// addresses stays bounded, and locking someone out takes ten addresses.
// Per client address, 30 whatever the account: one address cannot try a
// password on many accounts, while a whole office behind one address can
// still sign in.
var signInLimits = store.SignInLimits{Window: 15 * time.Minute, PerPair: 5, PerAccount: 50, PerClient: 30}

// maxEmailLength bounds what is kept of a typed e-mail (RFC 5321).
const maxEmailLength = 254

func normalizeEmail(email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > maxEmailLength {
		email = email[:maxEmailLength]
	}
	return email
}

// SignIn checks credentials and opens a session; it returns the session
// and CSRF tokens. client is the network address of the request. The
// attempt is recorded before the password is checked, so that concurrent
// guesses cannot exceed the limits; a success clears the failures of that
// account from that address.
func (s *Service) SignIn(ctx context.Context, email, password, client string) (token, csrf string, err error) {
	// A burst of sign-ins beyond what the server checks at once is told to
	// come back, rather than queued: each check is costly by design.
	select {
	case s.signingIn <- struct{}{}:
		defer func() { <-s.signingIn }()
	default:
		return "", "", ErrBusy
	}
	email = normalizeEmail(email)
	_, until, err := s.store.BeginSignIn(ctx, email, client, signInLimits)
	if err != nil {
		return "", "", err
	}
	if !until.IsZero() {
		return "", "", &TooManyAttempts{Until: until}
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, model.ErrNotFound) {
		// Spend the same time as a real check, so that timing does not
		// reveal which addresses have an account.
		_ = auth.VerifyPassword(dummyHash(), password)
		return "", "", s.signInFailed(ctx, nil, client)
	}
	if err != nil {
		return "", "", err
	}
	if auth.VerifyPassword(u.PasswordHash, password) != nil || u.Disabled {
		return "", "", s.signInFailed(ctx, u, client)
	}
	if err := s.store.ForgetSignInFailures(ctx, email, client); err != nil {
		return "", "", err
	}
	token, csrf, err = s.store.CreateSession(ctx, u.ID, SessionTTL)
	if err != nil {
		return "", "", err
	}
	self := &auth.Actor{UserID: u.ID, Name: u.Name, Email: u.Email}
	return token, csrf, s.store.AppendAudit(ctx, audited(self, "", "sign_in", "user", u.ID, "Compte de "+u.Email).
		WithChange(nil, map[string]string{"client": client}))
}

// signInFailed records a failed sign-in in the audit log (the limits bound
// how many) and returns ErrBadCredentials. The e-mail typed for an unknown
// account is not kept: it may be a password typed in the wrong field.
func (s *Service) signInFailed(ctx context.Context, u *auth.User, client string) error {
	e := audited(&auth.Actor{Name: "visiteur"}, "", "sign_in_failure", "user", "", "Échec de connexion (compte inconnu)").
		WithChange(nil, map[string]string{"client": client})
	if u != nil {
		e.ObjectID, e.ObjectLabel = u.ID, "Échec de connexion au compte de "+u.Email
	}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		return err
	}
	return ErrBadCredentials
}

// dummyHash is computed on the first sign-in with an unknown address, not
// at start: hashing costs a fifth of a second and tens of megabytes, which
// every ctg process (ctg version included) would pay otherwise.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("mot de passe factice pour le temps constant")
	return h
})

// ActorForSession returns who holds a session token, and its CSRF token.
func (s *Service) ActorForSession(ctx context.Context, token string) (*auth.Actor, string, error) {
	u, csrf, err := s.store.Session(ctx, token)
	if err != nil {
		return nil, "", err
	}
	a, err := s.store.Actor(ctx, u)
	return a, csrf, err
}

// ActorForToken returns who holds a valid personal access token.
func (s *Service) ActorForToken(ctx context.Context, token string) (*auth.Actor, error) {
	u, err := s.store.UserByAPIToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.store.Actor(ctx, u)
}

// ActorByEmail returns the account with that e-mail as an actor, for the
// command line's actions on behalf of someone.
func (s *Service) ActorByEmail(ctx context.Context, email string) (*auth.Actor, error) {
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, model.ErrNotFound) {
		return nil, &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("aucun compte pour %s", email)}}}
	}
	if err != nil {
		return nil, err
	}
	return s.store.Actor(ctx, u)
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, token)
}

// TokenTTL is how long a personal access token is valid.
const TokenTTL = 365 * 24 * time.Hour

// CreateToken creates a personal access token for the actor; it returns
// the token, shown once, and when it expires.
func (s *Service) CreateToken(ctx context.Context, a *auth.Actor, name string) (string, time.Time, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", time.Time{}, &model.ValidationError{Errors: []model.FieldError{{Path: "name", Message: "donnez un nom au jeton (l'outil qui l'utilisera)"}}}
	}
	if utf8.RuneCountInString(name) > 100 {
		return "", time.Time{}, &model.ValidationError{Errors: []model.FieldError{{Path: "name", Message: "nom du jeton trop long : 100 caractères au plus"}}}
	}
	expires := s.now().UTC().Add(TokenTTL).Truncate(time.Second)
	id, token, err := s.store.CreateAPIToken(ctx, a.UserID, name, expires)
	if err != nil {
		return "", time.Time{}, err
	}
	return token, expires, s.store.AppendAudit(ctx, audited(a, "", "token_create", "api_token", id, "Jeton « "+name+" » de "+a.Email).
		WithChange(nil, map[string]string{"name": name, "expires_at": expires.Format(time.RFC3339)}))
}

// Tokens lists the personal access tokens of an account: the actor's own,
// or anyone's for a platform administrator.
func (s *Service) Tokens(ctx context.Context, a *auth.Actor, userID string) ([]auth.APIToken, error) {
	if a == nil || (a.UserID != userID && !a.PlatformAdmin) {
		return nil, fmt.Errorf("jetons d'un autre compte : %w", model.ErrForbidden)
	}
	return s.store.APITokens(ctx, userID)
}

// RevokeToken ends a personal access token of an account at once: one of
// the actor's own, or anyone's for a platform administrator.
func (s *Service) RevokeToken(ctx context.Context, a *auth.Actor, userID, tokenID string) error {
	list, err := s.Tokens(ctx, a, userID)
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.ID != tokenID {
			continue
		}
		if err := s.store.DeleteAPIToken(ctx, userID, tokenID); err != nil {
			return err
		}
		return s.store.AppendAudit(ctx, audited(a, "", "token_revoke", "api_token", t.ID, "Jeton « "+t.Name+" »").
			WithChange(map[string]string{"name": t.Name}, nil))
	}
	return fmt.Errorf("jeton %s : %w", tokenID, model.ErrNotFound)
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

// Users lists every account, for a platform administrator.
func (s *Service) Users(ctx context.Context) ([]auth.User, error) {
	return s.store.Users(ctx)
}

// Rename changes the name the actor's account is shown and signs with (in
// the history, on assessments). The name is required, 100 characters at
// most.
func (s *Service) Rename(ctx context.Context, a *auth.Actor, name string) error {
	name = strings.Join(strings.Fields(name), " ")
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return single("name", "nom obligatoire")
	case n > 100:
		return single("name", "nom trop long : 100 caractères au plus")
	}
	if a == nil || a.UserID == "" {
		return fmt.Errorf("changer de nom : %w", model.ErrForbidden)
	}
	if err := s.store.SetName(ctx, a.UserID, name); err != nil {
		return err
	}
	u := &auth.User{ID: a.UserID, Email: a.Email}
	return s.auditAccount(ctx, a, u, "rename", map[string]string{"name": name})
}
