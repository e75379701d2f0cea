package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Life is a convention's life on a day: its state, the events of its
// timeline in order, its acts, and the defaults of the renewal form.
type Life struct {
	Convention *model.Convention
	State      lifecycle.Standing
	Events     []lifecycle.Event
	// CanRecord is set when the actor may record a renewal or a termination.
	CanRecord bool
	// Next is the successor proposed by default when the renewal is not
	// decided yet.
	NextSlug, NextTitle string
	NextPeriod          model.Period
}

// timelineSources each give events of a convention's life on a day; the
// timeline is their union, in order of time. A new kind of act (an
// avenant…) adds its events with one function here.
var timelineSources = []func(c *model.Convention, today model.Date) []lifecycle.Event{
	textEvents, planEvents, periodEvents, actEvents,
}

// Life assembles the life of a convention the actor may read as of day
// today.
func (s *Service) Life(ctx context.Context, a *auth.Actor, slug string, today model.Date) (*Life, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	l := &Life{Convention: c, State: lifecycle.Of(c).StandingOn(today), Events: Timeline(c, today), CanRecord: CanRecordActs(a, slug)}
	if _, _, ok := model.WorkingCopyOf(slug); !ok {
		list, err := s.store.Amendments(ctx, slug)
		if err != nil {
			return nil, err
		}
		datedDelivery(l.Events, list)
		l.Events = append(l.Events, amendmentEvents(slug, list, today)...)
		lifecycle.SortEvents(l.Events)
	}
	l.NextSlug, l.NextTitle, l.NextPeriod = lifecycle.DefaultSuccessor(c)
	return l, nil
}

// Timeline lists the events of c's life in order, each with its state on
// day today.
func Timeline(c *model.Convention, today model.Date) []lifecycle.Event {
	var out []lifecycle.Event
	for _, source := range timelineSources {
		out = append(out, source(c, today)...)
	}
	lifecycle.SortEvents(out)
	return out
}

func dated(d model.Date, today model.Date, label, detail, link string) lifecycle.Event {
	return lifecycle.Event{Date: d, Dated: true, Label: label, Detail: detail, State: lifecycle.StateOf(d, today), Link: link}
}

// textEvents: the convention recorded, each party's deliberation, the
// signature, the prefecture's acknowledgements.
func textEvents(c *model.Convention, today model.Date) []lifecycle.Event {
	base := "/c/" + c.Slug
	var out []lifecycle.Event
	// The draft's creation belongs to the convention's life when it was
	// drafted in ctg, not when a convention signed elsewhere was imported.
	if created := model.DateOf(c.CreatedAt.In(textutil.Paris)); !c.CreatedAt.IsZero() && !created.After(today) &&
		(c.Signature.Date == nil || !created.After(*c.Signature.Date)) {
		label := "Projet créé dans ctg"
		if c.Acts.Predecessor != "" {
			label = "Projet créé par le renouvellement de la convention « " + c.Acts.Predecessor + " »"
		}
		out = append(out, dated(created, today, label, "", ""))
	}
	// Undated deliberations stand before the signature, or the period:
	// missing once that day is past, to come before.
	undatedAt := c.Period.Start
	if c.Signature.Date != nil {
		undatedAt = *c.Signature.Date
	}
	undated := lifecycle.EventMissing
	if undatedAt.After(today) {
		undated = lifecycle.EventUpcoming
	}
	for _, p := range c.Parties {
		name := orgOf(c, p.Organization).Name
		a := p.Authorization
		switch {
		case a == nil:
			out = append(out, lifecycle.Event{Date: undatedAt, Label: "Délibération de " + name, Detail: "aucune autorisation de signer enregistrée",
				State: undated, Link: base})
		case a.Date == nil:
			detail := a.Body
			if a.DateAsWritten != "" {
				detail += " (« " + a.DateAsWritten + " » dans le texte)"
			}
			out = append(out, lifecycle.Event{Date: undatedAt, Label: "Délibération de " + name, Detail: detail, State: undated, Link: base})
		default:
			detail := a.Body
			if a.Reference != "" {
				detail += ", " + a.Reference
			}
			out = append(out, dated(*a.Date, today, "Délibération de "+name, detail, base))
		}
	}
	if d := c.Signature.Date; d != nil {
		place := ""
		if c.Signature.Place != "" {
			place = "à " + c.Signature.Place
		}
		out = append(out, dated(*d, today, "Signature", place, base+"/texte"))
	} else {
		out = append(out, lifecycle.Event{Date: c.Period.Start, Label: "Signature", Detail: "aucune date de signature enregistrée", State: undated})
	}
	for _, t := range c.Transmissions {
		detail := t.Identifier
		if t.Organization != "" {
			detail = orgOf(c, t.Organization).Name + " · " + detail
		}
		if t.ReceivedOn != nil {
			out = append(out, dated(*t.ReceivedOn, today, "Accusé de réception en préfecture", detail, ""))
		} else {
			out = append(out, lifecycle.Event{Date: undatedAt, Label: "Accusé de réception en préfecture", Detail: detail, State: lifecycle.EventMissing})
		}
	}
	return out
}

