package dialogs_test

import (
	"context"
	"strings"
	"testing"

	"parley/dialogs"
)

// TestKeywordSignatures shows how Signature writes optional and repeated
// parameters.
func TestKeywordSignatures(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"RANDOM": "RANDOM(m, n)", "HEAR": "HEAR([options])", "HTTP_POST": "HTTP_POST(url[, body])",
		"LOG": "LOG(...)", "NOW": "NOW()", "MENU": "MENU(prompt, choices)",
	}
	for _, k := range dialogs.Keywords() {
		if w, ok := want[k.Name]; ok && k.Signature() != w {
			t.Errorf("%s: Signature() = %q, want %q", k.Name, k.Signature(), w)
		}
	}
}

// TestKeywordDocsMatchRuntime holds the description equal to what the
// keywords do: the options a keyword's error lists for an unknown one are
// its Options, HEAR's as takes the Values listed, a call with one
// argument fewer than the required ones fails, one with the required ones
// alone runs, and every example runs.
func TestKeywordDocsMatchRuntime(t *testing.T) {
	t.Parallel()
	sample := map[string]string{
		"string": `"a"`, "integer": "1", "number": "1", "table": "{}", "string[]": `{"a"}`,
		"string|table": `"a"`, "string|string[]": `"a"`, "any": "1",
	}
	for _, k := range dialogs.Keywords() {
		if len(k.Options) > 0 {
			names := make([]string, len(k.Options))
			for i, o := range k.Options {
				names[i] = o.Name
			}
			err := runError(t, k.Name+`{zz_unknown = 1}`)
			if want := "(" + strings.Join(names, ", ") + ")"; !strings.Contains(err, want) {
				t.Errorf("%s{zz_unknown = 1} fails with %q; the description's options are %s", k.Name, err, want)
			}
		}
		for _, o := range k.Options {
			if o.Values == nil {
				continue
			}
			err := runError(t, k.Name+`{`+o.Name+` = "zz"}`)
			want := strings.Join(o.Values[:len(o.Values)-1], ", ") + " or " + o.Values[len(o.Values)-1]
			if !strings.Contains(err, want) {
				t.Errorf("%s{%s = \"zz\"} fails with %q; the description's values are %s", k.Name, o.Name, err, want)
			}
		}
		var required []string
		for _, p := range k.Params {
			if p.Optional {
				break
			}
			v, ok := sample[p.Type]
			if !ok {
				t.Fatalf("%s: no sample value of type %s", k.Name, p.Type)
			}
			required = append(required, v)
		}
		if n := len(required); n > 0 {
			src := k.Name + "(" + strings.Join(required[:n-1], ", ") + ")"
			if runError(t, src) == "" {
				t.Errorf("%s runs: the description says %s needs %d arguments", src, k.Name, n)
			}
		}
		src := k.Name + "(" + strings.Join(required, ", ") + ")"
		if err := runError(t, src); err != "" {
			t.Errorf("%s fails (%s): the description says the other parameters are optional", src, err)
		}
		if err := runError(t, k.Example); err != "" {
			t.Errorf("%s's example %s fails: %s", k.Name, k.Example, err)
		}
	}
}

// runError runs src as a bot's script to its first HEAR (or its end) and
// returns the error it fails with, "" for none.
func runError(t *testing.T, src string) string {
	t.Helper()
	c := startChat(t, newEngine(t, sourceFS(src)), "t", nil)
	c.host.fast = true
	_, err := c.d.Step(context.Background(), nil)
	if err != nil {
		return scriptError(t, err).Error()
	}
	return ""
}
