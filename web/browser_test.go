package web_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowser runs the browser tests in e2e/ (node --test, playwright-core
// driving Debian's Chromium) against a freshly built parley binary. Each
// test file starts its own servers from PARLEY_BIN. Without Chromium or
// e2e/node_modules the test skips, except in CI (PARLEY_CI=1), where
// .ci/run installs both and a skip would hide a broken page.
func TestBrowser(t *testing.T) {
	chromium := os.Getenv("PARLEY_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	skip := func(why string) {
		t.Helper()
		if os.Getenv("PARLEY_CI") == "1" {
			t.Fatalf("%s (PARLEY_CI=1: the browser tests must run)", why)
		}
		t.Skip(why)
	}
	if _, err := os.Stat(chromium); err != nil {
		skip("no Chromium at " + chromium + " (apt-get install chromium)")
	}
	if _, err := os.Stat("e2e/node_modules/playwright-core"); err != nil {
		skip("web/e2e/node_modules is missing (cd web/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed")
	}
	tests, err := filepath.Glob("e2e/*.test.mjs")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no browser tests in web/e2e: %v", err)
	}

	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		defer cancel()
	}

	// Built without -race even under go test -race: the page is what is
	// tested here, and the race build would only slow the server down.
	bin := filepath.Join(t.TempDir(), "parley")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "parley/cmd/parley")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	args := []string{"--test", "--test-reporter=spec"}
	for _, f := range tests {
		args = append(args, filepath.Base(f))
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = "e2e"
	cmd.Env = append(os.Environ(), "PARLEY_BIN="+bin, "PARLEY_CHROMIUM="+chromium,
		"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1", "NO_COLOR=1")
	cmd.WaitDelay = 10 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logLines(t, stdout) // until node exits and the pipe closes
	if err := cmd.Wait(); err != nil {
		t.Fatalf("browser tests failed after %s: %v", time.Since(start).Round(time.Millisecond), err)
	}
	t.Logf("browser tests passed in %s", time.Since(start).Round(time.Millisecond))
}

// logLines streams the runner's output into the test log as it comes.
func logLines(t *testing.T, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		t.Log(sc.Text())
	}
}
