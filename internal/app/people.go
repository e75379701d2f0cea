package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// How long the links passed on to a person stay valid.
const (
	InvitationTTL = 7 * 24 * time.Hour
	ResetTTL      = time.Hour
)

// Link is an invitation or password reset link just created, to pass on
// to the person; its token is shown once and never stored.
type Link struct {
	Purpose   auth.LinkPurpose
	Email     string
	Token     string
	ExpiresAt time.Time
	// Mailed: the link is also sent to the person by e-mail.
	Mailed bool
}

// InviteResult says what an invitation did.
type InviteResult struct {
	Email string
	// Link is the invitation to pass on; nil when the account was active
	// and simply received the role.
	Link *Link
	// NewAccount: the invitation created the account.
	NewAccount bool
	// AwaitingOther: the account waits for an earlier invitation that the
	// actor may not renew (it opens other conventions too).
	AwaitingOther bool
}

// withInvitationMail adds to the history entry of an invitation to a
// convention the e-mail that carries its link, when the site's address is
// known (the link is always shown to pass on as well).
func (s *Service) withInvitationMail(ctx context.Context, a *auth.Actor, c *model.Convention, m auth.Membership, l *Link, entry model.AuditEntry) (model.AuditEntry, error) {
	// The token stays apart from the bodies, and leaves the outbox once sent.
	link := siteURL(ctx, "/invitation", url.Values{"jeton": {model.MailSecretMark}})
	if link == "" {
		return entry, nil
	}
	org := ""
	if m.Organization != "" {
		org = c.OrgName(m.Organization)
	}
	subject, text, html, err := renderMail("invitation", map[string]string{
		"Inviter": a.PublicName(), "Convention": c.Title, "Role": asRole(auth.RoleLabels[m.Role]), "Organization": org,
		"Expires": textutil.FrenchDate(model.DateOf(l.ExpiresAt.In(textutil.Paris))), "URL": link})
	if err != nil {
		return entry, err
	}
	return entry.WithMail(s.outboxMail(Outgoing{Convention: c.Slug, To: l.Email, Subject: subject, Text: text, HTML: html, Secret: l.Token})), nil
}

func validEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email
}

func noAccount(email string) error {
	return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: fmt.Sprintf("aucun compte pour %s", email)}}}
}

// resolveOrganization lets a role name its organization by name or short
// name, as people know it, as well as by key.
func resolveOrganization(c *model.Convention, m *auth.Membership) {
	org := strings.TrimSpace(m.Organization)
	for _, o := range c.Organizations {
		if o.Key == org {
			return
		}
	}
	for _, o := range c.Organizations {
		if org != "" && (strings.EqualFold(o.Name, org) || strings.EqualFold(o.ShortName, org)) {
			m.Organization = o.Key
			return
		}
	}
}

// checkMembership adds to ve what is wrong with a role given in c.
func checkMembership(c *model.Convention, m auth.Membership, ve *model.ValidationError) {
	if !m.Role.Valid() {
		ve.Add("role", "rôle « %s » inconnu (admin, editor, contributor, reader, dpo)", m.Role)
	}
	if m.Organization != "" && !hasOrganization(c, m.Organization) {
		var names []string
		for _, o := range c.Organizations {
			names = append(names, "« "+o.Name+" »")
		}
		ve.Add("organization", "la convention ne compte pas d'organisation « %s » ; ses organisations : %s", m.Organization, strings.Join(names, ", "))
	}
	if m.Role.ForOrganization() && m.Organization == "" {
		ve.Add("organization", "un·e %s agit pour une organisation de la convention : choisissez-la", auth.RoleLabels[m.Role])
	}
}

// membershipChange is how a role appears in the history: the
// organization by key and by name, so that the page shows its name.
func membershipChange(c *model.Convention, m auth.Membership) map[string]string {
	out := map[string]string{"role": string(m.Role), "organization": m.Organization}
	if m.Organization != "" {
		out["organization_name"] = c.OrgName(m.Organization)
	}
	return out
}

// canManageAccount reports whether a may hand out a link that opens
// target's account: only if a already may do all that the account may,
// so that a link never widens anyone's access.
func canManageAccount(a, target *auth.Actor) bool {
	if a.PlatformAdmin {
		return true
	}
	// An account of an organization of the directory may hold a role in
	// all its conventions, those to come included: only the platform's
	// administrators, who attach it, hand out its links.
	if target.PlatformAdmin || target.OrganizationID != "" {
		return false
	}
	for slug := range target.Memberships {
		if !a.CanAdmin(slug) {
			return false
		}
	}
	return true
}

