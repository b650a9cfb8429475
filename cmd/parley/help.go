package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

// A command is one subcommand of parley: what the dispatch runs and what
// help says of it. Adding a subcommand is adding one entry to commands.
type command struct {
	name     string // as typed after "parley"
	synopsis string // its arguments after "parley ", for the list and the usage line
	summary  string // one line for the list
	about    string // what it does, what its arguments mean, their defaults
	// server lists the server flags (configFlags) that matter to the
	// command, shown after its own flags; the others are accepted and
	// ignored. nil: every one is the command's own (serve); empty: the
	// command takes no flags (help).
	server []string
	run    func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order help shows them. It is a
// function, not a variable, because the commands' own functions refer
// back to it (parse finds a command's help here).
func commands() []command {
	return []command{
		{name: "serve", synopsis: "serve", summary: "run the server (the default command)", run: serve, about: `
Run the HTTP and WebSocket server until SIGTERM or SIGINT: the chat page at /,
the WebSocket at /ws, the REST API under /api, the support console at
/support. It applies the database migrations as it starts. serve is the
default command: "parley --addr :9000" runs it.

Each flag is also an environment variable (--data is PARLEY_DATA) and a key
of the YAML file --config names (./parley.yaml when it exists); a flag wins
over the variable, the variable over the file.`},

		{name: "migrate", synopsis: "migrate", summary: "apply the database migrations and exit", run: migrate,
			server: []string{"config", "data", "database-url"}, about: `
Apply the database migrations and exit (serve applies them too as it starts).
The database is --database-url (PostgreSQL), else parley.db in --data
(SQLite).`},

		{name: "token", synopsis: "token --user NAME", summary: "print a JWT signed with the server's secret", run: token,
			server: []string{"config", "data", "jwt-secret"}, about: `
Print a JWT for the user NAME alone on one line, signed with the server's
HS256 secret (--jwt-secret, else the one kept in --data, as serve finds it):
for /ws?token=… and "Authorization: Bearer …".`},

		{name: "apikey", synopsis: "apikey create|list|revoke", summary: "create, list or revoke API keys", run: apikey,
			server: []string{"config", "data", "database-url"}, about: `
Manage the API keys (X-API-Key) kept in the server's database:

  parley apikey create --user U --name N [--role user|agent|admin]
                            print a new key, once: only its hash is kept
  parley apikey list --user U
                            list a user's keys
  parley apikey revoke ID   revoke a key

"parley help apikey create" gives the flags of each.`},
		{name: "apikey create", synopsis: "apikey create --user U --name N", server: []string{"config", "data", "database-url"}, about: `
Print a new API key alone on one line: send it as the X-API-Key header. It is
shown this once: only its hash is kept.`},
		{name: "apikey list", synopsis: "apikey list --user U", server: []string{"config", "data", "database-url"}, about: `
List a user's API keys: id, name, role, when made and last used.`},
		{name: "apikey revoke", synopsis: "apikey revoke ID", server: []string{"config", "data", "database-url"}, about: `
Revoke the API key ID (as "parley apikey list" shows it): requests with it
are refused from now on.`},

		{name: "check", synopsis: "check [DIR]", summary: "compile every bot under DIR; report problems as file:line", run: check,
			server: []string{"config", "bots"}, about: `
Check every bot and team under DIR without running them and report each
problem as "DIR/bot/file:line: message", sorted: syntax errors, bot.yaml and
team.yaml errors, the default bot, unknown globals (a misspelt keyword,
print), keyword calls with wrong arguments or options (HEAR{choises=…}).
Warnings ("warning: …") are patterns that run but not as they seem, such as
a global read before the script sets it. Exit 1 if there is an error; with
none, print "ok" (and the number of warnings).

DIR is a bots directory: a folder of bot folders (bot.yaml, start.lua).
Default: --bots, else ./bots when it exists, else the built-in bots.`},

		{name: "chat", synopsis: "chat [BOT]", summary: "talk to a bot in the terminal, no server needed", run: chat,
			server: []string{"config", "bots", "turn-timeout", "dialog-memory", "llm-base-url", "llm-model", "llm-api-key", "llm-timeout", "log-level"}, about: `
Talk to one bot in the terminal as a user would, with no server: each line
you type is a message. The bot's messages are "< " lines (a file it sends, a
"* name" line), its quick replies (SUGGEST, MENU) a "[Small] [Medium]" line,
"… typing" shows it typing, and a script error is a "! " line with the file
and line. "# " lines are parley chat's own notes.

BOT is the folder name of a bot in the bots directory: --bots, else ./bots
when it exists, else the bots built into parley. Only that bot is loaded,
so a problem in another folder does not stop it. Without BOT: the default
bot (default: true in its bot.yaml, or the only bot).

Each run is a new conversation. What the bot stores with SET is kept in a
throw-away database, unless --keep DIR keeps it: then a second run shows
what the bot remembers of you.

While chatting:
  /restart      start the conversation over (the bot's memory of you stays)
  /memory       show what the bot remembers of you (SET/GET)
  /user NAME    talk as another user, in a new conversation
  /quit         leave, as the end of the input (Ctrl-D) does
  //text        send "/text"`},

		{name: "test", synopsis: "test [DIR]", summary: "run the bots' transcript tests (*.txtar)", run: testCmd,
			server: []string{"config", "bots", "turn-timeout", "dialog-memory"}, about: `
Run every transcript test (BOT/*.txtar and BOT/tests/*.txtar) of the bots
under DIR, each against a fresh database with a fixed clock; print "ok" or
"FAIL" with the line that failed for each, and exit 1 if any failed. The
format is in docs/bots.md ("Testing a bot").

DIR is a bots directory. Default: --bots, else ./bots when it exists, else
the built-in bots.`},

		{name: "new", synopsis: "new NAME", summary: "create a bot to start from: a script, a transcript, editor support", run: newBot,
			server: []string{"config", "bots"}, about: `
Create the bot NAME in the bots directory: DIR/NAME/ with bot.yaml, a
commented start.lua (HEAR with validation, MENU, SET/GET), a transcript in
tests/ that passes, and a .luarc.json for lua-language-server; and
DIR/.parley/parley.lua, the keywords described for editors. Then "parley
test DIR" passes and "parley chat NAME" talks to it.

NAME is the bot's folder and id: lowercase letters, digits, '-' and '_'.
An existing folder is never touched. DIR is --dir, else --bots, else ./bots
(made if missing). docs/dialogs.md is the tutorial that goes with it.`},

		{name: "help", synopsis: "help [COMMAND]", summary: "list the commands, or tell what COMMAND does", run: helpCmd,
			server: []string{}, about: `
Without COMMAND, list the commands. With one, tell what it does, what its
arguments mean and its flags, as "parley COMMAND --help" does.`},
	}
}

// lookup finds a command (or a topic such as "apikey create") by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// helpRequest is what a command returns when asked for its help: run
// prints the text on stdout and exits 0.
type helpRequest struct{ text string }

func (h *helpRequest) Error() string { return "help requested" }

// usageError is a command line that cannot be run as written: run
// prints it with a pointer to the command's help and exits 2.
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// overview is the list of commands: parley --help, parley help, and
// after an unknown command.
func overview() string {
	var b strings.Builder
	b.WriteString("Parley runs chat bots written in Lua: a server for the web, and tools to\nwrite, check and try bots.\n\nusage: parley COMMAND [ARGUMENTS] [flags]\n\nCommands:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		if c.run != nil && c.summary != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", c.synopsis, c.summary)
		}
	}
	tw.Flush()
	b.WriteString(`
"parley help COMMAND" (or "parley COMMAND --help") tells what a command does,
what its arguments mean, and its flags. Every command also accepts the
server's flags ("parley help serve"), which may be set as PARLEY_*
environment variables or in parley.yaml as well.
`)
	return b.String()
}

