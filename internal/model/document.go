package model

import "time"

// OwnerKind names what a document is attached to.
type OwnerKind string

// The objects of a convention's life that documents are attached to. The
// owner key is the natural key of the object, which survives a re-import:
// empty for the convention itself, the party's organization key for an
// authorization, the avenant number for an amendment, the act's kind
// (termination, renewal) for a lifecycle act.
const (
	OwnerConvention    OwnerKind = "convention"
	OwnerAuthorization OwnerKind = "authorization"
	OwnerAmendment     OwnerKind = "amendment"
	OwnerAct           OwnerKind = "act"
)

// OwnerKinds lists every valid OwnerKind.
var OwnerKinds = []OwnerKind{OwnerConvention, OwnerAuthorization, OwnerAmendment, OwnerAct}

// Label names the kind in French, as a group of documents.
func (k OwnerKind) Label() string {
	switch k {
	case OwnerConvention:
		return "Convention signée et pièces"
	case OwnerAuthorization:
		return "Délibérations (annexe 6)"
	case OwnerAmendment:
		return "Avenants"
	case OwnerAct:
		return "Actes de la vie de la convention"
	}
	return string(k)
}

// Document is a file attached to a convention or to one of the objects of
// its life. Its content is kept apart: listing documents never reads it.
type Document struct {
	ID         string `yaml:"-" json:"id"`
	Convention string `yaml:"-" json:"convention"`
	// OwnerKind names what it is attached to.
	OwnerKind OwnerKind `yaml:"owner_kind" json:"owner_kind"`
	// OwnerKey is the natural key of what it is attached to: empty for the
	// convention, the party's organization key, the avenant's number,
	// termination or renewal.
	OwnerKey string `yaml:"owner_key,omitempty" json:"owner_key"`
	// Name is the file name, sanitised (no path, no control character).
	Name string `yaml:"file_name" json:"file_name"`
	// ContentType is decided from the bytes, never from the name.
	ContentType string `yaml:"content_type" json:"content_type"`
	// Size is the size of the content, in bytes.
	Size int64 `yaml:"size" json:"size"`
	// SHA256 is the hexadecimal SHA-256 checksum of the content.
	SHA256 string `yaml:"sha256" json:"sha256"`
	Title  string `yaml:"title,omitempty" json:"title,omitempty"`
	// UploadedBy names who attached it.
	UploadedBy string `yaml:"uploaded_by" json:"uploaded_by"`
	// UploadedAt is when it was attached (UTC).
	UploadedAt time.Time `yaml:"uploaded_at" json:"uploaded_at"`
}
