package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdftext"
)

// The consolidated text is read on the service's day, in Paris, and says
// the convention's state on that day.
func TestConventionPDFIsTheTextOfToday(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	// 23:30 UTC on 14 March is already 15 March in Paris.
	svc.SetClock(func() time.Time { return time.Date(2025, 3, 14, 23, 30, 0, 0, time.UTC) })
	got, err := svc.ConventionPDF(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftext.Text(t, got)
	for _, want := range []string{"Version consolidée au 15 mars 2025", "échue"} {
		if !strings.Contains(text, want) {
			t.Errorf("le texte consolidé ne dit pas « %s »", want)
		}
	}
	outsider := &auth.Actor{}
	if _, err := svc.ConventionPDF(ctx, outsider, examples.ForcalquierSlug); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("un compte sans accès obtient le texte : %v", err)
	}
}
