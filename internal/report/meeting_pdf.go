package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// MeetingOptions is what a convocation or minutes needs beside the
// convention and the meeting.
type MeetingOptions struct {
	// Amendments name the avenants a decision may concern.
	Amendments []model.Amendment
	// Generated is when the document is written.
	Generated time.Time
	// MinutesBy and MinutesAt say who last wrote the minutes, and when;
	// MinutesBy is empty when nobody did.
	MinutesBy string
	MinutesAt time.Time
}

// meetingWriter draws a convocation or the minutes of a meeting.
type meetingWriter struct {
	*doc
	c         *model.Convention
	m         *model.Meeting
	committee *model.Committee
	opts      MeetingOptions
}

// ConvocationPDF writes the convocation of a committee's meeting: the
// convention, the committee with its co-chairs and secretariat, the day,
// time and place, the members convened and the agenda, numbered.
func ConvocationPDF(c *model.Convention, m *model.Meeting, opts MeetingOptions) ([]byte, error) {
	w := newMeetingWriter(c, m, opts, "Convocation")
	w.header("Convocation")
	w.p.Ln(2)
	w.para(fmt.Sprintf("Les membres du %s sont convoqués à sa réunion du %s.", w.committeeName(), w.when()))
	w.members()
	w.agenda()
	w.generated()
	return output(w.p)
}

// MinutesPDF writes the minutes (compte rendu) of a held meeting: the same
// header, the attendance, the agenda, the written record, each decision
// with what it concerns and its follow-up actions, and who wrote it.
func MinutesPDF(c *model.Convention, m *model.Meeting, opts MeetingOptions) ([]byte, error) {
	w := newMeetingWriter(c, m, opts, "Compte rendu")
	w.header("Compte rendu")
	w.attendance()
	w.agenda()
	if m.Minutes != "" {
		w.heading(2, "Compte rendu des échanges")
		for _, par := range strings.Split(m.Minutes, "\n") {
			if strings.TrimSpace(par) != "" {
				w.para(par)
			}
		}
	}
	w.decisions()
	w.heading(3, "Rédaction")
	if opts.MinutesBy != "" {
		at := opts.MinutesAt.In(textutil.Paris)
		w.para(fmt.Sprintf("Compte rendu rédigé par %s, dernière modification le %s à %s.", opts.MinutesBy,
			FrenchDate(model.DateOf(at)), textutil.FrenchClock(at.Format("15:04"))))
	} else {
		w.para("Aucun texte de compte rendu n'a été rédigé : ce document reprend les présences et les décisions enregistrées.")
	}
	w.generated()
	return output(w.p)
}

func newMeetingWriter(c *model.Convention, m *model.Meeting, opts MeetingOptions, kind string) *meetingWriter {
	w := &meetingWriter{c: c, m: m, opts: opts}
	for i := range c.Committees {
		if c.Committees[i].Key == m.Committee {
			w.committee = &c.Committees[i]
		}
	}
	title := fmt.Sprintf("%s – %s du %s", kind, w.committeeName(), FrenchDate(m.Date))
	p := newPDF(title, opts.Generated, title+" — "+c.Title)
	w.doc = &doc{p: p}
	return w
}

func (w *meetingWriter) committeeName() string {
	if w.committee != nil {
		return w.committee.Name
	}
	return w.m.Committee
}

// when writes the day and, when fixed, the time of the meeting.
func (w *meetingWriter) when() string {
	s := FrenchDate(w.m.Date)
	if w.m.StartTime != "" {
		s += " à " + textutil.FrenchClock(w.m.StartTime)
	}
	return s
}

