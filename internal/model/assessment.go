package model

// Assessment is the coordinator's written assessment of a fiche for one
// year of the convention, printed in that year's bilan. There is at most
// one per convention, fiche and year; it is corrected in place, at its
// version, like any record.
type Assessment struct {
	Meta
	Convention string `json:"convention"`
	// Fiche is the code of the fiche ("2.2").
	Fiche string `json:"fiche"`
	Year  int    `json:"year"`
	Text  string `json:"text"`
	// Author names who wrote the current text.
	Author string `json:"author"`
}
