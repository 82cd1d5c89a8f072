package qr

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestSVGIsWellFormedAndDrawsModules(t *testing.T) {
	svg, err := SVG("https://example.com/j/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", `Scan <me> & "join"`)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
			break
		}
	}
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, `<path fill="#000" d="M`) || strings.Contains(svg, "<me>") {
		t.Fatalf("svg: %.200s", svg)
	}
}
