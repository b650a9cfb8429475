package rest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"parley/runtime"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body  string
		limit int64
		want  runtime.Kind // "" accepted
	}{
		{`{"content":"hi"}`, 1024, ""},
		{"{\"content\":\"hi\"} \n\t", 1024, ""},
		{`{"content":"` + strings.Repeat("x", 2000) + `"}`, 1024, runtime.KindTooLarge},
		{`{"content":"hi"}{"content":"again"}`, 1024, runtime.KindInvalid},
		{`{"content":"hi"} {}`, 1024, runtime.KindInvalid},
		{`{"content":"hi"} x`, 1024, runtime.KindInvalid},
		{`{"content":"hi"}}`, 1024, runtime.KindInvalid},
		{`{"content":"hi"}]`, 1024, runtime.KindInvalid},
		{`{"content":"hi"}` + strings.Repeat(" ", 2000), 1024, runtime.KindTooLarge},
		{`{"content":`, 1024, runtime.KindInvalid},
		{`["hi"]`, 1024, runtime.KindInvalid},
		{`{"content":42}`, 1024, runtime.KindInvalid},
		{``, 1024, runtime.KindInvalid},
		{`{"contnet":"hi"}`, 1024, runtime.KindInvalid},
	}
	for _, tc := range cases {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/x", strings.NewReader(tc.body))
		r.Body = http.MaxBytesReader(w, r.Body, tc.limit)
		var v struct {
			Content string `json:"content"`
		}
		err := decode(r, &v)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.40q: %v", tc.body, err)
		case tc.want != "" && !runtime.IsKind(err, tc.want):
			t.Errorf("%.40q: err = %v, want %s", tc.body, err, tc.want)
		}
	}
}

// What a bad body is told: the API's terms, never Go's.
func TestDecodeMessages(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`["hi"]`:           "the body must be one JSON object: it is an array",
		`"hi"`:             "the body must be one JSON object: it is a string",
		`{"contnet":"x"}`:  `the body must be one JSON object: unknown field "contnet"`,
		`{"content":42}`:   "the body must be one JSON object: content must be a string, not a number",
		`{"n":"x"}`:        "the body must be one JSON object: n must be a whole number, not a string",
		`{"content":`:      "the body must be one JSON object: it ends too soon",
		`{"content" "x"}`:  "the body must be one JSON object: it is not valid JSON (at byte 12)",
		``:                 "the body must be one JSON object: the body is empty",
		`{"content":"x"}1`: "the body must be one JSON object: more than one value",
	}
	for body, want := range cases {
		r := httptest.NewRequest("POST", "/api/x", strings.NewReader(body))
		var v struct {
			Content string `json:"content"`
			N       *int64 `json:"n"`
		}
		if got := runtime.ErrorMessage(decode(r, &v)); got != want {
			t.Errorf("%q: %q, want %q", body, got, want)
		}
	}
}