// Invite gives the person with that e-mail a role in a convention the
// actor manages. An active account receives the role at once. Otherwise
// the account is created (or found waiting), disabled until its person
// follows the invitation link returned, valid InvitationTTL, to choose a
// name and a password.
func (s *Service) Invite(ctx context.Context, a *auth.Actor, email string, m auth.Membership) (*InviteResult, error) {
	if !a.CanAdmin(m.Convention) {
		return nil, fmt.Errorf("gérer les membres de %s : %w", m.Convention, model.ErrForbidden)
	}
	c, err := s.store.Convention(ctx, m.Convention)
	if err != nil {
		return nil, err
	}
	resolveOrganization(c, &m)
	ve := &model.ValidationError{}
	normalized := normalizeEmail(email)
	if normalized == "" {
		ve.Add("email", "adresse électronique obligatoire")
	} else if !validEmail(normalized) {
		ve.Add("email", "adresse électronique « %s » invalide", email)
	}
	checkMembership(c, m, ve)
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	res := &InviteResult{Email: normalized}
	u, err := s.store.UserByEmail(ctx, normalized)
	if errors.Is(err, model.ErrNotFound) {
		u = &auth.User{Email: normalized, Organization: c.OrgName(m.Organization), Disabled: true, InvitationPending: true}
		if err := s.store.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		if err := s.auditAccount(ctx, a, u, "create", map[string]string{"email": u.Email, "organization": u.Organization,
			"platform_admin": "non", "invitation": "oui"}); err != nil {
			return nil, err
		}
		res.NewAccount = true
	} else if err != nil {
		return nil, err
	}
	if err := s.store.SetMembership(ctx, u.ID, m); err != nil {
		return nil, err
	}
	change := membershipChange(c, m)
	if u.InvitationPending {
		target, err := s.store.Actor(ctx, u)
		if err != nil {
			return nil, err
		}
		pending, err := s.store.PendingAccountLink(ctx, u.ID, auth.LinkInvitation)
		if err != nil {
			return nil, err
		}
		// An invitation sent by someone else (another convention, the
		// platform) stays the one that opens the account.
		theirs := pending != nil && pending.Convention != m.Convention && s.now().Before(pending.ExpiresAt)
		if canManageAccount(a, target) && !theirs {
			res.Link, err = s.newLink(ctx, u, auth.LinkInvitation, m.Convention)
			if err != nil {
				return nil, err
			}
			change["expires_at"] = res.Link.ExpiresAt.Format(time.RFC3339)
			entry := audited(a, m.Convention, "invite", "membership", u.ID, "Accès de "+u.Email).WithChange(nil, change)
			if entry, err = s.withInvitationMail(ctx, a, c, m, res.Link, entry); err != nil {
				return nil, err
			}
			res.Link.Mailed = len(entry.Mail) > 0 && s.MailConfigured()
			if err := s.store.AppendAudit(ctx, entry); err != nil {
				return nil, err
			}
			s.mailQueued()
			return res, nil
		}
		res.AwaitingOther = true
	}
	return res, s.store.AppendAudit(ctx, audited(a, m.Convention, "grant", "membership", u.ID, "Accès de "+u.Email).WithChange(nil, change))
}

func (s *Service) newLink(ctx context.Context, u *auth.User, purpose auth.LinkPurpose, slug string) (*Link, error) {
	ttl := ResetTTL
	if purpose == auth.LinkInvitation {
		ttl = InvitationTTL
	}
	expires := s.now().UTC().Add(ttl).Truncate(time.Second)
	token, err := s.store.CreateAccountLink(ctx, u.ID, purpose, slug, expires)
	if err != nil {
		return nil, err
	}
	return &Link{Purpose: purpose, Email: u.Email, Token: token, ExpiresAt: expires}, nil
}

// NewAccount describes an account a platform administrator creates.
type NewAccount struct {
	Email, Organization string
	PlatformAdmin       bool
	// Directory names the account's organization in the directory (name,
	// SIREN, INSEE code or id; none when empty), and OrganizationRole its
	// role in every convention that organization is party to.
	Directory        string
	OrganizationRole auth.Role
}

