package web

import (
	"net/http"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/model"
)

// outboxLimit is how many of the latest messages the outbox page lists.
const outboxLimit = 500

type outboxData struct {
	Messages []model.Mail
	// Configured: an SMTP server is configured and the outbox is sent.
	Configured bool
	Limit      int
}

// adminMail lists the outbox for platform administrators: what ctg sent,
// is sending, or would have sent without an SMTP server.
func (s *Server) adminMail(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, false)
	if a == nil {
		return
	}
	list, err := s.app.Outbox(r.Context(), a, outboxLimit)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "admin_mail.html", page{Title: "Courriels de la plateforme",
		Data: outboxData{Messages: list, Configured: s.app.MailConfigured(), Limit: outboxLimit}})
}

// adminMailCSV exports the outbox list (without the messages' bodies).
func (s *Server) adminMailCSV(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, false)
	if a == nil {
		return
	}
	list, err := s.app.Outbox(r.Context(), a, outboxLimit)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rows := make([][]string, 0, len(list))
	for _, m := range list {
		sent := ""
		if m.SentAt != nil {
			sent = frenchTime(*m.SentAt)
		}
		rows = append(rows, []string{frenchTime(m.CreatedAt), m.To, m.Subject, m.Convention, m.State.Label(),
			strconv.Itoa(m.Attempts), sent, m.LastError})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeCSV(w, "courriels.csv", []string{"Créé le", "Destinataire", "Objet", "Convention", "État", "Tentatives", "Envoyé le", "Dernière erreur"}, rows)
}

// adminMailMessage shows one message of the outbox, its text readable.
func (s *Server) adminMailMessage(w http.ResponseWriter, r *http.Request) {
	a := s.platformAdmin(w, r, false)
	if a == nil {
		return
	}
	m, err := s.app.OutboxMessage(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "admin_mail_message.html", page{Title: "Courriel : " + m.Subject,
		Data: outboxData{Messages: []model.Mail{*m}, Configured: s.app.MailConfigured()}})
}
