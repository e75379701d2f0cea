package edit

import "github.com/ctg-territoires/ctg/internal/model"

// vocabularyOptions offers the values of a model vocabulary with their
// French labels, after the empty value ("non précisée").
func vocabularyOptions[T interface {
	~string
	Label() string
}](values []T) func(*model.Convention) []Option {
	return func(*model.Convention) []Option {
		out := []Option{{"", T("").Label()}}
		for _, v := range values {
			out = append(out, Option{string(v), v.Label()})
		}
		return out
	}
}
