package lifecycle

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// AddMonths adds n months to d the French way: the same day n months
// later (15 March + 1 month = 15 April), or the last day of that month
// when it is shorter (31 January + 1 month = 28 or 29 February), never
// spilling into the month after as time.AddDate does.
func AddMonths(d model.Date, n int) model.Date {
	first := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return model.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// noticeMonths is the delay art. 12 gives each mode, in months, counted
// from the receipt of the letter.
var noticeMonths = map[model.TerminationMode]int{
	model.TerminationBreach:        1,
	model.TerminationBreachOfLaws:  1,
	model.TerminationWithoutNotice: 0,
	model.TerminationMutualConsent: 6,
}

// EffectiveDate computes when a termination takes effect: one month
// after the formal notice for a breach (of the obligations or of the
// laws), on receipt for a change made without avenant, six months after
// for a denunciation. Art. 12 counts the month "suivant l'envoi" of a
// registered letter with acknowledgement of receipt; ctg counts from the
// receipt, the day the other party knows of it, so that the date shown is
// never earlier than the text allows.
func EffectiveDate(mode model.TerminationMode, received model.Date) model.Date {
	return AddMonths(received, noticeMonths[mode])
}

// CafOnly reports whether art. 12 opens the mode to the Caf alone.
func CafOnly(mode model.TerminationMode) bool {
	return mode == model.TerminationBreachOfLaws || mode == model.TerminationWithoutNotice
}

// SenderRefusal says why a party may not send a termination of that mode,
// naming the mode and the article; "" when it may.
func SenderRefusal(mode model.TerminationMode, sender model.Organization) string {
	if CafOnly(mode) && sender.Kind != model.KindCaf {
		return fmt.Sprintf("l'article 12 réserve la %s à la Caf : %s ne peut pas l'envoyer", mode.Label(), sender.Name)
	}
	return ""
}

// numberRE finds the runs of digits of a slug or a title; those of four
// digits are years.
var numberRE = regexp.MustCompile(`[0-9]+`)

// shiftYears adds shift to every year of text within [first, last]: the
// years of the period ("ctg-forcalquier-2022" → "ctg-forcalquier-2025").
func shiftYears(text string, first, last, shift int) string {
	out := text
	for _, m := range numberRE.FindAllStringIndex(text, -1) {
		y, _ := strconv.Atoi(text[m[0]:m[1]])
		if m[1]-m[0] != 4 || y < first || y > last || y+shift > 9999 {
			continue
		}
		// Four digits for four: offsets stay valid as years are replaced.
		out = out[:m[0]] + strconv.Itoa(y+shift) + out[m[1]:]
	}
	return out
}

// NextPeriod is the period that follows p with the same length: it starts
// the day after p ends and lasts as many whole months (or days, when p is
// not whole months) as p.
func NextPeriod(p model.Period) model.Period {
	start := dayAfter(p.End)
	months := (start.Year-p.Start.Year)*12 + int(start.Month-p.Start.Month)
	if AddMonths(p.Start, months) == start {
		return model.Period{Start: start, End: model.DateOf(AddMonths(start, months).Time().AddDate(0, 0, -1)), Renewal: p.Renewal}
	}
	days := int(p.End.Time().Sub(p.Start.Time()).Hours() / 24)
	return model.Period{Start: start, End: model.DateOf(start.Time().AddDate(0, 0, days)), Renewal: p.Renewal}
}

// DefaultSuccessor proposes the slug, title and period of the convention
// that renews c: the next period of the same length, and the years of
// the slug and the title moved by as much.
func DefaultSuccessor(c *model.Convention) (slug, title string, period model.Period) {
	period = NextPeriod(c.Period)
	shift := period.Start.Year - c.Period.Start.Year
	first, last := c.Period.Start.Year, c.Period.End.Year
	return shiftYears(c.Slug, first, last, shift), shiftYears(c.Title, first, last, shift), period
}

// Successor builds the draft that renews c: its parties and
// representatives, territory, legal bases, articles, annexes, diagnostic,
// plan (steps back to planned, schedules as written), indicator
// catalogue, equipments, committees and contacts, under a new slug, title
// and period. What only c's own life made is left out: the signature, the
// prefecture acknowledgements, and the dates and references of the
// authorizations, since each council must deliberate again.
func Successor(c *model.Convention, slug, title string, period model.Period) *model.Convention {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(c); err != nil {
		panic(err) // the model holds only plain data
	}
	var n model.Convention
	if err := gob.NewDecoder(&buf).Decode(&n); err != nil {
		panic(err)
	}
	n.Meta = model.Meta{}
	n.Slug, n.Title, n.Period, n.Status = slug, title, period, model.StatusDraft
	n.Signature = model.Signature{Copies: c.Signature.Copies}
	n.Transmissions = nil
	n.Acts = model.LifecycleActs{Predecessor: c.Slug}
	for i := range n.Parties {
		if a := n.Parties[i].Authorization; a != nil {
			a.Date, a.DateAsWritten, a.Reference, a.PrefectureAcknowledgement = nil, "", "", ""
		}
	}
	for i := range n.Axes {
		// A promise of fiches dated before the new period belongs to the
		// old one.
		if due := n.Axes[i].FichesDueBy; due != nil && due.Before(period.Start) {
			n.Axes[i].FichesDueBy = nil
		}
		for j := range n.Axes[i].Fiches {
			f := &n.Axes[i].Fiches[j]
			f.Status = model.ActionPlanned
			for k := range f.Steps {
				f.Steps[k].Status = model.ActionPlanned
			}
		}
	}
	return &n
}
