package store

import (
	"context"

	"github.com/ctg-territoires/ctg/internal/model"
)

// DataRequestStore keeps the personal-data exchange requests between the
// parties of conventions (art. 7).
type DataRequestStore interface {
	// DataRequests lists a convention's requests, the oldest first.
	DataRequests(ctx context.Context, convention string) ([]model.DataRequest, error)
	// DataRequest returns one request of a convention, or ErrNotFound.
	DataRequest(ctx context.Context, convention, id string) (*model.DataRequest, error)
	// SaveDataRequest inserts (empty ID) or updates at its version a
	// request, with the audit entry (and the e-mails it carries).
	SaveDataRequest(ctx context.Context, r *model.DataRequest, entry model.AuditEntry) error
}

const dataRequestCols = `convention_slug, requester_key, holder_key, title, data_categories, purpose, legal_basis, persons, retention, ` +
	`recipients, transfers_outside_eu, transfer_detail, security_measures, state, filed_by, filed_by_user, filed_on, study_on, ` +
	`opportunity, feasibility, compliance, opinion, opinion_text, recommendations, opinion_on, opinion_by, decided_on, decided_by, ` +
	`decision_note, implemented_on`

// DataRequests lists a convention's requests, the oldest first.
func (s *SQL) DataRequests(ctx context.Context, convention string) ([]model.DataRequest, error) {
	return s.dataRequests(ctx, convention, "")
}

// DataRequest returns one request of a convention, or ErrNotFound.
func (s *SQL) DataRequest(ctx context.Context, convention, id string) (*model.DataRequest, error) {
	list, err := s.dataRequests(ctx, convention, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, model.ErrNotFound
	}
	return &list[0], nil
}

func (s *SQL) dataRequests(ctx context.Context, convention, id string) ([]model.DataRequest, error) {
	where, args := ` WHERE convention_slug = ?`, []any{convention}
	if id != "" {
		where += ` AND id = ?`
		args = append(args, id)
	}
	out := []model.DataRequest{}
	err := s.each(ctx, `SELECT `+dataRequestCols+`, `+metaCols+` FROM data_requests`+where+` ORDER BY filed_on, created_at, id`, args,
		func(scan func(...any) error) error {
			var r model.DataRequest
			var basis, state, opinion string
			if err := scan(append([]any{&r.Convention, &r.Requester, &r.Holder, &r.Title, &r.DataCategories, &r.Purpose, &basis,
				&r.Persons, &r.Retention, &r.Recipients, &r.Transfers, &r.TransferDetail, &r.Security, &state, &r.FiledBy,
				&r.FiledByUser, requiredDateCol{&r.FiledOn}, dateCol{&r.StudyOn}, &r.Opportunity, &r.Feasibility, &r.Compliance,
				&opinion, &r.OpinionText, &r.Recommendations, dateCol{&r.OpinionOn}, &r.OpinionBy, dateCol{&r.DecidedOn},
				&r.DecidedBy, &r.DecisionNote, dateCol{&r.ImplementedOn}}, metaDest(&r.Meta)...)...); err != nil {
				return err
			}
			r.LegalBasis, r.State, r.Opinion = model.GDPRBasis(basis), model.DataRequestState(state), model.DPOOpinion(opinion)
			out = append(out, r)
			return nil
		})
	return out, err
}

// optionalDate is the value of an optional date column.
func optionalDate(d *model.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// SaveDataRequest inserts or updates at its version a request.
func (s *SQL) SaveDataRequest(ctx context.Context, r *model.DataRequest, entry model.AuditEntry) error {
	return s.saveRow(ctx, "data_requests", dataRequestCols, &r.Meta, []any{r.Convention, r.Requester, r.Holder, r.Title,
		r.DataCategories, r.Purpose, string(r.LegalBasis), r.Persons, r.Retention, r.Recipients, r.Transfers, r.TransferDetail,
		r.Security, string(r.State), r.FiledBy, r.FiledByUser, r.FiledOn.String(), optionalDate(r.StudyOn), r.Opportunity,
		r.Feasibility, r.Compliance, string(r.Opinion), r.OpinionText, r.Recommendations, optionalDate(r.OpinionOn), r.OpinionBy,
		optionalDate(r.DecidedOn), r.DecidedBy, r.DecisionNote, optionalDate(r.ImplementedOn)}, entry)
}
