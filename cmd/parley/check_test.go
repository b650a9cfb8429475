package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGolden runs `parley check DIR` on each bots directory of
// testdata/check (broken bots, one kind of problem a directory) and
// compares what it prints, then its exit code, with DIR.golden. go test
// -run TestCheckGolden -update rewrites them.
func TestCheckGolden(t *testing.T) {
	entries, err := os.ReadDir("testdata/check")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := "testdata/check/" + e.Name()
		code, out, errs := runCLI(t, "check", dir)
		got := errs + out + fmt.Sprintf("exit %d\n", code)
		golden := filepath.Join("testdata", "check", e.Name()+".golden")
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test -run TestCheckGolden -update writes it)", err)
		}
		if got != string(want) {
			t.Errorf("parley check %s:\n%s\nwant (%s):\n%s", dir, got, golden, want)
		}
	}
	if n < 7 {
		t.Fatalf("%d cases in testdata/check", n)
	}
}

// The example bots pass with nothing to say, not even a warning.
func TestCheckExampleBots(t *testing.T) {
	code, out, errs := runCLI(t, "check", "../../bots")
	if code != 0 || out != "ok\n" || errs != "" {
		t.Fatalf("check of the example bots: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// check names the files as DIR was typed, refuses a DIR that is not a
// directory (and two DIRs), and passes warnings with exit 0.
func TestCheckCommandPaths(t *testing.T) {
	dir := t.TempDir()
	writeBot(t, dir, "pizza", "name: Pizza\n", "TALK 'hi'\nTLAK 'x'\n")
	code, _, errs := runCLI(t, "check", dir+string(filepath.Separator))
	want := filepath.ToSlash(filepath.Join(dir, "pizza", "start.lua")) + `:2: unknown global "TLAK" (did you mean TALK?)` + "\nparley check: 1 error\n"
	if code != 1 || errs != want {
		t.Fatalf("exit %d, stderr %q, want %q", code, errs, want)
	}
	writeBot(t, dir, "pizza", "name: Pizza\n", "n = (n or 0) + 1\n")
	if code, out, errs := runCLI(t, "check", dir); code != 0 || out != "ok, 1 warning\n" || !strings.Contains(errs, "pizza/start.lua:1: warning: global n is read before") {
		t.Fatalf("warnings alone: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, errs := runCLI(t, "check", filepath.Join(dir, "nope")); code != 1 || !strings.Contains(errs, "is not a directory") {
		t.Fatalf("a missing directory: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCLI(t, "check", dir, dir); code != 2 || !strings.Contains(errs, "check takes one directory, not 2") {
		t.Fatalf("two directories: exit %d, stderr %q", code, errs)
	}
}
