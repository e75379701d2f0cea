package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// MeetingStore keeps the meetings of the committees of conventions, with
// their attendance, decisions and follow-up actions.
type MeetingStore interface {
	// Meetings lists a convention's meetings, whole, by date.
	Meetings(ctx context.Context, convention string) ([]model.Meeting, error)
	// Meeting returns one meeting of a convention, whole, or ErrNotFound.
	Meeting(ctx context.Context, convention, id string) (*model.Meeting, error)
	// SaveMeeting inserts (empty ID) or updates at its version a meeting's
	// own fields (not its attendance nor its decisions), with the audit entry.
	SaveMeeting(ctx context.Context, m *model.Meeting, entry model.AuditEntry) error
	// SaveAttendance inserts or updates at its version one attendance line.
	SaveAttendance(ctx context.Context, convention string, x *model.Attendance, entry model.AuditEntry) error
	// SaveDecision inserts or updates at its version one decision.
	SaveDecision(ctx context.Context, convention string, x *model.Decision, entry model.AuditEntry) error
	// SaveAction inserts or updates at its version one follow-up action.
	SaveAction(ctx context.Context, convention string, x *model.Action, entry model.AuditEntry) error
}

const (
	meetingCols    = `convention_slug, committee_key, meeting_date, start_time, place, status, agenda, minutes`
	attendanceCols = `meeting_id, organization_key, guest_name, person, status, represented_by`
	decisionCols   = `meeting_id, text, object_kind, object_key`
	actionCols     = `meeting_id, decision_id, text, organization_key, person, due_on, status`
)

// agendaText joins agenda lines for their column, one a line.
func agendaText(lines []string) string { return strings.Join(lines, "\n") }

func agendaLines(text string) []string {
	if text == "" {
		return []string{}
	}
	return strings.Split(text, "\n")
}

// Meetings lists a convention's meetings, whole, by date and time.
func (s *SQL) Meetings(ctx context.Context, convention string) ([]model.Meeting, error) {
	return s.meetings(ctx, convention, "")
}

// Meeting returns one meeting of a convention, whole, or ErrNotFound.
func (s *SQL) Meeting(ctx context.Context, convention, id string) (*model.Meeting, error) {
	list, err := s.meetings(ctx, convention, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, model.ErrNotFound
	}
	return &list[0], nil
}