// CreateAccount creates an account, for a platform administrator: it is
// disabled until its person follows the invitation link returned to
// choose a name and a password.
func (s *Service) CreateAccount(ctx context.Context, a *auth.Actor, in NewAccount) (*Link, error) {
	if a == nil || !a.PlatformAdmin {
		return nil, fmt.Errorf("créer un compte : %w", model.ErrForbidden)
	}
	email := normalizeEmail(in.Email)
	ve := &model.ValidationError{}
	if email == "" {
		ve.Add("email", "adresse électronique obligatoire")
	} else if !validEmail(email) {
		ve.Add("email", "adresse électronique « %s » invalide", in.Email)
	} else if _, err := s.store.UserByEmail(ctx, email); err == nil {
		ve.Add("email", "un compte existe déjà pour %s", email)
	} else if !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	var org *model.DirectoryEntry
	if in.OrganizationRole != "" && !in.OrganizationRole.Valid() {
		ve.Add("organization_role", "rôle : « %s » n'est pas un rôle", in.OrganizationRole)
	}
	if strings.TrimSpace(in.Directory) != "" {
		var err error
		var found *model.ValidationError
		if org, err = s.FindDirectoryEntry(ctx, in.Directory); errors.As(err, &found) {
			ve.Errors = append(ve.Errors, model.FieldError{Path: "directory", Message: found.Errors[0].Message})
		} else if err != nil {
			return nil, err
		}
	} else if in.OrganizationRole != "" {
		ve.Add("directory", "organisation de l'annuaire : un rôle dans les conventions d'une organisation demande l'organisation")
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	u := &auth.User{Email: email, Organization: strings.TrimSpace(in.Organization), PlatformAdmin: in.PlatformAdmin,
		Disabled: true, InvitationPending: true}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	if org != nil {
		if err := s.store.SetUserOrganization(ctx, u.ID, org.ID, in.OrganizationRole, audited(a, "", "set_organization", "user", u.ID, "Compte de "+u.Email).
			WithChange(nil, map[string]string{"organization": org.Name, "organization_role": string(in.OrganizationRole)})); err != nil {
			return nil, err
		}
		u.Organization = org.Name
	}
	admin := "non"
	if u.PlatformAdmin {
		admin = "oui"
	}
	if err := s.auditAccount(ctx, a, u, "create", map[string]string{"email": u.Email, "organization": u.Organization,
		"platform_admin": admin, "invitation": "oui"}); err != nil {
		return nil, err
	}
	l, err := s.newLink(ctx, u, auth.LinkInvitation, "")
	if err != nil {
		return nil, err
	}
	return l, s.auditAccount(ctx, a, u, "invite", map[string]string{"expires_at": l.ExpiresAt.Format(time.RFC3339)})
}

// NewLink creates the link that opens an account again: a password reset
// link, valid ResetTTL, or, for an account still waiting for its
// invitation, a new invitation link (the former one stops working). A
// platform administrator may do it for any account (slug empty); a
// convention's administrator for a member of that convention (slug),
// provided the account opens nothing the administrator could not open.
func (s *Service) NewLink(ctx context.Context, a *auth.Actor, email, slug string) (*Link, error) {
	if a == nil || (slug == "" && !a.PlatformAdmin) || (slug != "" && !a.CanAdmin(slug)) {
		return nil, fmt.Errorf("créer un lien pour un compte : %w", model.ErrForbidden)
	}
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, model.ErrNotFound) {
		return nil, noAccount(email)
	}
	if err != nil {
		return nil, err
	}
	target, err := s.store.Actor(ctx, u)
	if err != nil {
		return nil, err
	}
	refuse := func(msg string) error {
		return &model.ValidationError{Errors: []model.FieldError{{Path: "email", Message: msg}}}
	}
	if _, ok := target.Memberships[slug]; slug != "" && !ok {
		return nil, refuse(u.Email + " n'a pas d'accès à cette convention")
	}
	if !canManageAccount(a, target) {
		return nil, refuse("le compte de " + u.Email + " ouvre aussi d'autres conventions, la plateforme, ou appartient à une organisation de l'annuaire : seul·e un·e administrateur·rice de la plateforme peut lui créer un lien")
	}
	purpose, action := auth.LinkReset, "reset_link"
	if u.InvitationPending {
		purpose, action = auth.LinkInvitation, "invite"
	} else if !a.PlatformAdmin {
		// An active account is its person's: a convention's administrator
		// cannot choose its password.
		return nil, refuse("le compte de " + u.Email + " est actif : seul·e un·e administrateur·rice de la plateforme peut créer un lien de réinitialisation du mot de passe")
	} else if u.Disabled {
		return nil, refuse("le compte de " + u.Email + " est désactivé : un·e administrateur·rice de la plateforme doit d'abord le réactiver")
	}
	l, err := s.newLink(ctx, u, purpose, slug)
	if err != nil {
		return nil, err
	}
	entry := audited(a, slug, action, "user", u.ID, "Compte de "+u.Email).
		WithChange(nil, map[string]string{"expires_at": l.ExpiresAt.Format(time.RFC3339)})
	if purpose == auth.LinkInvitation && slug != "" {
		// A renewed invitation to a convention goes by e-mail too.
		c, err := s.store.Convention(ctx, slug)
		if err != nil {
			return nil, err
		}
		if entry, err = s.withInvitationMail(ctx, a, c, target.Memberships[slug], l, entry); err != nil {
			return nil, err
		}
		l.Mailed = len(entry.Mail) > 0 && s.MailConfigured()
	}
	if err := s.store.AppendAudit(ctx, entry); err != nil {
		return nil, err
	}
	s.mailQueued()
	return l, nil
}

