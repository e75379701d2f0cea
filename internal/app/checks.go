package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Check is one line of the checker's report: a finding, or the identical
// findings made on one record merged into one, with its acknowledgement
// when an editor accepted it as it is.
type Check struct {
	lint.Finding
	// Key designates the finding for its acknowledgement. It is made of
	// its rule, the part of the text and its message, so that it survives
	// edits elsewhere in the convention and a re-import.
	Key string `json:"key"`
	// Count is how many identical findings the line merges, and Paths
	// where they are (Path is the first of them).
	Count int      `json:"count"`
	Paths []string `json:"paths"`
	// Acknowledgement says who accepted the finding, when and why.
	Acknowledgement *model.Acknowledgement `json:"acknowledgement,omitempty"`
}

// Checks is the checker's report on a convention as of a date.
type Checks struct {
	At model.Date
	// Open lists the lines nobody acknowledged, the most serious first;
	// Acknowledged the others, in the same order.
	Open, Acknowledged []Check
	// Counts gives the number of open lines of each severity.
	Counts map[lint.Severity]int
}

// All lists every line, open ones first: what the exports give.
func (c *Checks) All() []Check {
	out := make([]Check, 0, len(c.Open)+len(c.Acknowledged))
	return append(append(out, c.Open...), c.Acknowledged...)
}

// FindingKey returns the stable key of a finding.
func FindingKey(f lint.Finding) string {
	sum := sha256.Sum256([]byte(f.Rule + "\x00" + f.Where + "\x00" + f.Message))
	return hex.EncodeToString(sum[:16])
}

// mergeFindings makes one line of the findings with the same rule and the
// same message on the same record, in the order of their first occurrence.
func mergeFindings(fs []lint.Finding) []Check {
	var out []Check
	index := map[string]int{}
	for _, f := range fs {
		record := f.Kind + "/" + f.ID
		if f.ID == "" {
			record = f.Path
		}
		k := f.Rule + "\x00" + record + "\x00" + f.Message
		if i, ok := index[k]; ok {
			out[i].Count++
			out[i].Paths = append(out[i].Paths, f.Path)
			continue
		}
		index[k] = len(out)
		out = append(out, Check{Finding: f, Key: FindingKey(f), Count: 1, Paths: []string{f.Path}})
	}
	return out
}

// Checks runs the checker on a convention the actor may read, as of the
// date at, and returns its lines with their acknowledgements.
func (s *Service) Checks(ctx context.Context, a *auth.Actor, slug string, at model.Date) (*model.Convention, *Checks, error) {
	// The checker reads the text in force on the day it looks at.
	if _, ok := DateOf(ctx); !ok {
		ctx = OnDate(ctx, at)
	}
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	checks, err := s.ChecksOf(ctx, c, at)
	return c, checks, err
}

// ChecksOf is Checks on a convention already loaded (and readable by the
// caller): one query for the acknowledgements, whatever their number.
func (s *Service) ChecksOf(ctx context.Context, c *model.Convention, at model.Date) (*Checks, error) {
	acks, err := s.store.Acknowledgements(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*model.Acknowledgement{}
	for i := range acks {
		byKey[acks[i].Key] = &acks[i]
	}
	findings, err := s.Findings(ctx, c, at)
	if err != nil {
		return nil, err
	}
	out := &Checks{At: at, Counts: map[lint.Severity]int{}}
	for _, line := range mergeFindings(findings) {
		if ack, ok := byKey[line.Key]; ok {
			line.Acknowledgement = ack
			out.Acknowledged = append(out.Acknowledged, line)
			continue
		}
		out.Open = append(out.Open, line)
		out.Counts[line.Severity]++
	}
	return out, nil
}

// CanAcknowledge reports whether the actor may acknowledge findings of a
// convention: its editors and admins.
func CanAcknowledge(a *auth.Actor, slug string) bool { return a.CanEdit(slug, nil) }

// maxReasonLength bounds the reason of an acknowledgement, in characters.
const maxReasonLength = 1000

func ackFields(ack *model.Acknowledgement) map[string]string {
	return map[string]string{"rule": ack.Rule, "message": ack.Message, "reason": ack.Reason}
}

// ackLabel names an acknowledged finding in the history.
func ackLabel(rule, where, what string) string {
	label := "Constat " + rule
	if where != "" {
		label += " (" + where + ")"
	}
	return label + " : " + what
}

// Acknowledge records, with its reason, that an editor accepts a finding
// of the checker as it is (as of the date at): it folds away on the
// checks page and stays in the exports, with who and why.
func (s *Service) Acknowledge(ctx context.Context, a *auth.Actor, slug, key, reason string, at model.Date) (*model.Acknowledgement, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	if !CanAcknowledge(a, slug) {
		return nil, fmt.Errorf("prendre en compte un constat : %w", model.ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, &model.ValidationError{Errors: []model.FieldError{{Path: "reason", Message: "indiquez pourquoi ce constat est pris en compte"}}}
	case utf8.RuneCountInString(reason) > maxReasonLength:
		return nil, &model.ValidationError{Errors: []model.FieldError{{Path: "reason",
			Message: fmt.Sprintf("la raison est trop longue (%d caractères au plus)", maxReasonLength)}}}
	}
	findings, err := s.Findings(ctx, c, at)
	if err != nil {
		return nil, err
	}
	for _, line := range mergeFindings(findings) {
		if line.Key != key {
			continue
		}
		ack := &model.Acknowledgement{Convention: slug, Key: key, Rule: line.Rule, RecordID: line.ID, Path: strings.Join(line.Paths, ", "),
			Message: line.Message, Reason: reason, UserID: a.UserID, By: a.PublicName()}
		entry := audited(a, slug, "create", "acknowledgement", "", ackLabel(line.Rule, line.Where, "pris en compte")).WithChange(nil, ackFields(ack))
		if err := s.store.AddAcknowledgement(ctx, ack, entry); err != nil {
			return nil, err
		}
		return ack, nil
	}
	return nil, fmt.Errorf("constat %s : %w", key, model.ErrNotFound)
}

// Unacknowledge withdraws the acknowledgement of a finding: it shows
// again among the open ones.
func (s *Service) Unacknowledge(ctx context.Context, a *auth.Actor, slug, key string) error {
	if _, err := s.Convention(ctx, a, slug); err != nil {
		return err
	}
	if !CanAcknowledge(a, slug) {
		return fmt.Errorf("annuler la prise en compte d'un constat : %w", model.ErrForbidden)
	}
	acks, err := s.store.Acknowledgements(ctx, slug)
	if err != nil {
		return err
	}
	for i := range acks {
		if ack := &acks[i]; ack.Key == key {
			entry := audited(a, slug, "delete", "acknowledgement", "", ackLabel(ack.Rule, "", "prise en compte annulée")).
				WithChange(ackFields(ack), nil)
			return s.store.DeleteAcknowledgement(ctx, slug, key, entry)
		}
	}
	return fmt.Errorf("constat %s non pris en compte : %w", key, model.ErrNotFound)
}