// planEvents: the fiches promised by avenant for a date.
func planEvents(c *model.Convention, today model.Date) []lifecycle.Event {
	var out []lifecycle.Event
	for _, a := range c.Axes {
		if a.FichesDueBy == nil {
			continue
		}
		e := dated(*a.FichesDueBy, today, fmt.Sprintf("Fiches de l'axe %d attendues par avenant au plus tard le %s", a.Number, textutil.FrenchDate(*a.FichesDueBy)),
			a.Title, fmt.Sprintf("/c/%s/plan?axe=%d", c.Slug, a.Number))
		e.Kind, e.Key = lifecycle.KindFiches, fmt.Sprintf("axis-%d", a.Number)
		switch {
		case len(a.Fiches) > 0:
			e.Label += " — enregistrées"
			e.State = lifecycle.EventDone
		case e.State == lifecycle.EventDone:
			e.Label += " — manquantes"
			e.State = lifecycle.EventMissing
		}
		out = append(out, e)
	}
	return out
}

// periodEvents: the start and the end of the period, and, once it is
// over, whether the renewal was decided.
func periodEvents(c *model.Convention, today model.Date) []lifecycle.Event {
	end := dated(c.Period.End, today, "Fin de la période", c.Period.Renewal, "")
	if t := c.Acts.Termination; t != nil && !t.EffectiveOn.After(c.Period.End) {
		end.Label, end.Detail = "Fin de la période prévue", "sans objet : la résiliation met fin à la convention le "+textutil.FrenchDate(t.EffectiveOn)
	}
	start := dated(c.Period.Start, today, "Début de la période", "", "")
	start.Kind, start.Key, end.Kind, end.Key = lifecycle.KindPeriod, "start", lifecycle.KindPeriod, "end"
	out := []lifecycle.Event{start, end}
	f := lifecycle.Of(c)
	if c.Acts.Renewal == nil && f.On(today) == lifecycle.Ended {
		out = append(out, lifecycle.Event{Date: model.DateOf(c.Period.End.Time().AddDate(0, 0, 1)), Dated: true, Label: "Échue, aucun renouvellement décidé",
			Detail: "la convention ne peut être reconduite que par décision expresse (article 10)", State: lifecycle.EventMissing})
	}
	return out
}

