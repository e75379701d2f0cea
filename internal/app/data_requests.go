package app

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/report"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Bounds of what a data-exchange request holds.
const (
	maxRequestTitle = 200
	maxRequestText  = 4000
)

// Every member of a convention reads its data-exchange requests: they
// describe categories of data and persons, never personal data, and art. 7
// is a procedure between the parties that the steering committee follows.
// Who may change them depends on the step:

// CanFileDataRequest reports whether the actor may file a request for the
// requesting organization (by key): editors and administrators, and a
// contributor of that organization.
func CanFileDataRequest(a *auth.Actor, slug, requester string) bool {
	return requester != "" && a.CanEdit(slug, []string{requester})
}

// CanStudyDataRequest reports whether the actor may study a request
// addressed to the holding organization and give the opinion: its DPO
// only, or a platform administrator.
func CanStudyDataRequest(a *auth.Actor, slug, holder string) bool {
	return a != nil && (a.PlatformAdmin || a.IsDPO(slug, holder))
}

// CanDecideDataRequest reports whether the actor may decide on a request
// for the holding organization and record its implementation: editors and
// administrators, and a contributor of that organization.
func CanDecideDataRequest(a *auth.Actor, slug, holder string) bool {
	return a.CanEdit(slug, []string{holder})
}

// isParty reports whether an organization (by key) is a party of c.
func isParty(c *model.Convention, key string) bool {
	return slices.ContainsFunc(c.Parties, func(p model.Party) bool { return p.Organization == key })
}

// DataRequestLabel names a request in the history and on pages.
func DataRequestLabel(c *model.Convention, r *model.DataRequest) string {
	return fmt.Sprintf("Échange de données « %s » (%s → %s)", r.Title, c.OrgName(r.Holder), c.OrgName(r.Requester))
}

// DataRequests returns a convention the actor may read and its requests,
// the oldest first.
func (s *Service) DataRequests(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, []model.DataRequest, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.store.DataRequests(ctx, slug)
	return c, list, err
}

// DataRequest returns a convention the actor may read and one request.
func (s *Service) DataRequest(ctx context.Context, a *auth.Actor, slug, id string) (*model.Convention, *model.DataRequest, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.store.DataRequest(ctx, slug, id)
	if err != nil {
		return nil, nil, fmt.Errorf("demande d'échange de données : %w", err)
	}
	return c, r, nil
}

// DataRequestInput is a request as typed in a form or sent to the API.
type DataRequestInput struct {
	Requester      string `json:"requester"`
	Holder         string `json:"holder"`
	Title          string `json:"title"`
	DataCategories string `json:"data_categories"`
	Purpose        string `json:"purpose"`
	LegalBasis     string `json:"legal_basis"`
	Persons        string `json:"persons"`
	Retention      string `json:"retention"`
	Recipients     string `json:"recipients"`
	Transfers      bool   `json:"transfers_outside_eu"`
	TransferDetail string `json:"transfer_detail"`
	Security       string `json:"security_measures"`
}

// clean trims a typed text and normalizes its line ends.
func clean(s string) string { return model.CleanText(s) }

func dataRequestFields(c *model.Convention, r *model.DataRequest) map[string]string {
	transfers := "non"
	if r.Transfers {
		transfers = "oui"
	}
	out := map[string]string{"demandeur": c.OrgName(r.Requester), "détenteur": c.OrgName(r.Holder), "objet": r.Title,
		"données": r.DataCategories, "finalité": r.Purpose, "base légale": model.GDPRBasisLabels[r.LegalBasis], "personnes": r.Persons,
		"conservation": r.Retention, "destinataires": r.Recipients, "transferts hors UE": transfers, "détail des transferts": r.TransferDetail,
		"mesures de sécurité": r.Security, "état": model.DataRequestStateLabels[r.State]}
	optional := map[string]string{"opportunité": r.Opportunity, "faisabilité": r.Feasibility, "conformité RGPD": r.Compliance,
		"avis": model.DPOOpinionLabels[r.Opinion], "texte de l'avis": r.OpinionText, "recommandations": r.Recommendations,
		"note de décision": r.DecisionNote}
	for k, v := range optional {
		if v != "" {
			out[k] = v
		}
	}
	for k, d := range map[string]*model.Date{"étude ouverte le": r.StudyOn, "avis rendu le": r.OpinionOn, "décidée le": r.DecidedOn,
		"mise en œuvre le": r.ImplementedOn} {
		if d != nil {
			out[k] = d.String()
		}
	}
	return out
}

