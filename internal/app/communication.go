package app

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// MaxLogoSize bounds a logo: a logo for print stays far below.
const MaxLogoSize = 2 << 20

// CanChangeLogo reports whether the actor may upload, replace and remove
// an organization's logo: editors and administrators, and a contributor
// for their own organization. An avenant's working copy holds none.
func CanChangeLogo(a *auth.Actor, slug, organization string) bool {
	_, _, workingCopy := model.WorkingCopyOf(slug)
	return !workingCopy && a.CanEdit(slug, []string{organization})
}

// Logos returns a convention the actor may read and its logos, without
// their content.
func (s *Service) Logos(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, []model.Logo, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.store.Logos(ctx, slug)
	return c, list, err
}

// LogoFile returns an organization's logo with its content, for a member
// of the convention; ErrNotFound otherwise.
func (s *Service) LogoFile(ctx context.Context, a *auth.Actor, slug, organization string) (*model.Logo, []byte, error) {
	if !a.CanRead(slug) {
		return nil, nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	return s.store.Logo(ctx, slug, organization)
}

// LogoInput is a logo sent for an organization.
type LogoInput struct {
	Organization string
	// Name is the file name as sent; it is cleaned before it is stored.
	Name string
	// Content is read up to MaxLogoSize, and one byte more to tell that
	// it is larger.
	Content io.Reader
}

// PutLogo stores an organization's logo in place of the one it had, with
// its entry in the history. It refuses, writing nothing, an organization
// that is not the convention's (*model.ValidationError on organization),
// an actor who may not change it (ErrForbidden), a file over MaxLogoSize
// or that SniffLogo refuses (*model.ValidationError on file).
func (s *Service) PutLogo(ctx context.Context, a *auth.Actor, slug string, in LogoInput) (*model.Logo, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	in.Organization = strings.TrimSpace(in.Organization)
	if !hasOrganization(c, in.Organization) {
		return nil, single("organization", "choisissez l'organisation dont c'est le logo")
	}
	if !CanChangeLogo(a, slug, in.Organization) {
		return nil, fmt.Errorf("changer le logo de cette organisation (%s) : %w", c.OrgName(in.Organization), model.ErrForbidden)
	}
	name := document.CleanName(in.Name)
	if in.Content == nil {
		return nil, single("file", "choisissez le fichier du logo")
	}
	data, err := io.ReadAll(io.LimitReader(in.Content, MaxLogoSize+1))
	if err != nil {
		return nil, err
	}
	switch {
	case len(data) > MaxLogoSize:
		return nil, single("file", fmt.Sprintf("« %s » est trop volumineux : %d Mo au plus pour un logo", name, MaxLogoSize>>20))
	case len(data) == 0:
		return nil, single("file", fmt.Sprintf("« %s » est vide", name))
	}
	info, err := document.SniffLogo(data)
	if err != nil {
		return nil, single("file", fmt.Sprintf("« %s » : %s", name, err.Error()))
	}
	sum := sha256.Sum256(data)
	l := &model.Logo{Convention: slug, Organization: in.Organization, Name: name, ContentType: info.ContentType, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), Width: info.Width, Height: info.Height, UploadedBy: a.Label()}
	if a != nil && a.Name != "" {
		l.UploadedBy = a.Name
	}
	entry := audited(a, slug, "attach", "logo", in.Organization, "Logo de "+c.OrgName(in.Organization))
	var before map[string]string
	if old, _, err := s.store.Logo(ctx, slug, in.Organization); err == nil {
		entry.Action, before = "replace", logoAudit(old)
	}
	entry = entry.WithChange(before, logoAudit(l))
	if err := s.store.PutLogo(ctx, l, data, entry); err != nil {
		return nil, err
	}
	return l, nil
}

// RemoveLogo removes an organization's logo, with its entry in the
// history; ErrNotFound when it has none.
func (s *Service) RemoveLogo(ctx context.Context, a *auth.Actor, slug, organization string) error {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return err
	}
	if !CanChangeLogo(a, slug, organization) {
		return fmt.Errorf("retirer le logo de cette organisation (%s) : %w", c.OrgName(organization), model.ErrForbidden)
	}
	old, _, err := s.store.Logo(ctx, slug, organization)
	if err != nil {
		return err
	}
	entry := audited(a, slug, "detach", "logo", organization, "Logo de "+c.OrgName(organization)).WithChange(logoAudit(old), nil)
	return s.store.DeleteLogo(ctx, slug, organization, entry)
}

