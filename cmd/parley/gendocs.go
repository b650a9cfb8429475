package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"parley/dialogs"
)

// genDocs rewrites, in the source tree at ROOT (default "."), what is
// made from the keyword description table (dialogs/keywords_doc.go): the
// editor annotations of the example bots and the generated part of
// docs/dialogs.md. A hidden command, for `go generate ./dialogs`; tests
// fail until it has been run after a change of the table.
func genDocs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := "."
	if len(args) > 1 || len(args) == 1 && strings.HasPrefix(args[0], "-") {
		return errors.New("usage: parley gen-docs [ROOT]")
	}
	if len(args) == 1 {
		root = args[0]
	}
	lua := filepath.Join(root, "bots", filepath.FromSlash(dialogs.AnnotationsFile))
	if err := os.MkdirAll(filepath.Dir(lua), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(lua, []byte(dialogs.LuaAnnotations()), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "wrote", lua)
	ref := filepath.Join(root, "docs", "dialogs.md")
	doc, err := os.ReadFile(ref)
	if err != nil {
		return err
	}
	updated, err := dialogs.ReplaceReference(string(doc))
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	if err := os.WriteFile(ref, []byte(updated), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "wrote", ref)
	return nil
}
