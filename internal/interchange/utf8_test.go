package interchange

import (
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func TestInvalidTextIsRefusedWithItsLine(t *testing.T) {
	ref := territory.MustLoad()
	src := string(examples.Forcalquier)
	cases := map[string]struct {
		data string
		line int
		path string
	}{
		// A file saved in Windows-1252 rather than UTF-8: "Caf\xe9".
		"octets invalides": {strings.Replace(src, "\ntitle: ", "\ntitle: Caf\xe9 ", 1), 4, ""},
		"caractère NUL":    {strings.Replace(src, "\ntitle: ", "\ntitle: Caf\x00 ", 1), 4, ""},
		"NUL échappé":      {strings.Replace(src, "\ntitle: ", "\ntitle: \"Caf\\0\"\n# ", 1), 4, "title"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Decode([]byte(c.data), ref)
			var ve *model.ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) != 1 {
				t.Fatalf("erreur = %v", err)
			}
			fe := ve.Errors[0]
			if fe.Line != c.line || fe.Path != c.path || !strings.Contains(fe.Message, "UTF-8") {
				t.Errorf("erreur = %+v", fe)
			}
		})
	}
}
