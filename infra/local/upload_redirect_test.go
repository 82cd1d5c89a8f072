package local_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
)

// A CV form posted straight from a browser returns it to the console: the
// API signs success_action_redirect into the policy, and S3 answers the
// upload 303 to that page with the bucket, key and ETag; the upload is
// registered as any other. A redirect anywhere else is refused, 422.
func TestABrowserUploadReturnsToTheConsole(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	app := openApplication(t, id)
	back := cloud.Settings[topology.SettingPublicBaseURL] + "/console/candidates/" + id + "?done=uploaded"

	if res := do(t, "POST", "/api/candidates/"+id+"/documents", fmt.Sprintf(`{"kind":"cv","contentType":"application/pdf","size":%d,"applicationId":%q,"redirect":"https://evil.example/"}`,
		consent.MaxCVSize, app), recruiter()); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a redirect elsewhere: %d %s, want 422", res.Status, res.Body)
	}
	res := do(t, "POST", "/api/candidates/"+id+"/documents", fmt.Sprintf(`{"kind":"cv","contentType":"application/pdf","size":%d,"applicationId":%q,"redirect":%q}`,
		consent.MaxCVSize, app, back), recruiter())
	var doc authorized
	res.json(t, &doc)
	if res.Status != http.StatusCreated || doc.Upload.Fields["success_action_redirect"] != back {
		t.Fatalf("authorize: %d %s", res.Status, res.Body)
	}

	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range doc.Upload.Fields {
		_ = w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("file", "cv.pdf")
	part.Write([]byte("%PDF-1.4 a CV sent from a browser"))
	w.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	up, err := client.Post(doc.Upload.URL, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	up.Body.Close()
	cloud.ObjectEventsDelivered()
	loc, err := url.Parse(up.Header.Get("Location"))
	if up.StatusCode != http.StatusSeeOther || err != nil || loc.Path != "/console/candidates/"+id || loc.Query().Get("done") != "uploaded" ||
		loc.Query().Get("key") == "" || loc.Query().Get("etag") == "" {
		t.Fatalf("upload answered %d, Location %q; want 303 back to the console with the key and ETag", up.StatusCode, up.Header.Get("Location"))
	}
	if st, d := document(t, id, doc.DocumentID); st != http.StatusOK || d.Size == 0 {
		t.Fatalf("the uploaded CV: %d %+v, want registered", st, d)
	}
}
