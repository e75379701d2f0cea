package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
)

// An import writes its rows in batches (multi-row INSERTs, COPY on
// PostgreSQL): whatever the number of rows against the batch's size —
// none, one batch less one, exactly one, one more, two and one — the
// convention read back is the one imported, and the number of rows is
// that of the records.
func TestImportBatchesKeepEveryRow(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		k, _ := kindNamed("equipment")
		cols := len(strings.Split("convention_id, position, "+k.selectList(""), ", "))
		type setting struct {
			name              string
			maxVars, copyRows int
		}
		settings := []setting{{"INSERT de 3 lignes", 3 * cols, 1 << 30}}
		if s.d.numbered {
			settings = append(settings, setting{"COPY dès 4 lignes", 3 * cols, 4})
		}
		for _, set := range settings {
			s.maxVars, s.copyRows = set.maxVars, set.copyRows
			per := s.rowsPerInsert(cols)
			if per != 3 {
				t.Fatalf("%d lignes par INSERT, 3 attendues", per)
			}
			for _, n := range []int{0, per - 1, per, per + 1, 2*per + 1} {
				t.Run(fmt.Sprintf("%s, %d équipements", set.name, n), func(t *testing.T) {
					in := forcalquier(t)
					base := in.Equipments[0]
					in.Equipments = nil
					for i := range n {
						e := base
						e.Name = fmt.Sprintf("Équipement %d", i)
						e.Places = i
						in.Equipments = append(in.Equipments, e)
					}
					if n == 0 {
						in.Contacts = nil
					}
					if _, err := s.ImportConvention(ctx, in, nil, true, model.AuditEntry{Action: "import"}); err != nil {
						t.Fatal(err)
					}
					got, err := s.Convention(ctx, in.Slug)
					if err != nil {
						t.Fatal(err)
					}
					want, _ := interchange.Encode(in)
					have, _ := interchange.Encode(got)
					if !bytes.Equal(want, have) {
						t.Fatalf("la convention relue diffère de l'importée :\n%s", firstDiff(string(want), string(have)))
					}
					counts, err := s.Count(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if counts["equipments"] != n || counts["contacts"] != len(in.Contacts) || counts["findings"] != len(in.Diagnostic.Findings) {
						t.Errorf("%d équipements, %d contacts, %d constats enregistrés ; %d, %d, %d attendus", counts["equipments"], counts["contacts"],
							counts["findings"], n, len(in.Contacts), len(in.Diagnostic.Findings))
					}
				})
			}
		}
	})
}