// meetings reads the meetings of a convention (only id when set) and
// their rows, in four queries.
func (s *SQL) meetings(ctx context.Context, convention, id string) ([]model.Meeting, error) {
	where, args := ` WHERE convention_slug = ?`, []any{convention}
	if id != "" {
		where += ` AND id = ?`
		args = append(args, id)
	}
	out := []model.Meeting{}
	index := map[string]int{}
	err := s.each(ctx, `SELECT `+meetingCols+`, `+metaCols+` FROM meetings`+where+` ORDER BY meeting_date, start_time, created_at`, args,
		func(scan func(...any) error) error {
			var m model.Meeting
			var status, agenda string
			if err := scan(append([]any{&m.Convention, &m.Committee, requiredDateCol{&m.Date}, &m.StartTime, &m.Place, &status,
				&agenda, &m.Minutes}, metaDest(&m.Meta)...)...); err != nil {
				return err
			}
			m.Status, m.Agenda = model.MeetingStatus(status), agendaLines(agenda)
			m.Attendance, m.Decisions = []model.Attendance{}, []model.Decision{}
			index[m.ID] = len(out)
			out = append(out, m)
			return nil
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	where = strings.Replace(where, " id = ?", " meeting_id = ?", 1)
	err = s.each(ctx, `SELECT `+attendanceCols+`, `+metaCols+` FROM meeting_attendance`+where+` ORDER BY created_at, id`, args,
		func(scan func(...any) error) error {
			var x model.Attendance
			var status string
			if err := scan(append([]any{&x.Meeting, &x.Organization, &x.Guest, &x.Person, &status, &x.RepresentedBy}, metaDest(&x.Meta)...)...); err != nil {
				return err
			}
			x.Status = model.AttendanceStatus(status)
			if i, ok := index[x.Meeting]; ok {
				out[i].Attendance = append(out[i].Attendance, x)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	decisions := map[string][2]int{}
	err = s.each(ctx, `SELECT `+decisionCols+`, `+metaCols+` FROM meeting_decisions`+where+` ORDER BY created_at, id`, args,
		func(scan func(...any) error) error {
			var x model.Decision
			var kind string
			if err := scan(append([]any{&x.Meeting, &x.Text, &kind, &x.ObjectKey}, metaDest(&x.Meta)...)...); err != nil {
				return err
			}
			x.ObjectKind, x.Actions = model.DecisionObject(kind), []model.Action{}
			if i, ok := index[x.Meeting]; ok {
				decisions[x.ID] = [2]int{i, len(out[i].Decisions)}
				out[i].Decisions = append(out[i].Decisions, x)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, `SELECT `+actionCols+`, `+metaCols+` FROM meeting_actions`+where+` ORDER BY created_at, id`, args,
		func(scan func(...any) error) error {
			var x model.Action
			if err := scan(append([]any{&x.Meeting, &x.Decision, &x.Text, &x.Organization, &x.Person, dateCol{&x.DueOn}, &x.Status},
				metaDest(&x.Meta)...)...); err != nil {
				return err
			}
			if at, ok := decisions[x.Decision]; ok {
				d := &out[at[0]].Decisions[at[1]]
				d.Actions = append(d.Actions, x)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// saveRow inserts a row (no version yet: gets its metadata, and an ID
// unless the caller named it beforehand) or updates it at its version,
// with the audit entry, in one transaction.
func (s *SQL) saveRow(ctx context.Context, table, cols string, meta *model.Meta, args []any, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		names := strings.Split(cols, ", ")
		if meta.Version == 0 {
			id := meta.ID
			if id == "" {
				id = s.newID()
			}
			*meta = model.Meta{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now}
			marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)+4), ", ")
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO `+table+` (`+cols+`, `+metaCols+`) VALUES (`+marks+`)`),
				append(args, meta.ID, s.d.timestamp(now), s.d.timestamp(now), 1)...); err != nil {
				return err
			}
		} else {
			set := strings.Join(names, " = ?, ") + " = ?"
			q := `UPDATE ` + table + ` SET ` + set + `, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`
			if err := s.execVersioned(ctx, tx, table, meta.ID, q, append(args, s.d.timestamp(now), meta.ID, meta.Version)...); err != nil {
				return err
			}
			meta.Version++
			meta.UpdatedAt = now
		}
		entry.ObjectID, entry.At = meta.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
}

// SaveMeeting inserts or updates at its version a meeting's own fields.
func (s *SQL) SaveMeeting(ctx context.Context, m *model.Meeting, entry model.AuditEntry) error {
	return s.saveRow(ctx, "meetings", meetingCols, &m.Meta, []any{m.Convention, m.Committee, m.Date.String(), m.StartTime, m.Place,
		string(m.Status), agendaText(m.Agenda), m.Minutes}, entry)
}

// meetingOf checks that a meeting belongs to the convention.
func (s *SQL) meetingOf(ctx context.Context, convention, id string) error {
	var n int
	if err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM meetings WHERE convention_slug = ? AND id = ?`),
		convention, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNotFound
	}
	return nil
}

// SaveAttendance inserts or updates at its version one attendance line.
func (s *SQL) SaveAttendance(ctx context.Context, convention string, x *model.Attendance, entry model.AuditEntry) error {
	if err := s.meetingOf(ctx, convention, x.Meeting); err != nil {
		return err
	}
	return s.saveRow(ctx, "meeting_attendance", "convention_slug, "+attendanceCols, &x.Meta, []any{convention, x.Meeting, x.Organization,
		x.Guest, x.Person, string(x.Status), x.RepresentedBy}, entry)
}

// SaveDecision inserts or updates at its version one decision.
func (s *SQL) SaveDecision(ctx context.Context, convention string, x *model.Decision, entry model.AuditEntry) error {
	if err := s.meetingOf(ctx, convention, x.Meeting); err != nil {
		return err
	}
	return s.saveRow(ctx, "meeting_decisions", "convention_slug, "+decisionCols, &x.Meta, []any{convention, x.Meeting, x.Text,
		string(x.ObjectKind), x.ObjectKey}, entry)
}

// SaveAction inserts or updates at its version one follow-up action; its
// decision must belong to its meeting.
func (s *SQL) SaveAction(ctx context.Context, convention string, x *model.Action, entry model.AuditEntry) error {
	var n int
	if err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM meeting_decisions WHERE convention_slug = ? AND meeting_id = ? AND id = ?`),
		convention, x.Meeting, x.Decision).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return model.ErrNotFound
	}
	var due any
	if x.DueOn != nil {
		due = x.DueOn.String()
	}
	return s.saveRow(ctx, "meeting_actions", "convention_slug, "+actionCols, &x.Meta, []any{convention, x.Meeting, x.Decision, x.Text,
		x.Organization, x.Person, due, x.Status}, entry)
}

// replaceMeetings deletes the convention's meetings and writes list in
// its order. A meeting of the same committee, day and time as one
// recorded keeps its id, so that its address and its event in the
// calendars stay the same. Rows are read back in the order of their
// creation time: each gets its own second, the last one now, which both
// dialects store and sort exactly.
func (s *SQL) replaceMeetings(ctx context.Context, tx *sql.Tx, slug string, list []model.Meeting, now time.Time) error {
	kept := map[string][]string{}
	key := func(m *model.Meeting) string { return m.Committee + "|" + m.Date.String() + "|" + m.StartTime }
	rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT id, committee_key, meeting_date, start_time FROM meetings WHERE convention_slug = ?`), slug)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m model.Meeting
		if err := rows.Scan(&m.ID, &m.Committee, requiredDateCol{&m.Date}, &m.StartTime); err != nil {
			rows.Close()
			return err
		}
		kept[key(&m)] = append(kept[key(&m)], m.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, table := range []string{"meeting_actions", "meeting_decisions", "meeting_attendance", "meetings"} {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM `+table+` WHERE convention_slug = ?`), slug); err != nil {
			return err
		}
	}
	// The rows take the seconds up to now, none in the future.
	n := 0
	for _, m := range list {
		n += 1 + len(m.Attendance) + len(m.Decisions)
		for _, d := range m.Decisions {
			n += len(d.Actions)
		}
	}
	at := now.UTC().Truncate(time.Second).Add(-time.Duration(n) * time.Second)
	// insert writes a row with id, or a new one when id is empty.
	insert := func(table, cols, id string, args ...any) (string, error) {
		if id == "" {
			id = s.newID()
		}
		at = at.Add(time.Second)
		ts := s.d.timestamp(at)
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)+4), ", ")
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO `+table+` (id, `+cols+`, created_at, updated_at, version) VALUES (`+marks+`)`),
			append(append([]any{id}, args...), ts, ts, 1)...)
		return id, err
	}
	for i := range list {
		m := &list[i]
		reuse := ""
		if ids := kept[key(m)]; len(ids) == 1 {
			reuse = ids[0]
		}
		id, err := insert("meetings", meetingCols, reuse, slug, m.Committee, m.Date.String(), m.StartTime, m.Place, string(m.Status),
			agendaText(m.Agenda), m.Minutes)
		if err != nil {
			return err
		}
		for _, x := range m.Attendance {
			if _, err := insert("meeting_attendance", "convention_slug, "+attendanceCols, "", slug, id, x.Organization, x.Guest, x.Person,
				string(x.Status), x.RepresentedBy); err != nil {
				return err
			}
		}
		for _, d := range m.Decisions {
			did, err := insert("meeting_decisions", "convention_slug, "+decisionCols, "", slug, id, d.Text, string(d.ObjectKind), d.ObjectKey)
			if err != nil {
				return err
			}
			for _, a := range d.Actions {
				if _, err := insert("meeting_actions", "convention_slug, "+actionCols, "", slug, id, did, a.Text, a.Organization, a.Person,
					dateArg(a.DueOn), a.Status); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
