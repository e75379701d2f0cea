package model

import "time"

// OwnerKind names what a document is attached to.
type OwnerKind string

// The objects of a convention's life that documents are attached to. The
// owner key is the natural key of the object, which survives a re-import:
// empty for the convention itself, the party's organization key for an
// authorization, the avenant number for an amendment, the act's id for a
// lifecycle act.
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
	ID         string    `json:"id"`
	Convention string    `json:"convention"`
	OwnerKind  OwnerKind `json:"owner_kind"`
	OwnerKey   string    `json:"owner_key"`
	// Name is the file name, sanitised (no path, no control character).
	Name string `json:"file_name"`
	// ContentType is decided from the bytes, never from the name.
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	// SHA256 is the hexadecimal SHA-256 checksum of the content.
	SHA256 string `json:"sha256"`
	Title  string `json:"title,omitempty"`
	// UploadedBy names who attached it.
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
}
