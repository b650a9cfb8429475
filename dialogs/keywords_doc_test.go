package dialogs_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"parley/dialogs"
)

// TestKeywordDocs: the description table (keywords_doc.go) has one entry
// per keyword of the api table and none other, besides USER, and each
// entry says what the reference and the annotations need.
func TestKeywordDocs(t *testing.T) {
	t.Parallel()
	var functions, tables []string
	for _, k := range dialogs.Keywords() {
		switch k.Kind {
		case dialogs.KindFunction:
			functions = append(functions, k.Name)
		case dialogs.KindTable:
			tables = append(tables, k.Name)
			if k.Type == "" {
				t.Errorf("%s: a table keyword without a Type", k.Name)
			}
		default:
			t.Errorf("%s: kind %q", k.Name, k.Kind)
		}
		if k.Signature == "" || k.Summary == "" || k.Example == "" || k.Replay == "" {
			t.Errorf("%s: Signature, Summary, Example and Replay are all needed", k.Name)
		}
		if (len(k.Options) > 0) != (k.OptionsType != "") {
			t.Errorf("%s: Options and OptionsType go together", k.Name)
		}
		if got, ok := dialogs.Keyword(k.Name); !ok || got.Name != k.Name {
			t.Errorf("Keyword(%q) = %v, %v", k.Name, got.Name, ok)
		}
	}
	if want := dialogs.APINames(); !slices.Equal(functions, want) {
		t.Errorf("documented keywords %q\nregistered in api.go %q\n(a keyword needs an entry in keywords_doc.go, and an entry a keyword)", functions, want)
	}
	// USER is set by installAPI (api.go), not in the api table.
	if !slices.Equal(tables, []string{"USER"}) {
		t.Errorf("documented tables %q, want [USER]", tables)
	}
}

// TestKeywordDocTypes: every type a keyword names is described by Types.
func TestKeywordDocTypes(t *testing.T) {
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
	for _, k := range dialogs.Keywords() {
		for _, p := range k.Params {
			check(k.Name+" "+p.Name, p.Type)
		}
		for _, r := range k.Returns {
			check(k.Name+" returns "+r.Name, r.Type)
		}
		for _, o := range k.Overloads {
			check(k.Name+" overload", o)
		}
		check(k.Name, k.Type)
	}
	for _, ty := range dialogs.Types() {
		check(ty.Name, ty.Alias)
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

// TestKeywordDocOptions: each option table's fields are exactly what the
// keyword accepts: its error for an unknown option lists them.
func TestKeywordDocOptions(t *testing.T) {
	t.Parallel()
	for _, k := range dialogs.Keywords() {
		if len(k.Options) == 0 {
			continue
		}
		names := make([]string, len(k.Options))
		for i, o := range k.Options {
			names[i] = o.Name
		}
		c := startChat(t, newEngine(t, sourceFS(k.Name+"{no_such_option = 1}")), "t", nil)
		se := scriptError(t, c.stepNil(t.Context()))
		if want := "(" + strings.Join(names, ", ") + ")"; !strings.Contains(se.Err.Error(), want) {
			t.Errorf("%s{no_such_option = 1}: %v\nthe documented options are %s", k.Name, se.Err, want)
		}
	}
}

// TestKeywordDocAnswerKinds: parley.AnswerKind lists exactly the kinds
// HEAR takes.
func TestKeywordDocAnswerKinds(t *testing.T) {
	t.Parallel()
	var alias string
	for _, ty := range dialogs.Types() {
		if ty.Name == "parley.AnswerKind" {
			alias = ty.Alias
		}
	}
	var kinds []string
	for _, q := range strings.Split(alias, "|") {
		kinds = append(kinds, strings.Trim(q, `"`))
		c := startChat(t, newEngine(t, sourceFS(fmt.Sprintf("HEAR{as = %s}", q))), "t", nil)
		c.begin() // waits: the kind is taken
	}
	c := startChat(t, newEngine(t, sourceFS(`HEAR{as = "no such kind"}`)), "t", nil)
	se := scriptError(t, c.stepNil(t.Context()))
	list := strings.Join(kinds[:len(kinds)-1], ", ") + " or " + kinds[len(kinds)-1]
	if !strings.Contains(se.Err.Error(), list) {
		t.Errorf("HEAR's error %q does not list the documented kinds %s", se.Err, list)
	}
}
