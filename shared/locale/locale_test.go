package locale

import "testing"

func TestEveryLocaleIsComplete(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
}