// header draws the first page's band and title, and the facts of the
// meeting: convention, committee, its chairs and secretariat, day, place.
func (w *meetingWriter) header(kind string) {
	w.coverPage("Convention territoriale globale — "+strings.ToLower(kind), kind+" – "+w.committeeName(), 20, 9)
	w.p.SetTextColor(0, 0, 0)
	w.p.Ln(2)
	facts := [][2]string{{"Convention", w.c.Title}, {"Comité", w.committeeName()}}
	if k := w.committee; k != nil {
		var chairs []string
		for _, o := range k.CoChairs {
			chairs = append(chairs, w.c.OrgName(o))
		}
		if len(chairs) > 0 {
			facts = append(facts, [2]string{map[bool]string{true: "Coprésidence", false: "Présidence"}[len(chairs) > 1], strings.Join(chairs, "\n")})
		}
		if k.Secretariat != "" {
			facts = append(facts, [2]string{"Secrétariat", w.c.OrgName(k.Secretariat)})
		}
	}
	facts = append(facts, [2]string{"Date", w.when()})
	place := w.m.Place
	if place == "" {
		place = "à préciser"
	}
	label := "Lieu"
	if strings.HasPrefix(place, "http://") || strings.HasPrefix(place, "https://") {
		label = "Visioconférence"
	}
	facts = append(facts, [2]string{label, place})
	if kind != "Convocation" {
		facts = append(facts, [2]string{"Statut", "réunion " + model.MeetingStatusLabels[w.m.Status]})
	}
	w.facts(38, facts)
}

// members lists who is convened: each group of the committee's
// composition, its organizations by name and the persons it names.
func (w *meetingWriter) members() {
	w.heading(2, "Membres convoqués")
	if w.committee == nil || len(w.committee.Composition) == 0 {
		w.para("La composition du comité n'est pas décrite dans la convention.")
		return
	}
	w.composition(w.c, *w.committee)
}

func (w *meetingWriter) agenda() {
	w.heading(2, "Ordre du jour")
	if len(w.m.Agenda) == 0 {
		w.para("Aucun point inscrit.")
		return
	}
	for i, l := range w.m.Agenda {
		w.numbered(strconv.Itoa(i+1)+".", l)
	}
	w.p.Ln(1)
}

// numbered writes an item with its number in a hanging column.
func (w *meetingWriter) numbered(n, text string) {
	w.p.SetFont(font, "", 10)
	w.need(float64(len(w.p.SplitText(text, textW-8))) * lineH)
	y := w.p.GetY()
	w.p.SetXY(margin, y)
	w.p.CellFormat(8, lineH, n, "", 0, "R", false, 0, "")
	w.p.SetXY(margin+9, y)
	w.p.MultiCell(textW-9, lineH, text, "", "L", false)
	w.p.Ln(0.8)
}

// attendance draws who came: each member organization of the committee,
// recorded or not, then the guests, with their consultative voice.
func (w *meetingWriter) attendance() {
	w.heading(2, "Présences")
	var members []string
	if w.committee != nil {
		for _, g := range w.committee.Composition {
			for _, o := range g.Organizations {
				if !slices.Contains(members, o) {
					members = append(members, o)
				}
			}
		}
	}
	recorded := map[string]*model.Attendance{}
	for i := range w.m.Attendance {
		if o := w.m.Attendance[i].Organization; o != "" {
			recorded[o] = &w.m.Attendance[i]
			if !slices.Contains(members, o) {
				members = append(members, o)
			}
		}
	}
	rows := [][]string{{"Membre", "Présence", "Personne", "Représenté par"}}
	for _, o := range members {
		row := []string{w.c.OrgName(o), "non renseignée", "", ""}
		if x := recorded[o]; x != nil {
			row[1], row[2], row[3] = model.AttendanceStatusLabels[x.Status], x.Person, x.RepresentedBy
		}
		rows = append(rows, row)
	}
	widths := []float64{60, 28, 46, 46}
	aligns := []string{"L", "L", "L", "L"}
	if len(rows) > 1 {
		w.table(widths, rows, aligns)
	} else {
		w.para("Le comité n'a aucun membre décrit.")
	}
	guests := [][]string{{"Personne invitée", "Présence", "Qualité ou précision", "Représentée par"}}
	for _, x := range w.m.Attendance {
		if x.Organization == "" {
			guests = append(guests, []string{x.Guest, model.AttendanceStatusLabels[x.Status], x.Person, x.RepresentedBy})
		}
	}
	if len(guests) > 1 {
		w.heading(3, "Personnes invitées (voix consultative)")
		w.table(widths, guests, aligns)
	}
}

