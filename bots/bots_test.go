package bots_test

import (
	"io/fs"
	"testing"

	"parley/bots"
)

// TestLayout checks that every example bot is a folder with both files at
// the root of FS (no fs.Sub needed).
func TestLayout(t *testing.T) {
	for _, slug := range []string{"welcome", "support", "echo"} {
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
