package dialogs_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"parley/dialogs"
)

// TestKeywordTable: the description table (keywords_doc.go) has one entry
// per keyword of the api table and none other, USER as a table, and each
// entry says what the reference and the annotations need.
func TestKeywordTable(t *testing.T) {
	t.Parallel()
	var names []string
	all := append(dialogs.Keywords(), dialogs.Tables()...)
	for _, k := range all {
		names = append(names, k.Name)
		if k.Summary == "" || k.Example == "" || k.Replay == "" {
			t.Errorf("%s: Summary, Example and Replay are all needed", k.Name)
		}
		if (len(k.Options) > 0) != (k.OptionsType != "") {
			t.Errorf("%s: Options and OptionsType go together", k.Name)
		}
		for i, p := range k.Params {
			if p.Name == "" || p.Type == "" {
				t.Errorf("%s: parameter %d has no name or type", k.Name, i+1)
			}
			if p.Variadic && i != len(k.Params)-1 {
				t.Errorf("%s: only the last parameter may be variadic", k.Name)
			}
		}
		if got, ok := dialogs.Keyword(k.Name); !ok || got.Name != k.Name {
			t.Errorf("Keyword(%q) = %v, %v", k.Name, got.Name, ok)
		}
	}
	want := append(dialogs.APINames(), "USER") // USER is set by installAPI, not in the api table
	if !slices.Equal(names, want) {
		t.Errorf("described %q\nregistered in api.go %q\n(a keyword needs an entry in keywords_doc.go, and an entry a keyword)", names, want)
	}
	docs := dialogs.Keywords()
	docs[0].Params = append(docs[0].Params, dialogs.ParamDoc{Name: "x"})
	if again := dialogs.Keywords(); len(again[0].Params) == len(docs[0].Params) {
		t.Error("Keywords returns the table itself: a caller changed it")
	}
	for _, k := range dialogs.Tables() {
		if k.Type == "" || len(k.Params) > 0 {
			t.Errorf("%s: a table has a Type and no parameters", k.Name)
		}
	}
	if got := dialogs.Keywords()[0].Signature(); got != "ATTACHMENTS()" {
		t.Errorf("Signature %q", got)
	}
	if k, _ := dialogs.Keyword("HEAR"); k.Signature() != "HEAR([options])" {
		t.Errorf("Signature %q", k.Signature())
	}
}

// TestKeywordTableTypes: every type a keyword names is described by Types.
func TestKeywordTableTypes(t *testing.T) {
	t.Parallel()
	known := map[string]bool{}
	for _, ty := range dialogs.Types() {
		if known[ty.Name] {
			t.Errorf("type %s described twice", ty.Name)
		}
		known[ty.Name] = true
	}
	check := func(where, ty string) {
		for _, name := range typeNames(ty) {
			if strings.HasPrefix(name, "parley.") && !known[name] {
				t.Errorf("%s: type %s is not in Types()", where, name)
			}
		}
	}
	for _, k := range append(dialogs.Keywords(), dialogs.Tables()...) {
		for _, p := range k.Params {
			check(k.Name+" "+p.Name, p.Type)
		}
		for _, r := range k.Returns {
			check(k.Name+" returns "+r.Name, r.Type)
		}
		for _, o := range k.Options {
			check(k.Name+" option "+o.Name, o.Type)
		}
		check(k.Name, k.Type)
		check(k.Name, k.OptionsType)
	}
	for _, ty := range dialogs.Types() {
		for _, f := range ty.Fields {
			check(ty.Name+"."+f.Name, f.Type)
		}
	}
}

// typeNames returns the dotted names in a LuaLS type expression.
func typeNames(ty string) []string {
	return strings.FieldsFunc(ty, func(r rune) bool {
		return !(r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
}

// TestKeywordTableAnswerKinds: HEAR's as takes exactly the documented
// values.
func TestKeywordTableAnswerKinds(t *testing.T) {
	t.Parallel()
	hear, _ := dialogs.Keyword("HEAR")
	var kinds []string
	for _, o := range hear.Options {
		if o.Name == "as" {
			kinds = o.Values
		}
	}
	for _, kind := range kinds {
		c := startChat(t, newEngine(t, sourceFS(fmt.Sprintf("HEAR{as = %q}", kind))), "t", nil)
		c.begin() // waits: the kind is taken
	}
	c := startChat(t, newEngine(t, sourceFS(`HEAR{as = "no such kind"}`)), "t", nil)
	se := scriptError(t, c.stepNil(t.Context()))
	if len(kinds) < 2 {
		t.Fatalf("HEAR's as values: %q", kinds)
	}
	list := strings.Join(kinds[:len(kinds)-1], ", ") + " or " + kinds[len(kinds)-1]
	if !strings.Contains(se.Err.Error(), list) {
		t.Errorf("HEAR's error %q does not list the documented kinds %s", se.Err, list)
	}
}