// logoAudit is what the history keeps of a logo: enough to recognize the
// file without its content.
func logoAudit(l *model.Logo) map[string]string {
	m := map[string]string{"file_name": l.Name, "size": strconv.FormatInt(l.Size, 10), "sha256": l.SHA256, "content_type": l.ContentType}
	if l.Width > 0 {
		m["dimensions"] = fmt.Sprintf("%d × %d", l.Width, l.Height)
	}
	return m
}

// LogoExtension is the file extension of a logo's type.
func LogoExtension(contentType string) string {
	switch contentType {
	case document.PNG:
		return ".png"
	case document.JPEG:
		return ".jpg"
	case document.SVG:
		return ".svg"
	}
	return ".bin"
}

// LogoFileName is the name a logo is sent and archived under: its
// organization's key, made safe, and the extension of its type.
func LogoFileName(l *model.Logo) string {
	return safeFileStem(l.Organization) + LogoExtension(l.ContentType)
}

// safeFileStem keeps the letters, digits and dashes of an organization's
// key, so that an entry of the archive cannot name a path.
func safeFileStem(key string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "logo"
	}
	return textutil.ExcerptAt(b.String(), 0, 0, 60)
}

// WriteLogosZip writes the logos of a convention the actor may read as a
// ZIP archive, one entry per organization named after its key
// ("caf04.png"), in the order of the convention's organizations. It holds
// at most one logo of MaxLogoSize per organization.
func (s *Service) WriteLogosZip(ctx context.Context, a *auth.Actor, slug string, w io.Writer) error {
	c, list, err := s.Logos(ctx, a, slug)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, l := range list {
		have[l.Organization] = true
	}
	zw := zip.NewWriter(w)
	used := map[string]bool{}
	for _, o := range c.Organizations {
		if !have[o.Key] {
			continue
		}
		l, data, err := s.store.Logo(ctx, slug, o.Key)
		if err != nil {
			return err
		}
		name := safeFileStem(o.Key)
		for n := 2; used[name]; n++ {
			name = safeFileStem(o.Key) + "-" + strconv.Itoa(n)
		}
		used[name] = true
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name + LogoExtension(l.ContentType), Method: zip.Deflate, Modified: l.UploadedAt})
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// CommunicationArticle is the convention's own article on communication
// (its title says so), or nil when its text has none.
func CommunicationArticle(c *model.Convention) *model.Article {
	for i := range c.Articles {
		if strings.Contains(strings.ToLower(c.Articles[i].Title), "communication") {
			return &c.Articles[i]
		}
	}
	return nil
}

// CafParty is the key of the party that finances and whose agreement an
// event needs: the party of kind Caf, else the first party whose name
// starts with « Caf »; "" when there is none.
func CafParty(c *model.Convention) string {
	kind := map[string]model.OrganizationKind{}
	for _, o := range c.Organizations {
		kind[o.Key] = o.Kind
	}
	for _, p := range c.Parties {
		if kind[p.Organization] == model.KindCaf {
			return p.Organization
		}
	}
	for _, p := range c.Parties {
		if strings.HasPrefix(strings.ToLower(c.OrgName(p.Organization)), "caf") {
			return p.Organization
		}
	}
	return ""
}

// CanRequestEvent reports whether the actor may declare and change the
// event requests of an organization: editors and administrators, and a
// contributor for their own organization.
func CanRequestEvent(a *auth.Actor, slug, organization string) bool {
	_, _, workingCopy := model.WorkingCopyOf(slug)
	return !workingCopy && a.CanEdit(slug, []string{organization})
}

// CanAnswerEvent reports whether the actor may answer, for the financing
// organization, on an event's date and charter: editors and
// administrators, and a contributor of the financer when the financer is
// not also the organizer (an organizer never approves its own event).
func CanAnswerEvent(a *auth.Actor, slug string, x *model.EventRequest) bool {
	_, _, workingCopy := model.WorkingCopyOf(slug)
	if workingCopy {
		return false
	}
	if x.Financer == x.Organization {
		return CanChooseFinancer(a, slug)
	}
	return a.CanEdit(slug, []string{x.Financer})
}