// decisions writes each decision, what it concerns and its actions.
func (w *meetingWriter) decisions() {
	w.heading(2, "Relevé de décisions")
	if len(w.m.Decisions) == 0 {
		w.para("Aucune décision n'a été enregistrée.")
		return
	}
	for i, d := range w.m.Decisions {
		w.p.SetFont(font, "B", 10.5)
		w.need(20)
		w.p.MultiCell(textW, 5.5, fmt.Sprintf("Décision %d", i+1), "", "L", false)
		w.para(d.Text)
		if s := DecisionSubject(w.c, w.opts.Amendments, d); s != "" {
			w.note("Objet : " + s)
		}
		if len(d.Actions) == 0 {
			continue
		}
		rows := [][]string{{"Action de suivi", "Qui", "Échéance", "État"}}
		for _, a := range d.Actions {
			who := a.Person
			if a.Organization != "" {
				who = w.c.OrgName(a.Organization)
				if a.Person != "" {
					who += "\n" + a.Person
				}
			}
			due := "non fixée"
			if a.DueOn != nil {
				due = FrenchDate(*a.DueOn)
			}
			rows = append(rows, []string{a.Text, who, due, model.FollowUpLabels[a.Status]})
		}
		w.table([]float64{78, 52, 32, 18}, rows, []string{"L", "L", "L", "L"})
	}
}

// generated ends the document with the day ctg wrote it.
func (w *meetingWriter) generated() {
	w.p.Ln(2)
	w.note("Document établi par ctg le " + FrenchDate(model.DateOf(w.opts.Generated.In(textutil.Paris))) + " à partir des données de la réunion.")
}

// DecisionSubject names what a decision concerns, by label rather than by
// key: "Fiche 2.2 – Mettre en œuvre…", "Étape 1 de la fiche 2.2 – …",
// "Indicateur 2.2-1 – …", "Avenant n° 1 – objet"; "" when it names nothing.
func DecisionSubject(c *model.Convention, amendments []model.Amendment, d model.Decision) string {
	fiche := func(code string) *model.Fiche {
		for i := range c.Axes {
			for j := range c.Axes[i].Fiches {
				if c.Axes[i].Fiches[j].Code == code {
					return &c.Axes[i].Fiches[j]
				}
			}
		}
		return nil
	}
	switch d.ObjectKind {
	case model.DecisionOnFiche:
		if f := fiche(d.ObjectKey); f != nil {
			return "fiche " + f.Code + " – " + f.Title
		}
	case model.DecisionOnStep:
		code, n, _ := strings.Cut(d.ObjectKey, "/")
		k, _ := strconv.Atoi(n)
		if f := fiche(code); f != nil && k >= 1 && k <= len(f.Steps) {
			return fmt.Sprintf("étape %d de la fiche %s – %s", k, f.Code, shorten(f.Steps[k-1].Text, 140))
		}
	case model.DecisionOnIndicator:
		if ind, ok := indicators.ByCode(indicators.Catalogue(c))[d.ObjectKey]; ok {
			return "cible de l'indicateur " + d.ObjectKey + " – " + ind.Label
		}
	case model.DecisionOnAmendment:
		for _, x := range amendments {
			if strconv.Itoa(x.Number) == d.ObjectKey {
				return fmt.Sprintf("avenant n° %d – %s (%s)", x.Number, x.Object, x.State.Label())
			}
		}
	}
	return d.ObjectLabel()
}

// shorten cuts a long text at a word, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
