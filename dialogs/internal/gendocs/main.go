// Command gendocs rewrites, in the source tree at ROOT (the argument), what is
// made from the keyword description table (keywords_doc.go): the editor
// annotations of the example bots and the generated part of
// docs/dialogs.md. Run it with `go generate ./dialogs`; tests
// (keywords_gen_test.go) fail until it has run after a change of the table.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"parley/dialogs"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./dialogs/internal/gendocs ROOT")
		os.Exit(2)
	}
	if err := gen(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func gen(root string) error {
	lua := filepath.Join(root, "bots", filepath.FromSlash(dialogs.AnnotationsFile))
	if err := os.MkdirAll(filepath.Dir(lua), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(lua, []byte(dialogs.LuaAnnotations()), 0o644); err != nil {
		return err
	}
	ref := filepath.Join(root, "docs", "dialogs.md")
	doc, err := os.ReadFile(ref)
	if err != nil {
		return err
	}
	updated, err := dialogs.ReplaceReference(string(doc))
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	return os.WriteFile(ref, []byte(updated), 0o644)
}