// actEvents: the renewal decision, the termination letter, its receipt
// and its effect.
func actEvents(c *model.Convention, today model.Date) []lifecycle.Event {
	var out []lifecycle.Event
	if r := c.Acts.Renewal; r != nil {
		e := dated(r.DecidedOn, today, "Renouvellement décidé : convention suivante « "+r.Successor+" »", r.Acts, "/c/"+r.Successor+"/vie")
		e.Kind, e.Key = lifecycle.KindRenewal, "decided"
		out = append(out, e)
	}
	if t := c.Acts.Termination; t != nil {
		sender := orgOf(c, t.Sender).Name
		detail := t.Mode.Label()
		if t.References != "" {
			detail += " · " + t.References
		}
		letter := dated(t.LetterOn, today, "Lettre de résiliation envoyée par "+sender, detail, "")
		received := dated(t.ReceivedOn, today, "Lettre de résiliation reçue", "", "")
		effect := dated(t.EffectiveOn, today, "Résiliation effective : fin des engagements des parties", "article 12", "")
		letter.Kind, letter.Key = lifecycle.KindTermination, "letter"
		received.Kind, received.Key = lifecycle.KindTermination, "received"
		effect.Kind, effect.Key = lifecycle.KindTermination, "effective"
		out = append(out, letter, received, effect)
	}
	return out
}

// amendmentEvents: each avenant prepared, signed and in force, or
// abandoned; an avenant in preparation is dated by the day it was begun.
func amendmentEvents(slug string, list []model.Amendment, today model.Date) []lifecycle.Event {
	var out []lifecycle.Event
	for _, x := range list {
		name := fmt.Sprintf("Avenant n° %d", x.Number)
		link := fmt.Sprintf("/c/%s/avenants/%d", slug, x.Number)
		switch x.State {
		case model.AmendmentDraft:
			e := dated(model.DateOf(x.CreatedAt.In(textutil.Paris)), today, name+" en préparation", x.Object, link)
			e.State = lifecycle.EventUpcoming
			e.Kind, e.Key = lifecycle.KindAmendment, fmt.Sprintf("%d-draft", x.Number)
			out = append(out, e)
		case model.AmendmentAbandoned:
			e := dated(model.DateOf(x.UpdatedAt.In(textutil.Paris)), today, name+" abandonné", x.Object, link)
			e.Kind, e.Key = lifecycle.KindAmendment, fmt.Sprintf("%d-abandoned", x.Number)
			out = append(out, e)
		case model.AmendmentSigned:
			if x.SignedOn != nil {
				detail := x.Object
				if x.SignaturePlace != "" {
					detail = "à " + x.SignaturePlace + " · " + detail
				}
				e := dated(*x.SignedOn, today, name+" signé", detail, link)
				e.Kind, e.Key = lifecycle.KindAmendment, fmt.Sprintf("%d-signed", x.Number)
				out = append(out, e)
			}
			if x.EffectiveOn != nil {
				e := dated(*x.EffectiveOn, today, name+" en vigueur", x.Object, link)
				e.Kind, e.Key = lifecycle.KindAmendment, fmt.Sprintf("%d-effective", x.Number)
				out = append(out, e)
			}
		}
	}
	return out
}

// datedDelivery completes the events of fiches promised by avenant with
// the day the signed avenant that added them took effect, and says when
// that was after the date promised.
func datedDelivery(events []lifecycle.Event, list []model.Amendment) {
	delivered := map[string]model.Date{}
	for _, x := range list {
		if x.State != model.AmendmentSigned || x.EffectiveOn == nil || len(x.Changes) == 0 {
			continue
		}
		var changes []model.AmendmentChange
		if json.Unmarshal(x.Changes, &changes) != nil {
			continue
		}
		for _, ch := range changes {
			key := fmt.Sprintf("axis-%d", ch.Axis)
			if ch.Kind == "fiche" && ch.Op == "add" && ch.Axis > 0 {
				if d, ok := delivered[key]; !ok || x.EffectiveOn.Before(d) {
					delivered[key] = *x.EffectiveOn
				}
			}
		}
	}
	for i := range events {
		e := &events[i]
		d, ok := delivered[e.Key]
		if e.Kind != lifecycle.KindFiches || !ok || e.State != lifecycle.EventDone {
			continue
		}
		e.Label += " par avenant en vigueur le " + textutil.FrenchDate(d)
		if d.After(e.Date) {
			e.Label += ", après l'échéance"
		}
	}
}
