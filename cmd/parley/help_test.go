package main

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// parley --help, -h and help list the commands on stdout and exit 0.
func TestHelpList(t *testing.T) {
	var first string
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
		if first == "" {
			first = out
			golden(t, "help.txt", out)
		} else if out != first {
			t.Errorf("%v differs from %v:\n%s", args, [][]string{{"--help"}}, out)
		}
	}
}

// parley help chat and parley chat --help say what chat does, what BOT
// means, its own flags, then the server flags that matter to it.
func TestHelpChat(t *testing.T) {
	var first string
	for _, args := range [][]string{{"help", "chat"}, {"chat", "--help"}, {"chat", "-h"}, {"chat", "pizza", "--user", "x", "--help"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
		if first == "" {
			first = out
			golden(t, "help-chat.txt", out)
		} else if out != first {
			t.Errorf("%v differs from parley help chat:\n%s", args, out)
		}
	}
}

// Every command has a help of its own, and names only server flags that
// exist.
func TestHelpEveryCommand(t *testing.T) {
	server := pflag.NewFlagSet("server", pflag.ContinueOnError)
	configFlags(server)
	for _, c := range commands() {
		for _, f := range c.server {
			if server.Lookup(f) == nil {
				t.Errorf("%s: no server flag --%s", c.name, f)
			}
		}
		code, out, errs := runCLI(t, append([]string{"help"}, strings.Fields(c.name)...)...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "usage: parley "+c.synopsis) {
			t.Errorf("parley help %s: exit %d, stderr %q, stdout:\n%s", c.name, code, errs, out)
		}
		if c.run != nil && !strings.Contains(first(t, "help"), "  "+c.synopsis+" ") {
			t.Errorf("parley help does not list %s", c.synopsis)
		}
	}
}

func first(t *testing.T, args ...string) string {
	_, out, _ := runCLI(t, args...)
	return out
}

// An unknown command is an error that lists the commands, exit 2; so is
// help of one, and a flag no command has points to the command's help.
func TestHelpUnknownCommand(t *testing.T) {
	code, out, errs := runCLI(t, "frobnicate")
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	golden(t, "unknown-command.txt", errs)
	if code, _, errs := runCLI(t, "help", "frobnicate"); code != 2 || !strings.HasPrefix(errs, "parley: unknown command \"frobnicate\"\n\n") {
		t.Errorf("help frobnicate: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCLI(t, "help", "chat", "now"); code != 2 || !strings.Contains(errs, `"chat now" is not a command`) {
		t.Errorf("help chat now: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "chat", "--bogus")
	if want := "parley chat: unknown flag: --bogus\nRun \"parley help chat\" for its arguments and flags.\n"; code != 2 || errs != want {
		t.Errorf("chat --bogus: exit %d, stderr %q, want %q", code, errs, want)
	}
}
