package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// emptyLike opens a service over a new, empty database of the same kind
// as st (the PostgreSQL server's, or an SQLite file).
func emptyLike(t *testing.T, st store.Store) *app.Service {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "vide.db")
	if st.Dialect() == "postgres" {
		var err error
		if dsn, err = pg.CreateDatabase(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	svc, _ := apptest.Empty(t, dsn)
	return svc
}

var (
	signedPDF = []byte("%PDF-1.4\n% convention signée\n")
	scanPNG   = []byte("\x89PNG\r\n\x1a\n délibération numérisée")
)

// livedConvention gives the bundled convention a life: avenant n° 1
// signed on 20 February 2023, in force from 1 April 2023, adding fiche
// 5.1 under axis 5; avenant n° 2 in draft, changing article 10 in its
// working copy; a termination by mutual consent; two documents. The
// clock is then on 1 May 2023.
func livedConvention(t *testing.T, svc *app.Service) {
	t.Helper()
	ctx := context.Background()
	const slug = examples.ForcalquierSlug
	editor, x, wc := prepared(t, svc)
	if _, err := svc.Create(ctx, editor, x.WorkingCopy, "fiche", wc.Axes[4].ID, map[string]string{
		"code": "5.1", "title": "Soutenir les parents", "pilots": "caf04"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveAmendmentAuthorization(ctx, editor, slug, 1, app.AuthorizationInput{Organization: "caf04",
		Body: "conseil d'administration", DecidedOn: "2023-02-10", Reference: "CA-2023-04"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignAmendment(ctx, editor, slug, 1, app.SignatureInput{SignedOn: "2023-02-20", Place: "Forcalquier", EffectiveOn: "2023-04-01"}); err != nil {
		t.Fatal(err)
	}
	svc.SetClock(on("2023-05-01"))
	y, err := svc.PrepareAmendment(ctx, editor, slug, "Durée")
	if err != nil {
		t.Fatal(err)
	}
	wc, err = svc.Convention(ctx, editor, y.WorkingCopy)
	if err != nil {
		t.Fatal(err)
	}
	art := wc.Articles[9]
	if _, _, err := svc.Edit(ctx, editor, y.WorkingCopy, "article", art.ID, art.Version, map[string]string{"text": article10}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordTermination(ctx, editor, slug, app.TerminationInput{Mode: string(model.TerminationMutualConsent),
		Sender: "forcalquier", LetterOn: "2023-04-15", ReceivedOn: "2023-04-20", References: "LRAR 1A 234"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []app.DocumentInput{
		{OwnerKind: model.OwnerConvention, Name: "convention signée.pdf", Title: "Original signé", Content: bytes.NewReader(signedPDF)},
		{OwnerKind: model.OwnerAmendment, OwnerKey: "1", Name: "avenant-1.png", Content: bytes.NewReader(scanPNG)},
	} {
		if _, err := svc.AttachDocument(ctx, editor, slug, d); err != nil {
			t.Fatal(err)
		}
	}
}

func fileOf(t *testing.T, archive []byte) ([]byte, map[string][]byte) {
	t.Helper()
	file, contents, err := interchange.ReadArchive(archive, app.MaxDocumentSize)
	if err != nil {
		t.Fatal(err)
	}
	return file, contents
}

func hasFiche51(t *testing.T, svc *app.Service, day string) bool {
	t.Helper()
	c, err := svc.Convention(app.OnDate(context.Background(), model.MustDate(day)), auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	return fiche51(c) != nil
}

func TestArchiveCarriesTheConventionsLifeIntoAnEmptyDatabase(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		livedConvention(t, svc)
		archive, err := svc.Archive(ctx, auth.System, slug)
		if err != nil {
			t.Fatal(err)
		}
		file, contents := fileOf(t, archive)
		for _, section := range []string{"\navenants:\n", "\nversions:\n", "\nacts:\n", "\ndocuments:\n", "working_copy:", "changes:"} {
			if !bytes.Contains(file, []byte(section)) {
				t.Errorf("%q absent du fichier exporté", section)
			}
		}

		other := emptyLike(t, st)
		other.SetClock(on("2023-05-01"))
		r, err := other.ImportFile(ctx, archive, false)
		if err != nil {
			t.Fatal(err)
		}
		if r.Avenants != 2 || r.Documents != 2 || len(r.Notes) != 0 {
			t.Errorf("import : %d avenants, %d documents, notes %q", r.Avenants, r.Documents, r.Notes)
		}
		again, err := other.Archive(ctx, auth.System, slug)
		if err != nil {
			t.Fatal(err)
		}
		file2, contents2 := fileOf(t, again)
		if !bytes.Equal(file, file2) {
			t.Errorf("le fichier de l'archive change après import puis export :\n%s", firstDifference(file, file2))
		}
		if !reflect.DeepEqual(contents, contents2) || len(contents) != 2 {
			t.Errorf("documents : %d contenus exportés, %d relus, identiques : %v", len(contents), len(contents2), reflect.DeepEqual(contents, contents2))
		}

		// The imported convention reads the same before and after the
		// avenant's effect, and compares its versions the same.
		for _, day := range []string{"2023-03-15", "2023-04-02"} {
			if a, b := hasFiche51(t, svc, day), hasFiche51(t, other, day); a != b || a != (day == "2023-04-02") {
				t.Errorf("fiche 5.1 le %s : %v dans la base d'origine, %v dans la base importée", day, a, b)
			}
		}
		want, err := svc.CompareVersions(ctx, auth.System, slug, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := other.CompareVersions(ctx, auth.System, slug, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want.Changes, got.Changes) || len(got.Changes) == 0 {
			t.Errorf("comparaison des versions 0 et 1 :\n%+v\nau lieu de\n%+v", got.Changes, want.Changes)
		}
		acts, err := other.Acts(ctx, auth.System, slug)
		if err != nil || acts.Termination == nil || acts.Termination.EffectiveOn != model.MustDate("2023-10-20") {
			t.Errorf("résiliation importée : %+v %v", acts.Termination, err)
		}

		// The draft avenant's working copy is the editors' to edit.
		editor := member("Éditrice", auth.RoleEditor, "")
		draft, err := other.Amendment(ctx, editor, slug, 2)
		if err != nil || draft.State != model.AmendmentDraft || len(draft.Changes) != 1 {
			t.Fatalf("avenant n° 2 importé : %+v %v", draft, err)
		}
		wc, err := other.Convention(ctx, editor, draft.WorkingCopy)
		if err != nil {
			t.Fatal(err)
		}
		art := wc.Articles[0]
		if _, _, err := other.Edit(ctx, editor, draft.WorkingCopy, "article", art.ID, art.Version, map[string]string{"text": "Article modifié par l'avenant."}); err != nil {
			t.Errorf("copie de travail importée non modifiable par l'éditrice : %v", err)
		}
		if draft, _ = other.Amendment(ctx, editor, slug, 2); len(draft.Changes) != 2 {
			t.Errorf("modifications de l'avenant n° 2 après édition : %d", len(draft.Changes))
		}
	})
}

func TestPlainFileDescribesDocumentsWithoutImportingThem(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		livedConvention(t, svc)
		withDocuments, err := svc.Export(ctx, auth.System, examples.ForcalquierSlug)
		if err != nil {
			t.Fatal(err)
		}
		other := emptyLike(t, st)
		other.SetClock(on("2023-05-01"))
		r, err := other.ImportFile(ctx, withDocuments, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "2 document(s)") || !strings.Contains(r.Notes[0], "archive") {
			t.Errorf("notes de l'import : %q", r.Notes)
		}
		first, err := other.Export(ctx, auth.System, examples.ForcalquierSlug)
		if err != nil {
			t.Fatal(err)
		}
		// Everything but the documents came in.
		rest, ok := bytes.CutPrefix(withDocuments, first)
		if !ok || !bytes.HasPrefix(rest, []byte("documents:\n")) {
			t.Errorf("l'export après import diffère d'autre chose que des documents :\n%s", firstDifference(withDocuments, first))
		}
		if _, err := other.ImportFile(ctx, first, true); err != nil {
			t.Fatal(err)
		}
		second, err := other.Export(ctx, auth.System, examples.ForcalquierSlug)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("import → export → import → export non identique :\n%s", firstDifference(first, second))
		}
		// Replacing from a YAML file keeps the documents stored.
		r, err = svc.ImportFile(ctx, withDocuments, true)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := svc.Documents(ctx, auth.System, examples.ForcalquierSlug)
		if err != nil || len(docs) != 2 || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "déjà enregistrés sont conservés") {
			t.Errorf("remplacement par le YAML : %d documents gardés, notes %q, %v", len(docs), r.Notes, err)
		}
	})
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "ligne " + strconv.Itoa(i+1) + " :\n- " + la[i] + "\n+ " + lb[i]
		}
	}
	return "longueurs " + strconv.Itoa(len(la)) + " et " + strconv.Itoa(len(lb)) + " lignes"
}

// rezip rebuilds an archive: each entry of src passed through change
// (which may drop it, nil, or change its content), then extra entries.
func rezip(t *testing.T, src []byte, change func(name string, data []byte) []byte, extra func(zw *zip.Writer)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if change != nil {
			if data = change(f.Name, data); data == nil {
				continue
			}
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if extra != nil {
		extra(zw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sumOf(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func TestHostileArchivesAreRefusedWritingNothing(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	livedConvention(t, svc)
	good, err := svc.Archive(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	pdfEntry := "documents/" + sumOf(signedPDF)
	zeros := make([]byte, 64<<20)
	cases := map[string]struct {
		archive []byte
		message string
	}{
		"bombe : une entrée de quelques Ko qui se décompresse en 64 Mo": {rezip(t, good, nil, func(zw *zip.Writer) {
			w, _ := zw.Create("documents/" + sumOf(zeros))
			w.Write(zeros)
		}), "trop volumineuse une fois décompressée"},
		"contenu qui ne correspond pas à son empreinte": {rezip(t, good, func(name string, data []byte) []byte {
			if name == pdfEntry {
				return []byte("%PDF-1.4\n% autre texte, même taille\n")[:len(data)]
			}
			return data
		}, nil), "ne correspond pas à son empreinte SHA-256"},
		"entrée ../x": {rezip(t, good, nil, func(zw *zip.Writer) {
			w, _ := zw.Create("../x")
			w.Write([]byte("x"))
		}), "entrée inattendue"},
		"10 001 entrées": {rezip(t, good, nil, func(zw *zip.Writer) {
			for i := range 10001 - 3 {
				w, _ := zw.CreateHeader(&zip.FileHeader{Name: "documents/" + sumOf([]byte(strconv.Itoa(i))), Method: zip.Store})
				w.Write([]byte(strconv.Itoa(i)))
			}
		}), "trop d'entrées"},
		"entrées qui dépassent ensemble la limite": {rezip(t, good, nil, func(zw *zip.Writer) {
			// Declared sizes only: the archive is refused before any is read.
			for i := range 30 {
				w, _ := zw.CreateRaw(&zip.FileHeader{Name: "documents/" + sumOf([]byte{byte(i)}), Method: zip.Deflate,
					UncompressedSize64: app.MaxDocumentSize, CompressedSize64: 1})
				w.Write([]byte{0})
			}
		}), "dépassent ensemble"},
		"document sans son contenu": {rezip(t, good, func(name string, data []byte) []byte {
			if name == pdfEntry {
				return nil
			}
			return data
		}, nil), "manque dans l'archive"},
	}
	before, err := st.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := svc.ImportFile(ctx, c.archive, true)
			var ve *model.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("erreur = %v ; « %s » attendu", err, c.message)
			}
			after, err := st.Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("la base a changé : %v → %v", before, after)
			}
		})
	}
	// The same archive, untouched, is taken: the cases fail for their fault.
	if _, err := svc.ImportFile(ctx, good, true); err != nil {
		t.Fatalf("archive intacte refusée : %v", err)
	}
}
