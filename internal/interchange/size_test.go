package interchange

import (
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// A file past the bound is refused before it is parsed, with its size
// and the bound; a file of the bound is read.
func TestDecodeRefusesAFileOverItsBound(t *testing.T) {
	data := examples.Forcalquier
	check := func() error { return nil }
	var c model.Convention
	err := decodeUpTo(data, len(data)-1, &c, check)
	var ve *model.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "fichier trop volumineux") {
		t.Fatalf("fichier au-delà de la limite : %v", err)
	}
	if c.Slug != "" {
		t.Error("le fichier refusé a été lu")
	}
	if err := decodeUpTo(data, len(data), &c, check); err != nil || c.Slug == "" {
		t.Fatalf("fichier à la limite refusé : %v", err)
	}
}

// A convention of more than 8 MiB (the former bound) is read: national
// imports pass.
func TestDecodeReadsAFileOverEightMebibytes(t *testing.T) {
	data := append([]byte(string(examples.Forcalquier)), "\n# "+strings.Repeat("x", 9<<20)+"\n"...)
	c, err := Decode(data, territory.MustLoad())
	if err != nil {
		t.Fatalf("fichier de %d octets refusé : %v", len(data), err)
	}
	if c.Slug != examples.ForcalquierSlug {
		t.Errorf("identifiant %q", c.Slug)
	}
}
