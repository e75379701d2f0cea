package web

import (
	"bytes"
	"net/http"

	"github.com/ctg-territoires/ctg/internal/model"
)

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate writes a date the French way: "9 novembre 2022".
func frenchDate(d model.Date) string {
	if d.IsZero() {
		return ""
	}
	day := itoa(d.Day)
	if d.Day == 1 {
		day = "1er"
	}
	return day + " " + frenchMonths[d.Month-1] + " " + itoa(d.Year)
}

func itoa(n int) string {
	var b []byte
	for n >= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(append([]byte{byte('0' + n)}, b...))
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	list, err := s.app.Conventions(r.Context())
	if err != nil {
		s.log.Error("liste des conventions", "erreur", err)
		http.Error(w, "Erreur interne du serveur", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "home.html", map[string]any{"Conventions": list, "Version": s.version}); err != nil {
		s.log.Error("page d'accueil", "erreur", err)
		http.Error(w, "Erreur interne du serveur", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
