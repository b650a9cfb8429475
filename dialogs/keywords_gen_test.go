package dialogs_test

import (
	"os"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/parse"

	"parley/dialogs"
)

// The files made from the description table are committed: a change of
// the table needs `go generate ./dialogs`, or these fail.
const (
	annotationsPath = "../bots/" + dialogs.AnnotationsFile
	referencePath   = "../docs/dialogs.md"
	regenerate      = "run `go generate ./dialogs` after changing dialogs/keywords_doc.go"
)

func TestAnnotationsUpToDate(t *testing.T) {
	t.Parallel()
	got, err := os.ReadFile(annotationsPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != dialogs.LuaAnnotations() {
		t.Errorf("%s differs from dialogs.LuaAnnotations(): %s", annotationsPath, regenerate)
	}
	// It is Lua (5.1, as gopher-lua reads it): an editor must not choke on it.
	if _, err := parse.Parse(strings.NewReader(string(got)), "parley.lua"); err != nil {
		t.Errorf("%s does not parse: %v", annotationsPath, err)
	}
}

func TestReferenceUpToDate(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dialogs.ReplaceReference(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != want {
		t.Errorf("the generated part of %s differs from dialogs.MarkdownReference(): %s", referencePath, regenerate)
	}
}

// TestEveryKeywordDocumented: each keyword the engine registers has its
// heading in the reference and its definition in the annotations, however
// they were made.
func TestEveryKeywordDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	lua, err := os.ReadFile(annotationsPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(dialogs.APINames(), "USER") {
		if !strings.Contains(string(doc), "\n### "+name+"\n") {
			t.Errorf("%s has no heading \"### %s\"", referencePath, name)
		}
		def := "\nfunction " + name + "("
		if name == "USER" {
			def = "\nUSER = {}"
		}
		if !strings.Contains(string(lua), def) {
			t.Errorf("%s does not define %s (%q)", annotationsPath, name, strings.TrimPrefix(def, "\n"))
		}
	}
}
