package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"parley/rest"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// token prints the JWT alone on one line, signed with the secret that
// serve uses: the one in the data dir when none is configured.
func TestTokenCommand(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCLI(t, "token", "--user", "ada", "--role", "agent", "--ttl", "1h", "--data", data)
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("token: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	secret, err := os.ReadFile(filepath.Join(data, "jwt-secret"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := (&rest.JWT{Secret: bytes.TrimSpace(secret)}).Authenticate(context.Background(), strings.TrimSpace(out))
	if err != nil || id.UserID != "ada" || id.Role != "agent" {
		t.Fatalf("the printed token verifies as %+v, %v", id, err)
	}
	if code, _, _ := runCLI(t, "token", "--data", data); code == 0 {
		t.Error("token without --user succeeded")
	}
	if code, _, _ := runCLI(t, "token", "--user", "x", "--role", "root", "--data", data); code == 0 {
		t.Error("token with an unknown role succeeded")
	}
}

// check compiles every bot and reports errors with file:line.
func TestCheckCommand(t *testing.T) {
	if code, out, errs := runCLI(t, "check", "../../bots"); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check of the example bots: exit %d %q %q", code, out, errs)
	}
	dir := t.TempDir()
	writeBot(t, dir, "broken", "name: Broken\ndefault: true\n", "TALK 'hi'\nif then\n")
	code, _, errs := runCLI(t, "check", dir)
	if code != 1 || !strings.Contains(errs, "broken/start.lua:2") {
		t.Fatalf("check of a broken bot: exit %d, stderr %q", code, errs)
	}
}

// parley check reports a team's problems with file and line, and passes
// the test bots with their teams.
func TestCheckCommandTeams(t *testing.T) {
	dir := teamBots(t)
	// The hostile bot calls what the sandbox lacks on purpose, which check
	// reports (TestCheckGolden); it is in no team.
	os.RemoveAll(filepath.Join(dir, "hostile"))
	if code, out, errs := runCLI(t, "check", dir); code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check of the team bots: exit %d %q %q", code, out, errs)
	}
	writeTeam(t, dir, "broken", "name: Broken\nmembers:\n  - alpha\n  - trio\nsummary_bot: ghost\n")
	code, _, errs := runCLI(t, "check", dir)
	for _, want := range []string{
		`broken/team.yaml:4: members: "trio" is a team; a team's members are bots`,
		`broken/team.yaml:5: summary_bot: there is no bot "ghost" in the bots directory`,
	} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("check of a broken team: exit %d, stderr %q, want %q", code, errs, want)
		}
	}
}

// chat runs a bot of the bots directory in the terminal: each line is a
// message, echoed as "> " when the input is not a terminal.
func TestChatCommand(t *testing.T) {
	c := testConfig(t)
	code, out, errs := runChat(t, c.Bots, "hello\nworld\n", "--user", "ann", "echo")
	if code != 0 || errs != "" || !strings.HasSuffix(out, "as ann; /help lists the commands\n> hello\n< hello\n> world\n< world\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestUnknownSubcommand(t *testing.T) {
	if code, _, errs := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// Configuration precedence: flags, then PARLEY_* env, then parley.yaml,
// then defaults.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	yaml := filepath.Join(dir, "parley.yaml")
	os.WriteFile(yaml, []byte("addr: 127.0.0.1:7000\ndata: /from/yaml\nanonymous-ttl: 5m\nallowed-origins: [a.example.com, b.example.com]\n"), 0o644)
	t.Setenv("PARLEY_DATA", "/from/env")
	t.Setenv("PARLEY_RATE_LIMITS", "off")

	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	configFlags(fs)
	if err := fs.Parse([]string{"--config", yaml, "--addr", "127.0.0.1:9000"}); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(fs)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: "127.0.0.1:9000", Data: "/from/env", RateLimits: "off", AnonymousTTL: 5 * time.Minute, TurnTimeout: 10 * time.Second}
	if c.Addr != want.Addr || c.Data != want.Data || c.RateLimits != want.RateLimits ||
		c.AnonymousTTL != want.AnonymousTTL || c.TurnTimeout != want.TurnTimeout ||
		strings.Join(c.AllowedOrigins, ",") != "a.example.com,b.example.com" {
		t.Fatalf("config %+v", c)
	}

	t.Setenv("PARLEY_ALLOWED_ORIGINS", "x.example.com,y.example.com")
	t.Setenv("PARLEY_RATE_LIMITS", "sometimes")
	fs = pflag.NewFlagSet("t", pflag.ContinueOnError)
	configFlags(fs)
	fs.Parse(nil)
	if _, err := loadConfig(fs); err == nil || !strings.Contains(err.Error(), "rate-limits") {
		t.Fatalf("bad rate-limits accepted: %v", err)
	}
	t.Setenv("PARLEY_RATE_LIMITS", "on")
	c, err = loadConfig(fs)
	if err != nil || strings.Join(c.AllowedOrigins, ",") != "x.example.com,y.example.com" {
		t.Fatalf("env origins: %+v %v", c.AllowedOrigins, err)
	}
}

