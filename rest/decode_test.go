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
