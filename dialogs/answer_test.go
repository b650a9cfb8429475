package dialogs_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"parley/dialogs"
)

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	today := time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		as, in string
		want   any // nil: does not fit
	}{
		{"text", " Hi there ", " Hi there "},
		{"text", "", ""},
		{"number", "42", 42.0},
		{"number", " -3.25 ", -3.25},
		{"number", "3,5", 3.5},
		{"number", ".5", 0.5},
		{"number", "1,000", nil}, // thousand or one? refused, not guessed
		{"number", "1e9", nil},
		{"number", "NaN", nil},
		{"number", "Inf", nil},
		{"number", "0x10", nil},
		{"number", "12 apples", nil},
		{"number", strings.Repeat("9", 400), nil},
		{"integer", "123456", int64(123456)},
		{"integer", "#123456", int64(123456)},
		{"integer", "-7", int64(-7)},
		{"integer", "007", int64(7)},
		{"integer", "7.0", nil},
		{"integer", "9007199254740993", nil}, // 2^53 + 1 is not a Lua integer
		{"integer", "", nil},
		{"boolean", "Yes", true},
		{"boolean", "y", true},
		{"boolean", "OK!", true},
		{"boolean", "sí", true},
		{"boolean", "Ja", true},
		{"boolean", "да", true},
		{"boolean", "No.", false},
		{"boolean", "nope", false},
		{"boolean", "NEIN", false},
		{"boolean", "não", false},
		{"boolean", "maybe", nil},
		{"email", "ada@example.com", "ada@example.com"},
		{"email", " Ada Lovelace <ada@example.co.uk> ", "ada@example.co.uk"},
		{"email", "ada@localhost", nil},
		{"email", "ada@example.c", nil},
		{"email", "ada@-example.com", nil},
		{"email", "ada@@example.com", nil},
		{"email", "ada example.com", nil},
		{"email", "@example.com", nil},
		{"date", "2025-02-28", "2025-02-28"},
		{"date", "2025/2/8", "2025-02-08"},
		{"date", "08/02/2025", "2025-02-08"},
		{"date", "8/2/2025", "2025-02-08"},
		{"date", "8.2.2025", "2025-02-08"},
		{"date", "today", "2025-12-31"},
		{"date", "Tomorrow", "2026-01-01"},
		{"date", "yesterday", "2025-12-30"},
		{"date", "mañana", "2026-01-01"},
		{"date", "2025-02-30", nil},
		{"date", "31/31/2025", nil},
		{"date", "02/08/25", nil},
		{"date", "next week", nil},
		{"unknown", "x", nil},
	} {
		got, ok := dialogs.ParseAnswer(tc.as, tc.in, today)
		if ok != (tc.want != nil) || (ok && got != tc.want) {
			t.Errorf("ParseAnswer(%q, %q) = %#v, %v; want %#v", tc.as, tc.in, got, ok, tc.want)
		}
	}
}

func TestMatchChoice(t *testing.T) {
	t.Parallel()
	choices := []string{"Order status", "Talk to support", "Ça va"}
	for in, want := range map[string]string{
		"order status":        "Order status",
		"  TALK   to support": "Talk to support",
		"ÇA VA":               "Ça va",
		"order":               "",
		"":                    "",
	} {
		got, ok := dialogs.MatchChoice(in, choices)
		if got != want || ok != (want != "") {
			t.Errorf("MatchChoice(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestDocListsAPI: every keyword of the api table is documented in doc.go.
func TestDocListsAPI(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(dialogs.APINames(), "USER") {
		if !strings.Contains(string(doc), "//\t"+name) {
			t.Errorf("doc.go does not document %s (a line starting with a tab and %q)", name, name)
		}
	}
}
