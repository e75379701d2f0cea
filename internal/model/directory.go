package model

// DirectoryEntry is an organization of the platform's directory: the
// same Caf, MSA, intercommunality or commune across every convention it
// is party to. It is identified by its SIREN where one is known, else by
// its INSEE code (communes), else by its kind and name.
type DirectoryEntry struct {
	ID        string           `json:"id"`
	Kind      OrganizationKind `json:"kind"`
	Name      string           `json:"name"`
	ShortName string           `json:"short_name,omitempty"`
	SIREN     string           `json:"siren,omitempty"`
	INSEE     string           `json:"insee,omitempty"`
	// Parties lists the conventions (slugs) it is party to, and Named
	// those that only name it (a committee member, an operator).
	Parties []string `json:"parties"`
	Named   []string `json:"named,omitempty"`
	// Accounts counts the accounts that belong to it.
	Accounts int `json:"accounts"`
}

// PartyLink is an organization of the directory as one convention names it.
type PartyLink struct {
	Convention string
	// Key is the organization's key in that convention.
	Key string
}