// migrate applies the migrations and exits.
func TestMigrateCommand(t *testing.T) {
	data := t.TempDir()
	if code, out, errs := runCLI(t, "migrate", "--data", data); code != 0 {
		t.Fatalf("migrate: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(data, "parley.db")); err != nil {
		t.Fatal(err)
	}
}

// test runs the example bots' transcripts, and reports a failing one with
// the line that failed.
func TestTestCommand(t *testing.T) {
	if code, out, errs := runCLI(t, "test", "../../bots"); code != 0 || strings.Contains(out, "FAIL") {
		t.Fatalf("example transcripts: exit %d\n%s%s", code, out, errs)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "inline"), 0o755)
	archive := `-- start.lua --
TALK "hi"
local n = HEAR{as = "integer"}
TALK("double: " .. n * 2)
TALK("lucky: " .. RANDOM(1, 6) .. " at " .. NOW())
-- transcript --
< hi
> 21
< double: 42
< lucky: …
`
	os.WriteFile(filepath.Join(dir, "inline", "ok.txtar"), []byte(archive), 0o644)
	bad := strings.Replace(archive, "< double: 42", "< double: 43", 1)
	os.WriteFile(filepath.Join(dir, "inline", "bad.txtar"), []byte(bad), 0o644)
	code, out, _ := runCLI(t, "test", dir)
	if code != 1 || !strings.Contains(out, "ok   inline/ok.txtar") || !strings.Contains(out, "FAIL inline/bad.txtar") ||
		!strings.Contains(out, "line 9: want < double: 43") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// apikey refuses incomplete commands and unknown ids.
func TestAPIKeyCommandErrors(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"apikey"},
		{"apikey", "nope"},
		{"apikey", "create", "--name", "x"},
		{"apikey", "create", "--user", "u"},
		{"apikey", "create", "--user", "u", "--name", "x", "--role", "root"},
		{"apikey", "list"},
		{"apikey", "revoke"},
		{"apikey", "revoke", "00000000-0000-4000-8000-000000000000"},
	} {
		if code, out, _ := runCLI(t, append(args, "--data", data)...); code == 0 {
			t.Errorf("%v succeeded: %q", args, out)
		}
	}
	code, out, errs := runCLI(t, "apikey", "list", "--user", "nobody", "--data", data)
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("list of no keys: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// An empty secret file is refused rather than used as an empty key.
func TestEmptySecretFileRefused(t *testing.T) {
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "jwt-secret"), []byte("\n"), 0o600)
	if code, _, errs := runCLI(t, "token", "--user", "x", "--data", data); code == 0 || !strings.Contains(errs, "empty") {
		t.Fatalf("token with an empty secret file: exit %d, %q", code, errs)
	}
}

// --support-auto-assign is off by default, and on from the flag or
// PARLEY_SUPPORT_AUTO_ASSIGN.
func TestSupportAutoAssignConfig(t *testing.T) {
	load := func(args ...string) bool {
		t.Helper()
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		configFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		c, err := loadConfig(fs)
		if err != nil {
			t.Fatal(err)
		}
		return c.SupportAutoAssign
	}
	if load() || !load("--support-auto-assign") {
		t.Fatal("the flag: want off by default, on when given")
	}
	t.Setenv("PARLEY_SUPPORT_AUTO_ASSIGN", "true")
	if !load() {
		t.Fatal("PARLEY_SUPPORT_AUTO_ASSIGN=true did not turn it on")
	}
}

// --chat-timeout is 30 s by default; a negative one is refused.
func TestChatTimeoutConfig(t *testing.T) {
	load := func(args ...string) (Config, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		configFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return loadConfig(fs)
	}
	if c, err := load(); err != nil || c.ChatTimeout != 30*time.Second {
		t.Fatalf("default: %v, %v", c.ChatTimeout, err)
	}
	if c, err := load("--chat-timeout", "5s"); err != nil || c.ChatTimeout != 5*time.Second {
		t.Fatalf("flag: %v, %v", c.ChatTimeout, err)
	}
	if _, err := load("--chat-timeout", "-1s"); err == nil || !strings.Contains(err.Error(), "chat-timeout") {
		t.Fatalf("negative accepted: %v", err)
	}
}

// --upload-store is disk by default; PARLEY_UPLOAD_STORE gives an s3://
// URL, checked as the configuration is read (the bucket itself when the
// server starts), its keys from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY when the URL has none.
func TestUploadStoreConfig(t *testing.T) {
	load := func(args ...string) (Config, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		configFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return loadConfig(fs)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if c, err := load(); err != nil || c.UploadStore != "disk" {
		t.Fatalf("default: %q, %v", c.UploadStore, err)
	}
	for _, tc := range []struct{ store, want string }{
		{"nfs", "disk or an s3:// URL"},
		{"s3://key:s3cr3t@minio:9000", "names no bucket"},
		{"s3://key:s3cr3t@minio:9000/files?secure=nope", "secure=nope"},
		{"s3://minio:9000/files", "AWS_ACCESS_KEY_ID"},
	} {
		_, err := load("--upload-store", tc.store)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: %v; want an error saying %q, without the secret", tc.store, err, tc.want)
		}
	}
	t.Setenv("PARLEY_UPLOAD_STORE", "s3://minio:9000/files/parley?secure=false")
	t.Setenv("AWS_ACCESS_KEY_ID", "env-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if sc, err := uploadS3(c.UploadStore); err != nil || sc.Endpoint != "minio:9000" || sc.Bucket != "files" || sc.Prefix != "parley" ||
		sc.Secure || sc.AccessKey != "env-key" || sc.SecretKey != "env-secret" {
		t.Fatalf("from the environment: %+v %v", sc, err)
	}
	// Keys in the URL win over the environment's.
	if sc, err := uploadS3("s3://url-key:url-secret@minio:9000/files"); err != nil || sc.AccessKey != "url-key" || sc.SecretKey != "url-secret" || !sc.Secure {
		t.Fatalf("keys in the URL: %+v %v", sc, err)
	}
}