// LinkError refuses a link that cannot be used, with what to do.
type LinkError struct {
	// Gone: the link existed but expired or served already.
	Gone    bool
	Message string
}

func (e *LinkError) Error() string { return e.Message }

// LinkInfo is what the page of a link shows before it is used.
type LinkInfo struct {
	Purpose   auth.LinkPurpose
	Email     string
	Name      string
	ExpiresAt time.Time
	// ConventionTitle names the convention of an invitation, if any.
	ConventionTitle string
}

// link returns a link of that purpose that may be used now, with its
// account, or a LinkError saying why not.
func (s *Service) link(ctx context.Context, token string, purpose auth.LinkPurpose) (*auth.AccountLink, *auth.User, error) {
	what, again := "Ce lien d'invitation", "demandez une nouvelle invitation à la personne qui vous a transmis celle-ci"
	if purpose == auth.LinkReset {
		what, again = "Ce lien de réinitialisation du mot de passe", "demandez-en un nouveau à la personne qui vous l'a transmis"
	}
	l, u, err := s.store.AccountLink(ctx, token)
	if errors.Is(err, model.ErrNotFound) || (err == nil && l.Purpose != purpose) {
		return nil, nil, &LinkError{Message: what + " n'est pas valable : vérifiez qu'il a été copié en entier. Un lien remplacé par un plus récent, ou d'un compte désactivé, ne fonctionne plus : " + again + "."}
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case l.UsedAt != nil && purpose == auth.LinkInvitation:
		return nil, nil, &LinkError{Gone: true, Message: what + " a déjà servi : il ne fonctionne qu'une fois. Connectez-vous avec votre adresse et le mot de passe choisi."}
	case l.UsedAt != nil:
		return nil, nil, &LinkError{Gone: true, Message: what + " a déjà servi : il ne fonctionne qu'une fois. Connectez-vous avec votre nouveau mot de passe, ou " + again + "."}
	case !s.now().Before(l.ExpiresAt):
		valid := "une heure"
		if purpose == auth.LinkInvitation {
			valid = "7 jours"
		}
		return nil, nil, &LinkError{Gone: true, Message: what + " a expiré (il était valable " + valid + ") : " + again + "."}
	case u.Disabled && !u.InvitationPending:
		return nil, nil, &LinkError{Gone: true, Message: "Ce compte est désactivé : adressez-vous à un·e administrateur·rice de la plateforme."}
	}
	// A link handed out by a convention's administrator opens an account
	// that opens nothing else: if the account was given other accesses
	// since, the link no longer serves, lest it open them too.
	if l.Convention != "" {
		target, err := s.store.Actor(ctx, u)
		if err != nil {
			return nil, nil, err
		}
		others := target.PlatformAdmin || target.OrganizationID != ""
		for slug := range target.Memberships {
			others = others || slug != l.Convention
		}
		if others {
			{
				return nil, nil, &LinkError{Gone: true, Message: what + " ne vaut plus : le compte a reçu depuis d'autres accès. Un·e administrateur·rice de la plateforme peut en créer un nouveau."}
			}
		}
	}
	return l, u, nil
}

// OpenLink checks a link before its page is shown.
func (s *Service) OpenLink(ctx context.Context, token string, purpose auth.LinkPurpose) (*LinkInfo, error) {
	l, u, err := s.link(ctx, token, purpose)
	if err != nil {
		return nil, err
	}
	info := &LinkInfo{Purpose: purpose, Email: u.Email, Name: u.Name, ExpiresAt: l.ExpiresAt}
	if l.Convention != "" {
		if c, err := s.store.Convention(ctx, l.Convention); err == nil {
			info.ConventionTitle = c.Title
		}
	}
	return info, nil
}

