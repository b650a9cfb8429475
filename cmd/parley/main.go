// Command parley is the Parley bot runtime: `parley serve` (the default)
// runs the HTTP and WebSocket server; the other subcommands (migrate,
// token, apikey, check, chat, test) work on the same configuration. The
// list of subcommands and their help are in help.go. See README.md.
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
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"parley/dialogs"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// parse reads a subcommand's flags and the configuration. Asked for
// help (-h, --help), it returns the command's help as a *helpRequest; a
// flag it cannot read is a *usageError.
func parse(name string, args []string, stderr io.Writer, extra func(*pflag.FlagSet)) (Config, *pflag.FlagSet, error) {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // run prints the help, on stdout
	configFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err == pflag.ErrHelp {
		c, ok := lookup(name)
		if !ok {
			c = command{name: name, synopsis: name}
		}
		return Config{}, fs, &helpRequest{commandHelp(c, fs)}
	} else if err != nil {
		return Config{}, fs, &usageError{err}
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
		return usagef("check takes one directory, not %d", fs.NArg())
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