// helpWidth is the width help wraps the descriptions of flags to.
const helpWidth = 80

// commandHelp is the help of one command: usage, what it does, its own
// flags (those of fs that are not server flags), then the server flags
// that matter to it. fs may be nil for a command without flags of its own.
func commandHelp(c command, fs *pflag.FlagSet) string {
	server := pflag.NewFlagSet("server", pflag.ContinueOnError)
	configFlags(server)
	own := pflag.NewFlagSet("own", pflag.ContinueOnError)
	relevant := pflag.NewFlagSet("relevant", pflag.ContinueOnError)
	if fs != nil {
		fs.VisitAll(func(f *pflag.Flag) {
			if server.Lookup(f.Name) == nil {
				own.AddFlag(f)
			}
		})
	}
	server.VisitAll(func(f *pflag.Flag) {
		if c.server == nil || contains(c.server, f.Name) {
			relevant.AddFlag(f)
		}
	})
	var b strings.Builder
	flags := ""
	if own.HasFlags() || relevant.HasFlags() {
		flags = " [flags]"
	}
	fmt.Fprintf(&b, "usage: parley %s%s\n", c.synopsis, flags)
	b.WriteString(c.about + "\n")
	if own.HasFlags() {
		b.WriteString("\nFlags:\n" + own.FlagUsagesWrapped(helpWidth))
	}
	switch {
	case c.server == nil:
		b.WriteString("\nFlags:\n" + relevant.FlagUsagesWrapped(helpWidth))
	case relevant.HasFlags():
		b.WriteString("\nServer flags that matter here (the others are accepted and ignored;\n\"parley help serve\" lists them all):\n" + relevant.FlagUsagesWrapped(helpWidth))
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// helpCmd is "parley help [COMMAND [SUBCOMMAND]]": the list, or the
// command's own --help.
func helpCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &helpRequest{overview()}
	}
	if args[0] == "-h" || args[0] == "--help" {
		c, _ := lookup("help")
		return &helpRequest{commandHelp(c, nil)}
	}
	c, ok := lookup(args[0])
	if !ok || c.run == nil {
		return unknownCommand(args[0])
	}
	if _, topic := lookup(strings.Join(args, " ")); topic {
		return c.run(ctx, append(args[1:], "--help"), stdout, stderr)
	}
	return usagef("%q is not a command: see \"parley help %s\"", strings.Join(args, " "), args[0])
}

// errUnknownCommand is an unknown command: run lists the commands.
type errUnknownCommand struct{ name string }

func (e *errUnknownCommand) Error() string { return fmt.Sprintf("unknown command %q", e.name) }

func unknownCommand(name string) error { return &errUnknownCommand{name} }

// run executes one subcommand and returns the exit code: 0, 1 when it
// failed, 2 when the command line is wrong.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "serve"
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help"):
		name, args = "help", nil
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		name, args = args[0], args[1:]
	}
	c, ok := lookup(name)
	var err error
	if ok && c.run != nil {
		err = c.run(ctx, args, stdout, stderr)
	} else {
		err = unknownCommand(name)
	}
	var help *helpRequest
	var unknown *errUnknownCommand
	var bad *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.text)
		return 0
	case errors.As(err, &unknown):
		fmt.Fprintf(stderr, "parley: %v\n\n%s", err, overview())
		return 2
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "parley %s: %v\nRun \"parley help %s\" for its arguments and flags.\n", name, err, name)
		return 2
	}
	fmt.Fprintf(stderr, "parley %s: %v\n", name, err)
	return 1
}
