package store

import (
	"encoding/json"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// The rows of an import's audit entry are written as encoding/json writes
// them, whatever their characters: the history reads them back, and finds
// a value's line by its "object_id".
func TestAuditRowsEncodeAsJSON(t *testing.T) {
	odd := "a\"b\\c\n\r\t\b\f\x01\x1f <b>&amp; é€𝄞 \u2028\u2029 \xff\xfe fin"
	rows := []model.AuditRow{
		{Action: "create", ObjectID: "id1", Label: "valeur 2023", After: map[string]string{"value": "12,5", "source": odd, "period": "2023"}},
		{Action: "update", ObjectID: odd, Label: odd, Before: map[string]string{odd: odd, "": ""}, After: map[string]string{"b": "2", "a": "1"}},
		{Action: "delete", ObjectID: "id3", Before: map[string]string{}, After: nil},
		{},
	}
	want, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := auditRowsJSON(rows); got != string(want) {
		t.Fatalf("encodé :\n%s\nattendu :\n%s", got, want)
	}
	if got := auditRowsJSON(rows[:1]); got != mustJSON(t, rows[:1]) {
		t.Fatalf("une ligne : %s", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
