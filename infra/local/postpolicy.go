package local

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// postRefusal is S3's answer to a browser upload its policy does not allow:
// the status and the XML error document S3 sends (it has no redirect for
// failures: the browser shows this document).
type postRefusal struct {
	XMLName        xml.Name `xml:"Error"`
	Status         int      `xml:"-"`
	Code           string   `xml:"Code"`
	Message        string   `xml:"Message"`
	ProposedSize   int64    `xml:"ProposedSize,omitempty"`
	MaxSizeAllowed int64    `xml:"MaxSizeAllowed,omitempty"`
	MinSizeAllowed int64    `xml:"MinSizeAllowed,omitempty"`
	RequestID      string   `xml:"RequestId"`
}

func (p *postRefusal) write(w http.ResponseWriter) {
	body, _ := xml.Marshal(p)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append([]byte(xml.Header), body...))
}

func denied(msg string) *postRefusal {
	return &postRefusal{Status: http.StatusForbidden, Code: "AccessDenied", Message: msg}
}

// checkPostPolicy checks a browser upload (POST Object) against its policy
// as S3 does: the policy must not have expired, every condition must hold
// (exact matches, "eq", "starts-with", "content-length-range" on the file's
// size), and every form field must be named by a condition, but for those S3
// exempts. The signature is not checked: the local S3 (gofakes3) checks no
// signature anywhere. Nil when the upload may go ahead.
func checkPostPolicy(form *multipart.Form, bucket string, now time.Time) *postRefusal {
	if form == nil {
		return &postRefusal{Status: http.StatusBadRequest, Code: "MalformedPOSTRequest", Message: "The body of your POST request is not well-formed multipart/form-data."}
	}
	fields := map[string]string{"bucket": bucket}
	for k, v := range form.Value {
		if len(v) > 0 {
			fields[strings.ToLower(k)] = v[0]
		}
	}
	raw, ok := fields["policy"]
	if !ok {
		return denied("Access Denied")
	}
	doc, err := base64.StdEncoding.DecodeString(raw)
	var policy struct {
		Expiration string `json:"expiration"`
		Conditions []any  `json:"conditions"`
	}
	if err != nil || json.Unmarshal(doc, &policy) != nil {
		return &postRefusal{Status: http.StatusBadRequest, Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid JSON."}
	}
	exp, err := time.Parse(time.RFC3339, policy.Expiration)
	if err != nil {
		return &postRefusal{Status: http.StatusBadRequest, Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid 'expiration' value: '" + policy.Expiration + "'"}
	}
	if !now.Before(exp) {
		return denied("Invalid according to Policy: Policy expired.")
	}
	var size int64
	if f := form.File["file"]; len(f) == 1 {
		size = f[0].Size
	}
	named := map[string]bool{}
	for _, c := range policy.Conditions {
		switch c := c.(type) {
		case map[string]any:
			for k, v := range c {
				name := strings.ToLower(k)
				named[name] = true
				if want, _ := v.(string); fields[name] != want {
					return denied(fmt.Sprintf(`Invalid according to Policy: Policy Condition failed: ["eq", "$%s", %q]`, k, want))
				}
			}
		case []any:
			if len(c) != 3 {
				return &postRefusal{Status: http.StatusBadRequest, Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid Condition."}
			}
			op, _ := c[0].(string)
			if strings.EqualFold(op, "content-length-range") {
				lo, _ := c[1].(float64)
				hi, _ := c[2].(float64)
				if size > int64(hi) {
					return &postRefusal{Status: http.StatusBadRequest, Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed size",
						ProposedSize: size, MaxSizeAllowed: int64(hi)}
				}
				if size < int64(lo) {
					return &postRefusal{Status: http.StatusBadRequest, Code: "EntityTooSmall", Message: "Your proposed upload is smaller than the minimum allowed size",
						ProposedSize: size, MinSizeAllowed: int64(lo)}
				}
				continue
			}
			field, _ := c[1].(string)
			want, _ := c[2].(string)
			name := strings.ToLower(strings.TrimPrefix(field, "$"))
			named[name] = true
			got := fields[name]
			if (strings.EqualFold(op, "eq") && got != want) || (strings.EqualFold(op, "starts-with") && !strings.HasPrefix(got, want)) {
				return denied(fmt.Sprintf(`Invalid according to Policy: Policy Condition failed: [%q, %q, %q]`, op, field, want))
			}
		}
	}
	for name := range fields {
		switch {
		case named[name], name == "bucket", name == "policy", name == "x-amz-signature", name == "file", strings.HasPrefix(name, "x-ignore-"):
		default:
			return denied("Invalid according to Policy: Extra input fields: " + name)
		}
	}
	return nil
}
