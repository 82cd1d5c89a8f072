package browser

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
)

// A recruiter uploads a CV from the candidate's page without script: the
// console shows a form signed for one file, the browser posts the file
// straight to the local S3, and S3 sends it back to the candidate's page,
// which confirms the upload and soon lists the CV. A file larger than the
// form allows is refused by S3 itself, which answers with its own XML
// error page: the form says so beforehand, and nothing is kept.
func TestRecruiterUploadsACV(t *testing.T) {
	id := registerCandidate(t, "Katherine Johnson", fmt.Sprintf("katherine.%d@example.com", time.Now().UnixNano()), "en")
	var app struct{ ApplicationID string }
	if st := api(t, "POST", "/api/candidates/"+id+"/applications", map[string]string{"position": "Flight engineer"}, &app); st != http.StatusCreated {
		t.Fatalf("open an application: %d", st)
	}
	rec := newBrowser(t)
	signIn(t, rec, "")
	page := cloud.AppURL + "/console/candidates/" + id
	must(t, rec, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#cv-type`)))
	if files := text(t, rec, `section[aria-labelledby=files]`); !strings.Contains(files, "No CVs or recordings.") {
		t.Fatalf("a new candidate already has files:\n%s", files)
	}

	// Choose "Upload a CV" for the open application, as PDF.
	must(t, rec, chromedp.SetValue(chromedp.CSS(`#cv-application`), app.ApplicationID),
		chromedp.SetValue(chromedp.CSS(`#cv-type`), "application/pdf"))
	submit(t, rec, `form[action$="/documents"] button[type=submit]`)
	if got := text(t, rec, "h1"); got != "Upload a CV" {
		t.Fatalf("after choosing the file type: %q at %s", got, location(t, rec))
	}
	form := text(t, rec, "main")
	for _, want := range []string{"Flight engineer", "as PDF", "at most 20 MB", "Only a PDF file of at most 20 MB", "EntityTooLarge", "choose \"Upload a CV\" again"} {
		if !strings.Contains(form, want) {
			t.Errorf("the upload form does not say %q:\n%s", want, form)
		}
	}
	if accept := get(t, rec, chromedp.Evaluate[string](`document.querySelector('#file').accept`)); accept != ".pdf,application/pdf" {
		t.Errorf("the file picker offers %q, want PDF only", accept)
	}
	action := get(t, rec, chromedp.Evaluate[string](`document.querySelector('form[enctype="multipart/form-data"]').action`))
	if !strings.HasPrefix(action, cloud.Endpoints["S3"]+"/") {
		t.Fatalf("the form posts to %q, not straight to the local S3 at %s", action, cloud.Endpoints["S3"])
	}
	key := get(t, rec, chromedp.Evaluate[string](`document.querySelector('input[name=key]').value`))
	if key == "" || strings.Contains(key, "Katherine") {
		t.Fatalf("the form's key %q", key)
	}
	shoot(t, rec, "console-upload-form")

	// A file larger than the form allows: S3 refuses it, with its XML error.
	big := filepath.Join(t.TempDir(), "too-large.pdf")
	if err := os.WriteFile(big, append([]byte("%PDF-1.4\n"), make([]byte, consent.MaxCVSize)...), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, rec, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{big}))
	submit(t, rec, `form[enctype="multipart/form-data"] button[type=submit]`)
	refusal := get(t, rec, chromedp.Evaluate[string](`new XMLSerializer().serializeToString(document)`))
	if !strings.Contains(refusal, "<Code>EntityTooLarge</Code>") {
		t.Fatalf("a file over 20 MB: the browser shows, at %s:\n%.600s", location(t, rec), refusal)
	}
	if st := object(t, key); st != http.StatusNotFound {
		t.Fatalf("after the refusal the object answers %d, want 404 (nothing kept)", st)
	}

	// Back from S3's page does not return to the form (it was the answer
	// to a POST): as the form's note says, the recruiter opens the
	// candidate's page again, where nothing was registered, and starts over.
	must(t, rec, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#cv-type`)))
	if files := text(t, rec, `section[aria-labelledby=files]`); strings.Contains(files, "uploaded") {
		t.Fatalf("after the refusal the page lists an upload:\n%s", files)
	}
	must(t, rec, chromedp.SetValue(chromedp.CSS(`#cv-type`), "application/pdf"))
	submit(t, rec, `form[action$="/documents"] button[type=submit]`)
	key = get(t, rec, chromedp.Evaluate[string](`document.querySelector('input[name=key]').value`))
	cv, err := filepath.Abs(filepath.Join("testdata", "cv.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	must(t, rec, chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{cv}))
	submit(t, rec, `form[enctype="multipart/form-data"] button[type=submit]`)

	// S3 answers 303 back to the candidate's page, which confirms the upload.
	loc, err := url.Parse(location(t, rec))
	if err != nil || loc.Path != "/console/candidates/"+id || loc.Query().Get("done") != "uploaded" || loc.Query().Get("key") != key {
		t.Fatalf("after the upload the browser is at %s, want the candidate's page with done=uploaded and the key", location(t, rec))
	}
	if got := text(t, rec, ".notice.done"); !strings.Contains(got, "CV uploaded") {
		t.Errorf("the page does not confirm the upload: %q", got)
	}
	if st := object(t, key); st != http.StatusOK {
		t.Fatalf("the CV in the local bucket: %d, want 200", st)
	}
	// The CV is registered from S3's event within moments: reload until
	// it is listed with its state and deadline.
	waitForText(t, rec, page, `section[aria-labelledby=files]`, "uploaded")
	row := text(t, rec, `section[aria-labelledby=files] tbody`)
	for _, want := range []string{"CV", "uploaded", "kept while its basis lasts"} {
		if !strings.Contains(row, want) {
			t.Errorf("the CV's row does not show %q:\n%s", want, row)
		}
	}
	shoot(t, rec, "console-candidate-cv")
}

// object answers the status of a GET of a key in the local CV bucket.
func object(t *testing.T, key string) int {
	t.Helper()
	res, err := http.Get(cloud.Endpoints["S3"] + "/" + local.BucketName(topology.CVBucket) + "/" + key)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