// LinkUseInput is what a person types on the page of a link.
type LinkUseInput struct {
	Token, Name, Password, Confirm string
}

// UseLink uses an invitation link (the person chooses their name and
// password, and the account becomes active) or a reset link (a new
// password), once; every session of the account ends and a new one is
// opened. It returns the session and CSRF tokens. Errors name the field:
// name, password, confirm; a LinkError when the link cannot serve.
func (s *Service) UseLink(ctx context.Context, purpose auth.LinkPurpose, in LinkUseInput) (token, csrf string, err error) {
	l, u, err := s.link(ctx, in.Token, purpose)
	if err != nil {
		return "", "", err
	}
	name := strings.Join(strings.Fields(in.Name), " ")
	ve := &model.ValidationError{}
	if purpose == auth.LinkInvitation && name == "" {
		ve.Add("name", "indiquez votre nom, tel que les autres membres le verront")
	} else if utf8.RuneCountInString(name) > 100 {
		ve.Add("name", "nom trop long : 100 caractères au plus")
	}
	if purpose == auth.LinkReset {
		name = ""
	}
	if err := auth.CheckPasswordStrength(in.Password, u.Email, cmp.Or(name, u.Name)); err != nil {
		ve.Add("password", "%s", err.Error())
	} else if in.Password != in.Confirm {
		ve.Add("confirm", "les deux saisies du mot de passe diffèrent")
	}
	if err := ve.OrNil(); err != nil {
		return "", "", err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return "", "", err
	}
	err = s.store.UseAccountLink(ctx, l.ID, u.ID, store.LinkUse{PasswordHash: hash, Name: name, Activate: purpose == auth.LinkInvitation})
	if errors.Is(err, model.ErrConflict) {
		// Used meanwhile, by a concurrent request.
		_, _, err = s.link(ctx, in.Token, purpose)
		return "", "", err
	}
	if err != nil {
		return "", "", err
	}
	if name != "" {
		u.Name = name
	}
	self := &auth.Actor{UserID: u.ID, Name: u.Name, Email: u.Email}
	action, change := "password_reset", map[string]string(nil)
	if purpose == auth.LinkInvitation {
		action, change = "invitation_accept", map[string]string{"name": name}
	}
	if err := s.auditAccount(ctx, self, u, action, change); err != nil {
		return "", "", err
	}
	return s.store.CreateSession(ctx, u.ID, SessionTTL)
}

// Accounts lists every account, for a platform administrator.
func (s *Service) Accounts(ctx context.Context, a *auth.Actor) ([]auth.User, error) {
	if a == nil || !a.PlatformAdmin {
		return nil, fmt.Errorf("liste des comptes : %w", model.ErrForbidden)
	}
	return s.store.Users(ctx)
}

// Access is one of an account's roles, as the person reads it.
type Access struct {
	Convention, Title string
	Role              auth.Role
	// Organization is the name of the organization the person acts for.
	Organization string
}

// MyAccess lists the actor's roles by convention title, organizations by
// name.
func (s *Service) MyAccess(ctx context.Context, a *auth.Actor) ([]Access, error) {
	if a == nil || len(a.Memberships) == 0 {
		return nil, nil
	}
	all, err := s.store.Conventions(ctx)
	if err != nil {
		return nil, err
	}
	var out []Access
	for _, c := range all {
		m, ok := a.Memberships[c.Slug]
		if !ok {
			continue
		}
		x := Access{Convention: c.Slug, Title: c.Title, Role: m.Role}
		if m.Organization != "" {
			names, err := s.store.OrganizationNames(ctx, c.Slug)
			if err != nil {
				return nil, err
			}
			x.Organization = cmp.Or(names[m.Organization], m.Organization)
		}
		out = append(out, x)
	}
	slices.SortFunc(out, func(x, y Access) int { return strings.Compare(x.Title, y.Title) })
	return out, nil
}

// asRole writes « en tant que » before a role, elided before a vowel:
// « en tant qu'éditeur·rice ».
func asRole(label string) string {
	if strings.ContainsRune("aeéèêiouyAEÉIOUY", []rune(label + " ")[0]) {
		return "en tant qu'" + label
	}
	return "en tant que " + label
}