// FileDataRequest records a request of one party to another for personal
// data it holds, and writes to the holding party's DPO. It refuses with a
// *model.ValidationError naming the field, or ErrForbidden, and writes
// nothing then.
func (s *Service) FileDataRequest(ctx context.Context, a *auth.Actor, slug string, in DataRequestInput) (*model.DataRequest, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	if _, _, copy := model.WorkingCopyOf(slug); copy {
		return nil, fmt.Errorf("demandes d'échange de données sur une copie de travail : %w", model.ErrForbidden)
	}
	in.Requester, in.Holder = strings.TrimSpace(in.Requester), strings.TrimSpace(in.Holder)
	if !CanFileDataRequest(a, slug, in.Requester) {
		if m, ok := a.Memberships[slug]; ok && m.Role == auth.RoleContributor && in.Requester != "" {
			return nil, &RefusedError{Reason: fmt.Sprintf("vous agissez pour %s : vous ne déposez de demande qu'au nom de votre organisation, pas de %s",
				c.OrgName(m.Organization), c.OrgName(in.Requester))}
		}
		if in.Requester != "" || !a.CanEditSomething(slug) {
			return nil, fmt.Errorf("déposer une demande d'échange de données : %w", model.ErrForbidden)
		}
	}
	// Named before it is stored: the DPO's e-mail links to it.
	r := &model.DataRequest{Meta: model.Meta{ID: model.NewID()}, Convention: slug, Requester: in.Requester, Holder: in.Holder, Title: clean(in.Title),
		DataCategories: clean(in.DataCategories), Purpose: clean(in.Purpose), LegalBasis: model.GDPRBasis(in.LegalBasis),
		Persons: clean(in.Persons), Retention: clean(in.Retention), Recipients: clean(in.Recipients), Transfers: in.Transfers,
		TransferDetail: clean(in.TransferDetail), Security: clean(in.Security), State: model.DataRequestFiled,
		FiledBy: a.PublicName(), FiledByUser: a.UserID, FiledOn: model.DateOf(s.now().In(textutil.Paris))}
	ve := &model.ValidationError{}
	switch {
	case r.Requester == "":
		ve.Add("requester", "choisissez la partie qui demande les données")
	case !isParty(c, r.Requester):
		ve.Add("requester", "« %s » n'est pas une partie de la convention", c.OrgName(r.Requester))
	}
	switch {
	case r.Holder == "":
		ve.Add("holder", "choisissez la partie qui détient les données")
	case !isParty(c, r.Holder):
		ve.Add("holder", "« %s » n'est pas une partie de la convention", c.OrgName(r.Holder))
	case r.Holder == r.Requester:
		ve.Add("holder", "la partie qui détient les données doit être une autre que celle qui les demande")
	}
	required := []struct{ path, label, value string }{
		{"title", "l'objet de la demande", r.Title}, {"data_categories", "les catégories de données demandées", r.DataCategories},
		{"purpose", "la finalité", r.Purpose}, {"persons", "les catégories de personnes concernées", r.Persons},
		{"retention", "la durée de conservation", r.Retention}, {"recipients", "les destinataires", r.Recipients},
		{"security_measures", "les mesures de sécurité", r.Security},
	}
	for _, f := range required {
		if f.value == "" {
			ve.Add(f.path, "indiquez %s", f.label)
		}
	}
	if _, ok := model.GDPRBasisLabels[r.LegalBasis]; !ok {
		ve.Add("legal_basis", "choisissez la base légale parmi celles de l'article 6 du RGPD")
	}
	if r.Transfers && r.TransferDetail == "" {
		ve.Add("transfer_detail", "indiquez vers quel pays les données sortent de l'Union européenne et sous quelles garanties")
	}
	if !r.Transfers {
		r.TransferDetail = ""
	}
	ve.Line("title", "Objet", r.Title, maxRequestTitle)
	for path, v := range map[string]string{"data_categories": r.DataCategories, "purpose": r.Purpose, "persons": r.Persons,
		"retention": r.Retention, "recipients": r.Recipients, "transfer_detail": r.TransferDetail, "security_measures": r.Security} {
		ve.Text(path, "Texte", v, maxRequestText)
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	entry := audited(a, slug, "create", "data-request", "", DataRequestLabel(c, r)).WithChange(nil, dataRequestFields(c, r))
	mails, err := s.dataRequestMails(ctx, c, r, "data_request_filed", func(m auth.Member) bool {
		return m.Role == auth.RoleDPO && m.Organization == r.Holder
	})
	if err != nil {
		return nil, err
	}
	if err := s.store.SaveDataRequest(ctx, r, entry.WithMail(mails...)); err != nil {
		return nil, err
	}
	return r, nil
}

// dataRequestMails writes the message name about a request to the
// members who match (pending invitations aside).
func (s *Service) dataRequestMails(ctx context.Context, c *model.Convention, r *model.DataRequest, name string, to func(auth.Member) bool) ([]model.Mail, error) {
	members, err := s.store.Members(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	subject, text, html, err := renderMail(name, map[string]any{"Convention": c.Title, "Title": r.Title,
		"Requester": c.OrgName(r.Requester), "Holder": c.OrgName(r.Holder), "FiledBy": r.FiledBy, "Purpose": r.Purpose,
		"Opinion": model.DPOOpinionLabels[r.Opinion], "Recommendations": r.Recommendations,
		"URL": siteURL(ctx, "/c/"+url.PathEscape(c.Slug)+"/echanges-donnees/"+url.PathEscape(r.ID), nil)})
	if err != nil {
		return nil, err
	}
	var out []model.Mail
	for _, m := range members {
		if !m.InvitationPending && validEmail(m.Email) && to(m) {
			out = append(out, s.outboxMail(Outgoing{Convention: c.Slug, To: m.Email, Subject: subject, Text: text, HTML: html}))
		}
	}
	return out, nil
}

// DataRequestStep is a step of a request after its filing, as typed or sent.
type DataRequestStep struct {
	Version int `json:"version"`
	// Opportunity, Feasibility, Compliance, Opinion, OpinionText and
	// Recommendations are the DPO's study and opinion.
	Opportunity     string `json:"opportunity,omitempty"`
	Feasibility     string `json:"feasibility,omitempty"`
	Compliance      string `json:"compliance,omitempty"`
	Opinion         string `json:"opinion,omitempty"`
	OpinionText     string `json:"opinion_text,omitempty"`
	Recommendations string `json:"recommendations,omitempty"`
	// Decision is "accepted" or "refused", with an optional note.
	Decision     string `json:"decision,omitempty"`
	DecisionNote string `json:"decision_note,omitempty"`
	// ImplementedOn is the day the exchange started (AAAA-MM-JJ).
	ImplementedOn string `json:"implemented_on,omitempty"`
}

// The steps of a request after its filing.
const (
	StepStudy          = "study"
	StepOpinion        = "opinion"
	StepDecision       = "decision"
	StepImplementation = "implementation"
)

// stepFrom gives, for each step, the state a request must be in, the
// field the refusal names, and what to do first.
var stepFrom = map[string]struct {
	from        []model.DataRequestState
	field, what string
}{
	StepStudy:          {[]model.DataRequestState{model.DataRequestFiled}, "state", "l'étude ne s'ouvre que sur une demande déposée"},
	StepOpinion:        {[]model.DataRequestState{model.DataRequestInStudy}, "opinion", "l'avis du DPO ne se rend que sur une demande en étude : le DPO ouvre d'abord l'étude"},
	StepDecision:       {[]model.DataRequestState{model.DataRequestOpinion}, "decision", "la décision ne se prend qu'une fois l'avis du DPO rendu"},
	StepImplementation: {[]model.DataRequestState{model.DataRequestAccepted}, "implemented_on", "seule une demande acceptée, après l'avis du DPO, peut être mise en œuvre"},
}

// AdvanceDataRequest takes a request to its next step: the DPO of the
// holding party opens the study (StepStudy) then gives the opinion
// (StepOpinion), and the holding party decides (StepDecision) then
// records the implementation (StepImplementation). A step out of order is
// refused with a *model.ValidationError naming the field.
func (s *Service) AdvanceDataRequest(ctx context.Context, a *auth.Actor, slug, id, step string, in DataRequestStep) (*model.DataRequest, error) {
	c, old, err := s.DataRequest(ctx, a, slug, id)
	if err != nil {
		return nil, err
	}
	rule, ok := stepFrom[step]
	if !ok {
		return nil, fmt.Errorf("étape « %s » : %w", step, model.ErrNotFound)
	}
	switch step {
	case StepStudy, StepOpinion:
		if !CanStudyDataRequest(a, slug, old.Holder) {
			return nil, &RefusedError{Reason: fmt.Sprintf("seul·e le·la délégué·e à la protection des données de %s étudie cette demande et rend l'avis",
				c.OrgName(old.Holder))}
		}
	default:
		if !CanDecideDataRequest(a, slug, old.Holder) {
			return nil, &RefusedError{Reason: fmt.Sprintf("seule la partie qui détient les données, %s, décide de cette demande et de sa mise en œuvre",
				c.OrgName(old.Holder))}
		}
	}
	if old.Version != in.Version && in.Version != 0 {
		return nil, fmt.Errorf("%s a été modifiée entre-temps : %w", DataRequestLabel(c, old), model.ErrStale)
	}
	if !slices.Contains(rule.from, old.State) {
		return nil, single(rule.field, fmt.Sprintf("%s ; cette demande est « %s »", rule.what, model.DataRequestStateLabels[old.State]))
	}
	copy := *old
	r := &copy
	today := model.DateOf(s.now().In(textutil.Paris))
	ve := &model.ValidationError{}
	var mails []model.Mail
	switch step {
	case StepStudy:
		r.State, r.StudyOn = model.DataRequestInStudy, &today
	case StepOpinion:
		r.Opportunity, r.Feasibility, r.Compliance = clean(in.Opportunity), clean(in.Feasibility), clean(in.Compliance)
		r.Opinion, r.OpinionText, r.Recommendations = model.DPOOpinion(in.Opinion), clean(in.OpinionText), clean(in.Recommendations)
		for _, f := range []struct{ path, label, value string }{{"opportunity", "l'étude d'opportunité", r.Opportunity},
			{"feasibility", "l'étude de faisabilité", r.Feasibility}, {"compliance", "l'étude de conformité au RGPD", r.Compliance},
			{"opinion_text", "le texte de l'avis", r.OpinionText}} {
			if f.value == "" {
				ve.Add(f.path, "écrivez %s", f.label)
			}
			ve.Text(f.path, "Texte", f.value, maxRequestText)
		}
		if _, ok := model.DPOOpinionLabels[r.Opinion]; !ok {
			ve.Add("opinion", "choisissez l'avis : favorable, favorable avec recommandations ou défavorable")
		}
		if r.Opinion == model.OpinionFavorableRecommendation && r.Recommendations == "" {
			ve.Add("recommendations", "un avis favorable avec recommandations les énonce : écrivez-les")
		}
		ve.Text("recommendations", "Texte", r.Recommendations, maxRequestText)
		r.State, r.OpinionOn, r.OpinionBy = model.DataRequestOpinion, &today, a.PublicName()
		if len(ve.Errors) == 0 {
			if mails, err = s.dataRequestMails(ctx, c, r, "data_request_opinion", func(m auth.Member) bool {
				return r.FiledByUser != "" && s.memberIs(ctx, m, r.FiledByUser)
			}); err != nil {
				return nil, err
			}
			// The holder decides next: its contributors are told.
			decide, err := s.dataRequestMails(ctx, c, r, "data_request_to_decide", func(m auth.Member) bool {
				return m.Organization == r.Holder && m.Role == auth.RoleContributor
			})
			if err != nil {
				return nil, err
			}
			mails = append(mails, decide...)
		}
	case StepDecision:
		switch d := model.DataRequestState(in.Decision); d {
		case model.DataRequestAccepted, model.DataRequestRefused:
			r.State = d
		default:
			ve.Add("decision", "choisissez d'accepter ou de refuser la demande")
		}
		r.DecisionNote = clean(in.DecisionNote)
		ve.Text("decision_note", "Note", r.DecisionNote, maxRequestText)
		r.DecidedOn, r.DecidedBy = &today, a.PublicName()
	case StepImplementation:
		d, err := model.ParseDate(strings.TrimSpace(in.ImplementedOn))
		switch {
		case err != nil:
			ve.Add("implemented_on", "la date « %s » n'est pas une date (AAAA-MM-JJ)", in.ImplementedOn)
		case d.After(today):
			ve.Add("implemented_on", "la mise en œuvre ne peut être datée dans le futur (%s) : enregistrez-la le jour où l'échange commence", textutil.FrenchDate(d))
		case old.DecidedOn != nil && d.Before(*old.DecidedOn):
			ve.Add("implemented_on", "la mise en œuvre ne peut précéder la décision du %s", textutil.FrenchDate(*old.DecidedOn))
		case !old.HasOpinion():
			ve.Add("implemented_on", "aucun avis du DPO n'est enregistré pour cette demande : l'échange ne peut être mis en œuvre sans lui")
		}
		r.State, r.ImplementedOn = model.DataRequestImplemented, &d
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	entry := audited(a, slug, "update", "data-request", r.ID, DataRequestLabel(c, r)).
		WithChange(dataRequestFields(c, old), dataRequestFields(c, r)).WithMail(mails...)
	if err := s.store.SaveDataRequest(ctx, r, entry); err != nil {
		return nil, err
	}
	return r, nil
}

// memberIs reports whether a member of a convention is the account id.
func (s *Service) memberIs(ctx context.Context, m auth.Member, userID string) bool {
	u, err := s.store.UserByEmail(ctx, m.Email)
	return err == nil && u.ID == userID && !u.Disabled
}

// RegisterEntry is one entry of a controller's record of processing
// activities, as the register's page, CSV and PDF show it.
type RegisterEntry = report.RegisterEntry

// Register returns the entries of the records of processing activities
// (GDPR art. 30) that a convention's implemented data exchanges give: one
// for the holding party, source controller, and one for the requesting
// party, recipient controller; only those of one organization when org
// is set.
func (s *Service) Register(ctx context.Context, a *auth.Actor, slug, org string) (*model.Convention, []RegisterEntry, error) {
	c, list, err := s.DataRequests(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	if org != "" && !hasOrganization(c, org) {
		return nil, nil, single("organisation", fmt.Sprintf("la convention ne compte pas d'organisation « %s »", org))
	}
	var out []RegisterEntry
	for i := range list {
		r := &list[i]
		if r.State != model.DataRequestImplemented {
			continue
		}
		base := RegisterEntry{Title: r.Title, Purposes: r.Purpose, LegalBasis: model.GDPRBasisLabels[r.LegalBasis],
			Persons: r.Persons, Data: r.DataCategories, Recipients: r.Recipients, Transfers: "aucun", Retention: r.Retention,
			Security: r.Security, Opinion: "aucun avis enregistré"}
		if r.Transfers {
			base.Transfers = "oui : " + r.TransferDetail
		}
		if r.HasOpinion() {
			base.Opinion = fmt.Sprintf("%s, rendu le %s", model.DPOOpinionLabels[r.Opinion], textutil.FrenchDate(*r.OpinionOn))
			if r.Recommendations != "" {
				base.Opinion += " ; recommandations : " + r.Recommendations
			}
		}
		if r.ImplementedOn != nil {
			base.ImplementedOn = textutil.FrenchDate(*r.ImplementedOn)
		}
		for _, side := range []struct{ controller, other, role string }{
			{r.Holder, r.Requester, "responsable de traitement source"},
			{r.Requester, r.Holder, "responsable de traitement destinataire"},
		} {
			if org != "" && side.controller != org {
				continue
			}
			e := base
			e.Controller, e.Counterpart, e.Role = c.OrgName(side.controller), c.OrgName(side.other), side.role
			out = append(out, e)
		}
	}
	return c, out, nil
}

// RegisterPDF writes the entries of Register as a PDF.
func (s *Service) RegisterPDF(ctx context.Context, a *auth.Actor, slug, org string) ([]byte, error) {
	c, entries, err := s.Register(ctx, a, slug, org)
	if err != nil {
		return nil, err
	}
	scope := "toutes les parties"
	if org != "" {
		scope = c.OrgName(org)
	}
	return report.RegisterPDF(c, scope, model.DateOf(s.now().In(textutil.Paris)), entries)
}
