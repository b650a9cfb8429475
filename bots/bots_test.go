package bots_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/bots"
)

// TestLayout checks that every example bot is a folder with both files at
// the root of FS (no fs.Sub needed).
func TestLayout(t *testing.T) {
	for _, slug := range []string{"welcome", "support", "echo", "pizza", "assistant"} {
		for _, name := range []string{"bot.yaml", "start.lua"} {
			if _, err := fs.Stat(bots.FS, slug+"/"+name); err != nil {
				t.Error(err)
			}
		}
	}
	// The files a bot sends are embedded too.
	if _, err := fs.Stat(bots.FS, "support/files/packing.png"); err != nil {
		t.Error(err)
	}
}

// The example bots are what authors copy: each has transcripts, which
// `parley test bots` runs (cmd/parley's TestTestCommand, in CI).
func TestExampleBotsHaveTranscripts(t *testing.T) {
	slugs, err := fs.Glob(bots.FS, "*/start.lua")
	if err != nil || len(slugs) == 0 {
		t.Fatal(slugs, err)
	}
	for _, s := range slugs {
		slug := filepath.Dir(s)
		if tests, _ := filepath.Glob(filepath.Join(slug, "tests", "*.txtar")); len(tests) == 0 {
			t.Errorf("%s has no transcript in %s/tests/", slug, slug)
		}
	}
}

// README's example is bots/pizza, word for word, so that it runs as
// shown and its transcripts test it.
func TestReadmeExampleIsPizza(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bot.yaml", "start.lua"} {
		file, err := fs.ReadFile(bots.FS, "pizza/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(readme), "\n"+string(file)+"```\n") {
			t.Errorf("README.md does not show bots/pizza/%s as it is (a fenced block that ends with the file)", name)
		}
	}
}
