package dialogs_test

import (
	"math"
	"net/mail"
	"testing"
	"time"

	"parley/dialogs"
)

// FuzzParseAnswer: HEAR's `as` parsing is total (no panic), deterministic,
// and what it accepts has the documented shape.
//
//	go test -run '^$' -fuzz FuzzParseAnswer -fuzztime 30s ./dialogs
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{
		"42", "-3,5", "#123456", "1,000", "yes", "Nein!", "ada@example.com", "Ada <ada@example.com>",
		"2025-12-31", "31/12/2025", "tomorrow", "mañana", "9999999999999999999", "1e5", "NaN", "", " ",
	} {
		f.Add(s)
	}
	today := time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		for _, as := range []string{"text", "number", "integer", "boolean", "email", "date"} {
			v, ok := dialogs.ParseAnswer(as, s, today)
			v2, ok2 := dialogs.ParseAnswer(as, s, today)
			if ok != ok2 || v != v2 {
				t.Fatalf("%s %q: not deterministic", as, s)
			}
			if ok {
				checkShape(t, as, s, v)
			}
		}
	})
}

func checkShape(t *testing.T, as, s string, v any) {
	t.Helper()
	bad := false
	switch as {
	case "text":
		bad = v != s
	case "number":
		n, isNum := v.(float64)
		bad = !isNum || math.IsNaN(n) || math.IsInf(n, 0)
	case "integer":
		n, isInt := v.(int64)
		bad = !isInt || n > 1<<53 || n < -(1<<53)
	case "boolean":
		_, isBool := v.(bool)
		bad = !isBool
	case "email":
		addr, isStr := v.(string)
		_, err := mail.ParseAddress(addr)
		bad = !isStr || err != nil
	case "date":
		d, isStr := v.(string)
		_, err := time.Parse("2006-01-02", d)
		bad = !isStr || err != nil
	}
	if bad {
		t.Fatalf("%s %q accepted as %#v", as, s, v)
	}
}
