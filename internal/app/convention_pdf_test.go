package app_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/report"
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
	c, err := svc.Convention(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	want, err := report.ConventionPDF(c, report.ConventionOptions{At: model.MustDate("2025-03-15"), Status: "échue"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("le texte consolidé n'est pas celui du 15 mars 2025, convention échue")
	}
	outsider := &auth.Actor{}
	if _, err := svc.ConventionPDF(ctx, outsider, examples.ForcalquierSlug); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("un compte sans accès obtient le texte : %v", err)
	}
}
