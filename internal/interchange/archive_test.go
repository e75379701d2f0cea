package interchange

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func TestArchiveIsWrittenTheSameEachTime(t *testing.T) {
	contents := map[string][]byte{
		"8d1726662c5167672d4de5377b6edec87c1af8c803df8e420222c4704320e2ab": []byte("%PDF-1.4\n% convention signée\n"),
	}
	a, err := WriteArchive([]byte(minimal), contents)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := WriteArchive([]byte(minimal), contents)
	if !bytes.Equal(a, b) {
		t.Error("deux archives de la même convention diffèrent")
	}
	file, got, err := ReadArchive(a, 10<<20)
	if err != nil || string(file) != minimal || len(got) != 1 {
		t.Fatalf("relecture : %d documents, %v", len(got), err)
	}
}

func FuzzReadArchive(f *testing.F) {
	good, err := WriteArchive([]byte(minimal), map[string][]byte{
		"8d1726662c5167672d4de5377b6edec87c1af8c803df8e420222c4704320e2ab": []byte("%PDF-1.4\n% convention signée\n"),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, contents, err := ReadArchive(data, 1<<20)
		if err != nil {
			var ve *model.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("erreur non structurée : %v", err)
			}
			return
		}
		if len(file) > MaxSize || len(contents) >= MaxArchiveEntries {
			t.Fatalf("archive acceptée hors limites : %d octets, %d documents", len(file), len(contents))
		}
	})
}
