package web

import "net/http"

// apiArchive sends the archive of a convention to its members: its file
// in the interchange format, with its life, and its documents' contents
// (docs/format.md, « Archive »).
func (s *Server) apiArchive(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	data, err := s.app.Archive(r.Context(), a, slug)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+slug+`.zip"`)
	_, _ = w.Write(data)
}
