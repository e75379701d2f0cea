package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/report"
)

// NotHeldError refuses the minutes of a meeting that was not held: there
// is nothing to record yet. It is a conflict with the meeting's state.
type NotHeldError struct {
	Meeting string
	Status  model.MeetingStatus
}

func (e *NotHeldError) Error() string {
	return fmt.Sprintf("le compte rendu de la réunion « %s » n'est pas encore disponible : la réunion est %s ; il s'établit une fois la réunion tenue (statut « tenue »)",
		e.Meeting, model.MeetingStatusLabels[e.Status])
}

// Unwrap makes errors.Is(err, model.ErrConflict) true.
func (e *NotHeldError) Unwrap() error { return model.ErrConflict }

// ConvocationPDF writes the convocation of a meeting the actor may read.
func (s *Service) ConvocationPDF(ctx context.Context, a *auth.Actor, slug, id string) ([]byte, error) {
	c, m, opts, err := s.meetingDocument(ctx, a, slug, id)
	if err != nil {
		return nil, err
	}
	return report.ConvocationPDF(c, m, opts)
}

// MinutesPDF writes the minutes of a held meeting the actor may read,
// with who last wrote them; a meeting not held refuses with *NotHeldError.
func (s *Service) MinutesPDF(ctx context.Context, a *auth.Actor, slug, id string) ([]byte, error) {
	c, m, opts, err := s.meetingDocument(ctx, a, slug, id)
	if err != nil {
		return nil, err
	}
	if m.Status != model.MeetingHeld {
		return nil, &NotHeldError{Meeting: MeetingLabel(c, m), Status: m.Status}
	}
	entries, err := s.store.History(ctx, slug, []string{m.ID}, 200)
	if err != nil {
		return nil, err
	}
	// The newest change of the minutes' text names who wrote them.
	for _, e := range entries {
		if e.After["compte rendu"] != "" && e.After["compte rendu"] != e.Before["compte rendu"] {
			// A document every member reads names its author, not their address.
			by := e.Actor
			if i := strings.LastIndex(by, " <"); i > 0 && strings.HasSuffix(by, ">") {
				by = by[:i]
			}
			opts.MinutesBy, opts.MinutesAt = by, e.At
			break
		}
	}
	return report.MinutesPDF(c, m, opts)
}

func (s *Service) meetingDocument(ctx context.Context, a *auth.Actor, slug, id string) (*model.Convention, *model.Meeting, report.MeetingOptions, error) {
	c, m, err := s.Meeting(ctx, a, slug, id)
	if err != nil {
		return nil, nil, report.MeetingOptions{}, err
	}
	amendments, err := s.store.Amendments(ctx, slug)
	if err != nil {
		return nil, nil, report.MeetingOptions{}, err
	}
	return c, m, report.MeetingOptions{Amendments: amendments, Generated: s.now()}, nil
}