// CanChooseFinancer reports whether the actor may name or change the
// financer of an event: editors and administrators. An event a
// contributor declares is financed by the Caf party.
func CanChooseFinancer(a *auth.Actor, slug string) bool {
	return a.CanEdit(slug, nil)
}

// LifeMargin is how far, in years, the dates of a convention's meetings,
// actions and events may stray from its period.
const LifeMargin = 10

// LifeWindow is the first and last day a meeting, an action or an event of
// c may fall on: its period widened by LifeMargin years on each side (from
// today when the period is unknown).
func LifeWindow(c *model.Convention, today model.Date) (from, to model.Date) {
	start, end := c.Period.Start, c.Period.End
	if start.IsZero() {
		start = today
	}
	if end.IsZero() || end.Before(start) {
		end = start
	}
	return model.DateOf(start.Time().AddDate(-LifeMargin, 0, 0)), model.DateOf(end.Time().AddDate(LifeMargin, 0, 0))
}

// eventDate reads an event's date into d, refusing on field what is not a
// date or falls outside LifeWindow.
func eventDate(ve *model.ValidationError, c *model.Convention, today model.Date, field, text, missing string) (model.Date, bool) {
	d, err := model.ParseDate(strings.TrimSpace(text))
	if err != nil {
		if strings.TrimSpace(text) == "" && missing != "" {
			ve.Add(field, "%s", missing)
		} else {
			ve.Add(field, "la date « %s » n'est pas une date (AAAA-MM-JJ)", text)
		}
		return d, false
	}
	from, to := LifeWindow(c, today)
	if d.Before(from) || d.After(to) {
		ve.Add(field, "la date du %s est hors de la période admise : entre le %s et le %s (période de la convention, à %d ans près)",
			textutil.FrenchDate(d), textutil.FrenchDate(from), textutil.FrenchDate(to), LifeMargin)
		return d, false
	}
	return d, true
}

// EventRequests returns a convention the actor may read and its event requests.
func (s *Service) EventRequests(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, []model.EventRequest, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.store.EventRequests(ctx, slug)
	return c, list, err
}

// EventRequest returns a convention the actor may read and one of its event requests.
func (s *Service) EventRequest(ctx context.Context, a *auth.Actor, slug, id string) (*model.Convention, *model.EventRequest, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	x, err := s.store.EventRequest(ctx, slug, id)
	return c, x, err
}

// EventRequestInput is an event request as typed or sent.
type EventRequestInput struct {
	Version      int    `json:"version"`
	Organization string `json:"organization"`
	// Financer defaults to CafParty.
	Financer     string `json:"financer"`
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	SubjectKind  string `json:"subject_kind"`
	SubjectKey   string `json:"subject_key"`
	ProposedDate string `json:"proposed_date"`
	Place        string `json:"place"`
}

// EventLabel names an event request in the history and on pages.
func EventLabel(c *model.Convention, x *model.EventRequest) string {
	label := upperFirst(model.PublicEventKindLabels[x.Kind])
	if x.Title != "" {
		label += " « " + x.Title + " »"
	}
	return label + " – " + c.OrgName(x.Organization) + ", " + textutil.FrenchDate(x.ProposedDate)
}

func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// EventSubjectLabel names what an event is about, "" for nothing.
func EventSubjectLabel(x *model.EventRequest) string {
	switch x.SubjectKind {
	case model.SubjectFiche:
		return "Fiche " + x.SubjectKey
	case model.SubjectEquipment:
		return "Équipement « " + x.SubjectKey + " »"
	}
	return ""
}

func eventFields(c *model.Convention, x *model.EventRequest) map[string]string {
	m := map[string]string{"organisation": c.OrgName(x.Organization), "financeur": c.OrgName(x.Financer),
		"type": model.PublicEventKindLabels[x.Kind], "objet": x.Title, "rattachement": EventSubjectLabel(x), "date proposée": x.ProposedDate.String(),
		"lieu": x.Place, "accord sur la date": model.DateAgreementLabels[x.Date], "note sur la date": x.DateNote,
		"charte graphique": model.CharterAgreementLabels[x.Charter], "conditions": x.CharterConditions}
	if x.OtherDate != nil {
		m["autre date"] = x.OtherDate.String()
	}
	return m
}

