package auth

import (
	"slices"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Role is what a user may do in one convention.
type Role string

// The roles of a convention, from the most to the least powerful.
const (
	// RoleAdmin edits everything and manages the convention's members.
	RoleAdmin Role = "admin"
	// RoleEditor edits everything in the convention.
	RoleEditor Role = "editor"
	// RoleContributor edits only what belongs to their own organization.
	RoleContributor Role = "contributor"
	// RoleReader only reads.
	RoleReader Role = "reader"
	// RoleDPO is the data protection officer of one organization of the
	// convention: they read it like a reader and give their opinion on
	// the personal-data exchange requests addressed to their organization
	// (art. 7).
	RoleDPO Role = "dpo"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleEditor, RoleContributor, RoleReader, RoleDPO}

// RoleLabels gives each role's name in the interface.
var RoleLabels = map[Role]string{
	RoleAdmin:       "administrateur·rice",
	RoleEditor:      "éditeur·rice",
	RoleContributor: "contributeur·rice",
	RoleReader:      "lecteur·rice",
	RoleDPO:         "délégué·e à la protection des données",
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ForOrganization reports whether the role acts for one organization of
// the convention, which it then requires.
func (r Role) ForOrganization() bool { return r == RoleContributor || r == RoleDPO }

// ReadsOnly reports whether the role changes nothing of the convention's
// content: a reader, and a DPO, whose only writes are their opinions.
func (r Role) ReadsOnly() bool { return r == RoleReader || r == RoleDPO }

// Membership gives a user a role in a convention; a contributor or a DPO
// acts for one organization of that convention (its key).
type Membership struct {
	Convention   string `json:"convention"`
	Role         Role   `json:"role"`
	Organization string `json:"organization,omitempty"`
	// ViaOrganization marks a role held through the account's organization
	// of the directory, party to the convention, rather than granted in it.
	ViaOrganization bool `json:"via_organization,omitempty"`
}

// Actor is who performs an action: a signed-in user or an API client.
type Actor struct {
	UserID        string
	Email         string
	Name          string
	PlatformAdmin bool
	Memberships   map[string]Membership
	// OrganizationID is the account's organization in the directory and
	// OrganizationRole its role in that organization's conventions.
	OrganizationID   string
	OrganizationRole Role
	// Organization is the account's organization of the directory, when
	// it belongs to one.
	Organization *model.DirectoryEntry
}

// Label is how the actor appears in the history.
// PublicName is how the actor signs what every member reads (values,
// acknowledged findings): their name, never their e-mail address, which
// only the convention's administrators see.
func (a *Actor) PublicName() string {
	switch {
	case a == nil:
		return "système"
	case a.Name != "":
		return a.Name
	case a.Email != "":
		local, _, _ := strings.Cut(a.Email, "@")
		return local
	}
	return "compte sans nom"
}

func (a *Actor) Label() string {
	if a == nil {
		return "système"
	}
	switch {
	case a.Name != "" && a.Email != "":
		return a.Name + " <" + a.Email + ">"
	case a.Name != "":
		return a.Name
	}
	return a.Email
}

// membership returns the actor's membership of a convention. The working
// copy of an avenant belongs to whoever may edit its convention: its
// administrators and editors keep their role there; nobody else has one.
func (a *Actor) membership(convention string) (Membership, bool) {
	parent, _, ok := model.WorkingCopyOf(convention)
	if !ok {
		m, ok := a.Memberships[convention]
		return m, ok
	}
	m, ok := a.Memberships[parent]
	if !ok || (m.Role != RoleAdmin && m.Role != RoleEditor) {
		return Membership{}, false
	}
	m.Convention = convention
	return m, true
}

// CanRead reports whether the actor may see the convention.
func (a *Actor) CanRead(convention string) bool {
	if a == nil {
		return false
	}
	_, ok := a.membership(convention)
	return a.PlatformAdmin || ok
}

// CanEdit reports whether the actor may change an object of the
// convention that belongs to the given organizations (keys). An object
// with no owner can be changed by editors and admins only.
func (a *Actor) CanEdit(convention string, owners []string) bool {
	if a == nil {
		return false
	}
	if a.PlatformAdmin {
		return true
	}
	m, ok := a.membership(convention)
	if !ok {
		return false
	}
	switch m.Role {
	case RoleAdmin, RoleEditor:
		return true
	case RoleContributor:
		return m.Organization != "" && slices.Contains(owners, m.Organization)
	}
	return false
}

// CanEditSomething reports whether the actor may change anything at all in
// the convention, to decide whether to show edit links.
func (a *Actor) CanEditSomething(convention string) bool {
	if a == nil {
		return false
	}
	m, ok := a.membership(convention)
	return a.PlatformAdmin || (ok && !m.Role.ReadsOnly())
}

// IsDPO reports whether the actor is the data protection officer of the
// organization (by key) in the convention.
func (a *Actor) IsDPO(convention, org string) bool {
	if a == nil || org == "" {
		return false
	}
	m, ok := a.Memberships[convention]
	return ok && m.Role == RoleDPO && m.Organization == org
}

// CanAdmin reports whether the actor may manage the convention's members.
func (a *Actor) CanAdmin(convention string) bool {
	if a == nil {
		return false
	}
	m, ok := a.membership(convention)
	return a.PlatformAdmin || (ok && m.Role == RoleAdmin)
}

// System is the actor of the command line and of automatic tasks: it may
// do anything, and appears as such in the history.
var System = &Actor{Name: "ligne de commande", Email: "système", PlatformAdmin: true}

// User is an account.
type User struct {
	ID           string
	Email        string
	Name         string
	Organization string
	// OrganizationID is the account's organization in the directory, and
	// OrganizationRole the role it holds in every convention that
	// organization is party to (none when empty).
	OrganizationID   string
	OrganizationRole Role
	PasswordHash     string
	PlatformAdmin    bool
	Disabled         bool
	CreatedAt        time.Time
	// InvitationPending marks an account created by invitation whose
	// person has not chosen a password yet (it is disabled until then).
	InvitationPending bool
	// LastSignInAt is the account's last sign-in, when known.
	LastSignInAt *time.Time
}

// Member is an account as listed among a convention's members.
type Member struct {
	Email, Name  string
	Role         Role
	Organization string
	// ViaOrganization: the role comes from the account's organization.
	ViaOrganization bool
	// InvitationPending: the person has not activated their account yet.
	InvitationPending bool
}

// APIToken describes a personal access token, never the token itself.
type APIToken struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
}
