// Command parley is the Parley bot runtime: `parley serve` (the default)
// runs the HTTP and WebSocket server; the other subcommands (migrate,
// token, apikey, check) work on the same configuration. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"parley/dialogs"
)

const usage = `usage: parley [serve|migrate|token|apikey|check|chat|test] [flags]

  serve                      run the server (default)
  migrate                    apply database migrations and exit
  token --user NAME [--name DISPLAY] [--role user|agent|admin] [--ttl 24h]
                             print a JWT signed with the server's secret
  apikey create --user U --name N [--role user|agent|admin]
                             print a new API key (shown once; only its hash is kept)
  apikey list --user U       list a user's API keys
  apikey revoke ID           revoke an API key
  check [DIR]                compile every bot under DIR (default: --bots)
  chat BOT                   talk to one bot in the terminal, no server needed
  test [DIR]                 run the transcript tests (*.txtar) of the bots under DIR

Run "parley SUBCOMMAND --help" for the flags.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	commands := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"serve": serve, "migrate": migrate, "token": token, "check": check, "chat": chat,
		"test": testCmd, "apikey": apikey,
	}
	f, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "parley: unknown subcommand %q\n\n%s", cmd, usage)
		return 2
	}
	if err := f(ctx, args, stdout, stderr); err != nil {
		if err == pflag.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "parley %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// parse reads a subcommand's flags and the configuration.
func parse(name string, args []string, stderr io.Writer, extra func(*pflag.FlagSet)) (Config, *pflag.FlagSet, error) {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	configFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, fs, err
	}
	c, err := loadConfig(fs)
	return c, fs, err
}

func newLogger(c Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// serve runs the server until SIGTERM or SIGINT, then drains and exits 0.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, _, err := parse("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	m := &Main{Config: c, Stdout: stdout, Log: newLogger(c, stderr)}
	if err := m.Run(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		m.Log.Info("shutting down")
	case err := <-m.served:
		m.Close()
		return err
	}
	return m.Close()
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, _, err := parse("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

// token prints a JWT alone on one line of stdout (protocol §1).
func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var user, name, role string
	var ttl time.Duration
	c, _, err := parse("token", args, stderr, func(fs *pflag.FlagSet) {
		fs.StringVar(&user, "user", "", "the user id (the token's sub)")
		fs.StringVar(&name, "name", "", "display name (default: the user id)")
		fs.StringVar(&role, "role", "user", "user, agent or admin")
		fs.DurationVar(&ttl, "ttl", 24*time.Hour, "how long the token is valid")
	})
	if err != nil {
		return err
	}
	switch {
	case user == "":
		return fmt.Errorf("--user is required")
	case role != "user" && role != "agent" && role != "admin":
		return fmt.Errorf("--role must be user, agent or admin")
	case ttl <= 0:
		return fmt.Errorf("--ttl must be positive")
	}
	if name == "" {
		name = user
	}
	j, err := verifier(c)
	if err != nil {
		return err
	}
	t, err := j.Sign(user, name, role, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, t)
	return nil
}

// check reports every problem of the bots under DIR as a compiler does:
// one "file:line: message" per line, sorted, the files named as DIR was
// typed (bots/pizza/start.lua:12: …), warnings marked "warning:". It
// fails when there is an error; warnings alone pass.
func check(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, fs, err := parse("check", args, stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("check takes one directory, not %d", fs.NArg())
	}
	if fs.NArg() > 0 {
		c.Bots = fs.Arg(0)
	}
	dir := botsDir(c)
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
	}
	errs, warnings := 0, 0
	for _, p := range dialogs.CheckBots(botsFS(c)) {
		if p.Warning {
			warnings++
		} else {
			errs++
		}
		if dir != "" {
			p.File = filepath.ToSlash(filepath.Join(dir, filepath.FromSlash(p.File)))
		}
		fmt.Fprintln(stderr, p)
	}
	if errs > 0 {
		if warnings > 0 {
			return fmt.Errorf("%s, %s", count(errs, "error"), count(warnings, "warning"))
		}
		return errors.New(count(errs, "error"))
	}
	if warnings > 0 {
		fmt.Fprintf(stdout, "ok, %s\n", count(warnings, "warning"))
		return nil
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// count is "1 error", "2 errors".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