// SaveEventRequest declares a public event (id empty) or changes one still
// at version. A contributor declares events of their own organization. A
// new proposed date asks the financer again: its answer on the date goes
// back to pending. Refusals are *model.ValidationError naming the field,
// ErrForbidden or ErrStale, and nothing is written then.
func (s *Service) SaveEventRequest(ctx context.Context, a *auth.Actor, slug, id string, in EventRequestInput) (*model.EventRequest, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	// A new request has its id now, for the link of its e-mail.
	x := &model.EventRequest{Meta: model.Meta{ID: model.NewID()}, Convention: slug, Date: model.DatePending, Charter: model.CharterPending}
	var old *model.EventRequest
	if id != "" {
		if old, err = s.store.EventRequest(ctx, slug, id); err != nil {
			return nil, err
		}
		copy := *old
		x = &copy
		// The organizer stays who declared the event.
		in.Organization = old.Organization
	}
	in.Organization = strings.TrimSpace(in.Organization)
	ve := &model.ValidationError{}
	if !hasOrganization(c, in.Organization) {
		ve.Add("organization", "choisissez l'organisation qui organise la manifestation")
		return nil, ve
	}
	if !CanRequestEvent(a, slug, in.Organization) {
		return nil, fmt.Errorf("déclarer une manifestation pour cette organisation (%s) : %w", c.OrgName(in.Organization), model.ErrForbidden)
	}
	if old != nil && old.Version != in.Version {
		return nil, fmt.Errorf("%s a été modifiée entre-temps : %w", EventLabel(c, old), model.ErrStale)
	}
	x.Organization = in.Organization
	// The financer stays, or is the Caf party for a new event, unless an
	// editor names another.
	current := CafParty(c)
	if old != nil {
		current = old.Financer
	}
	x.Financer = strings.TrimSpace(in.Financer)
	switch {
	case x.Financer == "":
		x.Financer = current
	case x.Financer != current && !CanChooseFinancer(a, slug):
		ve.Add("financer", "seuls les éditeurs et les administrateurs choisissent le financeur : laissez ce champ vide pour %s", orgOrNone(c, current))
	}
	switch {
	case x.Financer == "" || !hasOrganization(c, x.Financer):
		ve.Add("financer", "choisissez l'organisation qui finance et doit donner son accord")
	case x.Financer == x.Organization:
		ve.Add("financer", "le financeur dont l'accord est requis ne peut pas être l'organisateur de la manifestation (%s)", c.OrgName(x.Organization))
	}
	x.Kind = model.PublicEventKind(in.Kind)
	if _, ok := model.PublicEventKindLabels[x.Kind]; !ok {
		ve.Add("kind", "choisissez le type de manifestation : inauguration, signature officielle, pose de la première pierre ou autre")
	}
	x.Title = strings.TrimSpace(in.Title)
	if x.Title == "" {
		ve.Add("title", "dites ce qui est inauguré, signé ou posé")
	}
	ve.Line("title", "Objet", x.Title, maxShortField)
	x.SubjectKind, x.SubjectKey = model.EventSubject(strings.TrimSpace(in.SubjectKind)), strings.TrimSpace(in.SubjectKey)
	switch x.SubjectKind {
	case model.SubjectNone:
		x.SubjectKey = ""
	case model.SubjectFiche:
		if ficheByCode(c, x.SubjectKey) == nil {
			ve.Add("subject_key", "la fiche « %s » n'existe pas", x.SubjectKey)
		}
	case model.SubjectEquipment:
		found := false
		for _, e := range EquipmentChoices(c) {
			found = found || e.Key == x.SubjectKey
		}
		// An event saved before homonyms were told apart names the
		// equipment by its name alone.
		for _, e := range c.Equipments {
			found = found || (old != nil && old.SubjectKey == x.SubjectKey && e.Name == x.SubjectKey)
		}
		if !found {
			ve.Add("subject_key", "l'équipement « %s » n'est pas dans l'annexe 2", x.SubjectKey)
		}
	default:
		ve.Add("subject_kind", "le rattachement « %s » n'existe pas : fiche ou équipement", x.SubjectKind)
	}
	if d, ok := eventDate(ve, c, model.DateOf(s.now().In(textutil.Paris)), "proposed_date", in.ProposedDate, ""); ok {
		x.ProposedDate = d
	}
	x.Place = strings.TrimSpace(in.Place)
	ve.Line("place", "Lieu", x.Place, maxShortField)
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	entry := audited(a, slug, "create", "event-request", x.ID, EventLabel(c, x))
	ask := old == nil
	if old != nil {
		if EventChanged(old, x) {
			x.Date, x.OtherDate, x.DateNote = model.DatePending, nil, ""
			x.Charter, x.CharterConditions = model.CharterPending, ""
			ask = true
		}
		entry.Action = "update"
		entry = entry.WithChange(eventFields(c, old), eventFields(c, x))
	} else {
		entry = entry.WithChange(nil, eventFields(c, x))
	}
	if ask {
		// The financer is asked for its answers again.
		mails, err := s.eventMails(ctx, c, x, "event_request_filed", old != nil, x.Financer, true)
		if err != nil {
			return nil, err
		}
		entry = entry.WithMail(mails...)
	}
	if err := s.store.SaveEventRequest(ctx, x, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// EventChanged reports whether an event changed in substance, so that
// the financer's answers on its date and charter no longer hold: its
// kind, title, subject, proposed date, place or financer.
func EventChanged(old, x *model.EventRequest) bool {
	return old.Kind != x.Kind || old.Title != x.Title || old.SubjectKind != x.SubjectKind || old.SubjectKey != x.SubjectKey ||
		old.ProposedDate != x.ProposedDate || old.Place != x.Place || old.Financer != x.Financer
}

// orgOrNone names an organization, or says there is none.
func orgOrNone(c *model.Convention, key string) string {
	if key == "" {
		return "aucun financeur (la convention n'a pas de partie Caf)"
	}
	return c.OrgName(key)
}

// DateAnswerInput is the financer's answer on an event's date.
type DateAnswerInput struct {
	Version int    `json:"version"`
	Answer  string `json:"date_agreement"`
	// OtherDate is the date proposed instead, with other_date.
	OtherDate string `json:"other_date"`
	Note      string `json:"date_note"`
}

// CharterAnswerInput is the financer's answer on the use of its charter.
type CharterAnswerInput struct {
	Version    int    `json:"version"`
	Answer     string `json:"charter_agreement"`
	Conditions string `json:"charter_conditions"`
}

// answerEvent changes an event request as the financer answers.
func (s *Service) answerEvent(ctx context.Context, a *auth.Actor, slug, id string, version int, what string,
	change func(c *model.Convention, x *model.EventRequest, ve *model.ValidationError)) (*model.EventRequest, error) {
	c, old, err := s.EventRequest(ctx, a, slug, id)
	if err != nil {
		return nil, err
	}
	if !CanAnswerEvent(a, slug, old) {
		return nil, fmt.Errorf("répondre %s pour le financeur (%s) : %w", what, c.OrgName(old.Financer), model.ErrForbidden)
	}
	if old.Version != version {
		return nil, fmt.Errorf("%s a été modifiée entre-temps : %w", EventLabel(c, old), model.ErrStale)
	}
	copy := *old
	x := &copy
	ve := &model.ValidationError{}
	change(c, x, ve)
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	mails, err := s.eventMails(ctx, c, x, "event_request_answered", false, x.Organization, false)
	if err != nil {
		return nil, err
	}
	entry := audited(a, slug, "answer", "event-request", x.ID, EventLabel(c, x)).WithChange(eventFields(c, old), eventFields(c, x)).WithMail(mails...)
	if err := s.store.SaveEventRequest(ctx, x, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// eventMails writes the message name about an event request to the
// members of the organization org, its DPOs aside (and pending
// invitations); when it has none and orEditors, to the convention's
// administrators and editors.
func (s *Service) eventMails(ctx context.Context, c *model.Convention, x *model.EventRequest, name string, changed bool, org string, orEditors bool) ([]model.Mail, error) {
	members, err := s.store.Members(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Convention": c.Title, "Title": x.Title, "Kind": upperFirst(model.PublicEventKindLabels[x.Kind]),
		"Organizer": c.OrgName(x.Organization), "Financer": c.OrgName(x.Financer), "Date": textutil.FrenchDate(x.ProposedDate),
		"Place": x.Place, "Changed": changed, "DateAnswer": model.DateAgreementLabels[x.Date], "OtherDate": "", "DateNote": x.DateNote,
		"Charter": model.CharterAgreementLabels[x.Charter], "Conditions": x.CharterConditions,
		"State": model.EventStateLabels[x.StateOn(model.DateOf(s.now().In(textutil.Paris)))],
		"URL":   siteURL(ctx, "/c/"+url.PathEscape(c.Slug)+"/communication", nil)}
	if x.OtherDate != nil {
		data["OtherDate"] = textutil.FrenchDate(*x.OtherDate)
	}
	if u := data["URL"].(string); u != "" {
		data["URL"] = u + "#evenement-" + x.ID
	}
	subject, text, html, err := renderMail(name, data)
	if err != nil {
		return nil, err
	}
	pick := func(to func(auth.Member) bool) []model.Mail {
		var out []model.Mail
		seen := map[string]bool{}
		for _, m := range members {
			if !m.InvitationPending && validEmail(m.Email) && !seen[m.Email] && to(m) {
				seen[m.Email] = true
				out = append(out, s.outboxMail(Outgoing{Convention: c.Slug, To: m.Email, Subject: subject, Text: text, HTML: html}))
			}
		}
		return out
	}
	out := pick(func(m auth.Member) bool { return org != "" && m.Organization == org && m.Role != auth.RoleDPO })
	if len(out) == 0 && orEditors {
		out = pick(func(m auth.Member) bool { return m.Role == auth.RoleAdmin || m.Role == auth.RoleEditor })
	}
	return out, nil
}

// AcceptOtherDate is the organizer's acceptance of the date the financer
// proposed instead: it becomes the proposed date, and the answer on the
// date becomes accepted, since the financer proposed it, and the
// financer is told; the answer on the charter stays. ErrForbidden for who may not change the request,
// a *model.ValidationError when no other date is proposed, ErrStale.
func (s *Service) AcceptOtherDate(ctx context.Context, a *auth.Actor, slug, id string, version int) (*model.EventRequest, error) {
	c, old, err := s.EventRequest(ctx, a, slug, id)
	if err != nil {
		return nil, err
	}
	if !CanRequestEvent(a, slug, old.Organization) {
		return nil, fmt.Errorf("accepter la date proposée pour cette manifestation (organisée par %s) : %w", c.OrgName(old.Organization), model.ErrForbidden)
	}
	if old.Version != version {
		return nil, fmt.Errorf("%s a été modifiée entre-temps : %w", EventLabel(c, old), model.ErrStale)
	}
	if old.Date != model.DateOther || old.OtherDate == nil {
		return nil, single("other_date", "le financeur n'a pas proposé d'autre date pour cette manifestation")
	}
	copy := *old
	x := &copy
	// The financer's note gave the reason for another date: it is answered.
	x.ProposedDate, x.OtherDate, x.Date, x.DateNote = *old.OtherDate, nil, model.DateAccepted, ""
	mails, err := s.eventMails(ctx, c, x, "event_date_accepted", false, x.Financer, true)
	if err != nil {
		return nil, err
	}
	entry := audited(a, slug, "update", "event-request", x.ID, EventLabel(c, x)).WithChange(eventFields(c, old), eventFields(c, x)).WithMail(mails...)
	if err := s.store.SaveEventRequest(ctx, x, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// EquipmentChoice is an equipment an event may be about: Key is what the
// event stores, Label tells it from its homonyms.
type EquipmentChoice struct {
	Key, Label string
}

// EquipmentChoices lists the equipments of the annex an event may be
// about, each once. Equipments have no key of their own: an event names
// one by its name, and, when several share that name, by its name, its
// address and its city; identical entries of the annex are one.
func EquipmentChoices(c *model.Convention) []EquipmentChoice {
	count := map[string]int{}
	for _, e := range c.Equipments {
		count[e.Name]++
	}
	var out []EquipmentChoice
	seen := map[string]bool{}
	for _, e := range c.Equipments {
		var where []string
		if a := strings.TrimSpace(strings.Join(e.Address, ", ")); a != "" {
			where = append(where, a)
		}
		if e.City != "" {
			where = append(where, e.City)
		}
		key := e.Name
		if count[e.Name] > 1 && len(where) > 0 {
			key += " – " + strings.Join(where, ", ")
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		label := e.Name
		var about []string
		if e.ActivityType != "" {
			about = append(about, e.ActivityType)
		}
		about = append(about, where...)
		if len(about) > 0 {
			label += " (" + strings.Join(about, ", ") + ")"
		}
		out = append(out, EquipmentChoice{Key: key, Label: label})
	}
	return out
}

// AnswerEventDate records the financer's answer on an event's date:
// accepted, another date proposed (with that date) or refused.
func (s *Service) AnswerEventDate(ctx context.Context, a *auth.Actor, slug, id string, in DateAnswerInput) (*model.EventRequest, error) {
	return s.answerEvent(ctx, a, slug, id, in.Version, "sur la date", func(c *model.Convention, x *model.EventRequest, ve *model.ValidationError) {
		x.Date, x.OtherDate, x.DateNote = model.DateAgreement(in.Answer), nil, strings.TrimSpace(in.Note)
		if _, ok := model.DateAgreementLabels[x.Date]; !ok {
			ve.Add("date_agreement", "choisissez la réponse sur la date : acceptée, autre date proposée ou refusée")
		}
		if x.Date == model.DateOther {
			if d, ok := eventDate(ve, c, model.DateOf(s.now().In(textutil.Paris)), "other_date", in.OtherDate, "indiquez la date proposée à la place (AAAA-MM-JJ)"); ok {
				x.OtherDate = &d
			}
		}
		ve.Text("date_note", "Note", x.DateNote, maxShortField)
	})
}

// AnswerEventCharter records the financer's answer on the use of its
// graphic charter and logo, with its conditions.
func (s *Service) AnswerEventCharter(ctx context.Context, a *auth.Actor, slug, id string, in CharterAnswerInput) (*model.EventRequest, error) {
	return s.answerEvent(ctx, a, slug, id, in.Version, "sur la charte graphique", func(c *model.Convention, x *model.EventRequest, ve *model.ValidationError) {
		x.Charter, x.CharterConditions = model.CharterAgreement(in.Answer), strings.TrimSpace(in.Conditions)
		if _, ok := model.CharterAgreementLabels[x.Charter]; !ok {
			ve.Add("charter_agreement", "choisissez la réponse sur la charte graphique : accordée ou refusée")
		}
		ve.Text("charter_conditions", "Conditions", x.CharterConditions, maxMinutes)
	})
}

// eventObligations: the public events declared under article 8, not
// refused, on their proposed date; one whose date passed without the
// financer's agreement is missing.
func eventObligations(ctx context.Context, s *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error) {
	if _, _, ok := model.WorkingCopyOf(c.Slug); ok {
		return nil, nil
	}
	list, err := s.store.EventRequests(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	var out []CalendarEvent
	for i := range list {
		x := &list[i]
		if x.Date == model.DateRefused {
			continue
		}
		detail := []string{"organisée par " + c.OrgName(x.Organization)}
		if x.Place != "" {
			detail = append(detail, x.Place)
		}
		detail = append(detail, "date : "+model.DateAgreementLabels[x.Date])
		e := dated(x.ProposedDate, today, "Manifestation : "+model.PublicEventKindLabels[x.Kind]+" « "+x.Title+" »", strings.Join(detail, " · "),
			"/c/"+c.Slug+"/communication#evenement-"+x.ID)
		e.Kind, e.Key = lifecycle.KindPublicEvent, x.ID
		if x.UnagreedOn(today) {
			e.State = lifecycle.EventMissing
		}
		out = append(out, stamp(e, x.Meta))
	}
	return out, nil
}
