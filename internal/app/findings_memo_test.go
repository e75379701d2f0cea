package app_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// The findings shown again without change are the same; a change of the
// convention, or of what is recorded of its life, gives its own.
func TestFindingsFollowEveryChange(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	day := model.MustDate("2024-06-01")
	c, err := svc.Convention(ctx, auth.System, "ctg-forcalquier-2022")
	if err != nil {
		t.Fatal(err)
	}
	first, err := svc.Findings(ctx, c, day)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := svc.Findings(ctx, c, day)
	if !reflect.DeepEqual(first, again) {
		t.Fatal("les mêmes constats diffèrent d'une lecture à l'autre")
	}
	// A representative's name emptied: one more finding.
	c.Parties[0].Representatives[0].Name = ""
	changed, _ := svc.Findings(ctx, c, day)
	if len(changed) != len(first)+1 {
		t.Errorf("après le nom vidé : %d constats, %d avant", len(changed), len(first))
	}
	// Another day: the state of the convention and its deadlines change.
	later, _ := svc.Findings(ctx, c, model.MustDate("2026-06-01"))
	if reflect.DeepEqual(later, changed) {
		t.Error("les constats d'un autre jour sont ceux du 1er juin 2024")
	}
	// A finding taken out of the slice returned does not change those kept.
	changed[0].Message = "modifié par l'appelant"
	if kept, _ := svc.Findings(ctx, c, day); kept[0].Message == "modifié par l'appelant" {
		t.Error("les constats gardés sont ceux que l'appelant a modifiés")
	}
}

// BenchmarkFindingsShownAgain computes the findings of the bundled
// convention, then reads them again unchanged, alternately, and prints
// how many times cheaper the second is.
func BenchmarkFindingsShownAgain(b *testing.B) {
	svc := apptest.New(b)
	ctx := context.Background()
	c, err := svc.Convention(ctx, auth.System, "ctg-forcalquier-2022")
	if err != nil {
		b.Fatal(err)
	}
	var computed, kept time.Duration
	b.ResetTimer()
	for i := range b.N {
		// A day not seen yet is computed; the same day again is kept.
		day := model.Date{Year: 2030 + i/365, Month: time.Month(1 + i%12), Day: 1 + i%28}
		start := time.Now()
		if _, err := svc.Findings(ctx, c, day); err != nil {
			b.Fatal(err)
		}
		middle := time.Now()
		if _, err := svc.Findings(ctx, c, day); err != nil {
			b.Fatal(err)
		}
		computed, kept = computed+middle.Sub(start), kept+time.Since(middle)
	}
	ratio := float64(computed) / float64(max(kept, 1))
	b.ReportMetric(ratio, "fois-moins-cher")
	b.Logf("calculés %v, relus %v sur %d tours : %.1f fois moins cher", computed, kept, b.N, ratio)
}
