package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"parley/dialogs"
	"parley/llm"
	"parley/outbound"
	"parley/runtime"
	"parley/schema"
	"parley/uploads"
	"parley/uploads/s3"
)

// chat talks to one bot in the terminal (protocol §1: no server needed).
// It runs the same Hub as the server, over a throw-away SQLite database
// or the one --keep names, so the bot behaves exactly as it would on the
// wire. What it prints is described in help.go.
func chat(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var name, keep string
	var strict bool
	c, flags, err := parse("chat", args, stderr, func(fs *pflag.FlagSet) {
		fs.StringVar(&name, "user", "", "talk as the user `NAME`: the script's USER.id and USER.name (default: your login name)")
		fs.StringVar(&keep, "keep", "", "keep the database in `DIR` (made if need be), so that the next run with the same DIR finds what the bot remembered (default: a throw-away one)")
		fs.BoolVar(&strict, "strict", false, "exit 1 at the end of the input if the bot's script failed, for scripted sessions: parley chat --strict BOT < lines.txt")
	})
	if err != nil {
		return err
	}
	if flags.NArg() > 1 {
		return usagef("one bot at a time: parley chat [BOT]")
	}
	switch {
	case name == "" && loginName() == "":
		return usagef("no login name to talk as: give --user NAME")
	case name == "":
		name = loginName()
	case strings.TrimSpace(name) != name:
		return usagef("--user %q: a name without spaces around it", name)
	}
	bot, err := chatBot(c, runtime.BotID(flags.Arg(0)))
	if err != nil {
		return err
	}
	data := keep
	if data == "" {
		tmp, err := os.MkdirTemp("", "parley-chat")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		data = tmp
	}
	c.Data, c.DatabaseURL = filepath.Clean(data), ""
	c.UploadStore, c.UploadDir = "disk", filepath.Join(c.Data, "uploads")
	logs := newChatLog(newLogger(c, stderr).Handler())
	log := slog.New(logs)
	dir := botsDir(c)
	engine, err := dialogs.New(dialogs.Config{Bots: oneBot{botsFS(c), bot}, Dir: dir, Logger: log, TurnTimeout: c.TurnTimeout, MemoryBudget: int64(c.DialogMemory) << 20})
	if err != nil {
		return fmt.Errorf("bot %s does not load:\n%s", bot, scriptErrors(dir, err))
	}
	hub, db, closeAll, err := openHubDB(ctx, c, engine, log, runtime.Config{})
	if err != nil {
		return err
	}
	defer closeAll()
	info, err := hub.Bot(bot)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	in := stdinOf(ctx)
	ch := &chatter{
		hub: hub, db: db, bot: info, dir: dir, out: stdout, echo: !isTerminal(in), failed: logs.failed,
		id: identity(name),
	}
	note := ""
	if keep != "" {
		note = ", memory kept in " + keep
	}
	ch.note("talking to %s (%s) as %s%s; /help lists the commands", info.Name, ch.folder(), name, note)
	if err := ch.run(ctx, in); err != nil {
		return err
	}
	if strict && ch.failures > 0 {
		return fmt.Errorf("--strict: the bot's script failed %d time(s)", ch.failures)
	}
	return nil
}

// stdinKey carries the input of chat in a context, so that tests can
// type into it; without one it is os.Stdin.
type stdinKey struct{}

func withStdin(ctx context.Context, r io.Reader) context.Context {
	return context.WithValue(ctx, stdinKey{}, r)
}

func stdinOf(ctx context.Context) io.Reader {
	if r, ok := ctx.Value(stdinKey{}).(io.Reader); ok {
		return r
	}
	return os.Stdin
}

// isTerminal reports whether r is a terminal, where what is typed shows
// already; other input (a file, a pipe) is echoed as "> " lines, so that
// the output reads as the conversation.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// loginName is the default of --user: the login name, else $USER.
func loginName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// identity is the user NAME of the terminal: its id is its name, so that
// the bot's memory of it (kept with --keep) is found again by name.
func identity(name string) runtime.Identity {
	return runtime.Identity{UserID: name, Name: name, Role: runtime.RoleUser}
}

// botsWhere says where the bots come from, for messages.
func botsWhere(c Config) string {
	dir := botsDir(c)
	switch {
	case dir == "":
		return "the built-in bots (there is no ./bots here, and no --bots)"
	case c.Bots == "":
		return "the bots directory ./bots"
	}
	return "the bots directory " + dir
}

// chatBot finds the bot to talk to: want, or the default bot. A bot that
// is not there is an error that says where chat looked and what is there.
func chatBot(c Config, want runtime.BotID) (runtime.BotID, error) {
	fsys, where := botsFS(c), botsWhere(c)
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			err = pe.Err // the path is "." of the directory
		}
		return "", fmt.Errorf("cannot read %s: %v", where, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && (exists(fsys, e.Name(), "bot.yaml") || exists(fsys, e.Name(), "start.lua")) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("%s has no bots (folders with bot.yaml and start.lua)", where)
	}
	list := strings.Join(names, ", ")
	switch {
	case want != "" && slices.Contains(names, string(want)):
		return want, nil
	case want != "":
		msg := fmt.Sprintf("there is no bot %q in %s", want, where)
		if exists(fsys, string(want), "team.yaml") {
			msg += fmt.Sprintf(" (%s is a team; chat talks to one bot)", want)
		}
		return "", fmt.Errorf("%s; its bots: %s", msg, list)
	case len(names) == 1:
		return runtime.BotID(names[0]), nil
	}
	// No BOT: the default bot, as the server finds it.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := dialogs.New(dialogs.Config{Bots: fsys, Dir: botsDir(c), Logger: quiet, TurnTimeout: c.TurnTimeout})
	if err != nil {
		return "", fmt.Errorf("no BOT given, and the default bot of %s cannot be found:\n%s\nName the bot, as in \"parley chat %s\"; its bots: %s",
			where, scriptErrors(botsDir(c), err), names[0], list)
	}
	for _, b := range e.Bots() {
		if b.Default {
			return b.ID, nil
		}
	}
	return "", fmt.Errorf("%s has no default bot; its bots: %s", where, list)
}

func exists(fsys fs.FS, elem ...string) bool {
	_, err := fs.Stat(fsys, path.Join(elem...))
	return err == nil
}

// scriptErrors lists the problems err joins, one a line, each script
// error with its path in the bots directory dir (as an editor opens it).
func scriptErrors(dir string, err error) string {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("\n")
		}
		var se *dialogs.ScriptError
		if errors.As(e, &se) {
			fmt.Fprintf(&b, "  %s: %v", scriptPlace(dir, se), se.Err)
		} else {
			fmt.Fprintf(&b, "  %v", e)
		}
	}
	return b.String()
}

// scriptPlace is file:line of a script error, the file's path as seen
// from here: under the bots directory dir, or in the bot's folder for the
// built-in bots.
func scriptPlace(dir string, se *dialogs.ScriptError) string {
	p := path.Join(string(se.Bot), se.File)
	if dir != "" {
		p = filepath.Join(dir, p)
	}
	if se.Line > 0 {
		p = fmt.Sprintf("%s:%d", p, se.Line)
	}
	return p
}

// oneBot is a bots directory of which only one bot's folder is seen:
// chat loads the bot it talks to, whatever is wrong with the others (or
// with the rule of exactly one default bot, which is the server's).
type oneBot struct {
	fs.FS
	bot runtime.BotID
}

func (o oneBot) seen(name string) bool {
	return name == "." || name == string(o.bot) || strings.HasPrefix(name, string(o.bot)+"/")
}

func (o oneBot) Open(name string) (fs.File, error) {
	if !o.seen(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return o.FS.Open(name)
}

func (o oneBot) ReadDir(name string) ([]fs.DirEntry, error) {
	if !o.seen(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := fs.ReadDir(o.FS, name)
	if name != "." {
		return entries, err
	}
	var mine []fs.DirEntry
	for _, e := range entries {
		if e.Name() == string(o.bot) {
			mine = append(mine, e)
		}
	}
	return mine, err
}

// chatter is one terminal session: the user, the conversation, and what
// has been printed.
type chatter struct {
	hub      *runtime.Hub
	db       *schema.DB
	bot      *runtime.Bot
	dir      string // the bots directory on disk; "" for the built-in bots
	id       runtime.Identity
	sub      *runtime.Subscription
	out      io.Writer
	echo     bool            // print each line read as "> line"
	failed   *scriptFailures // the log's script errors, printed with their "!" lines
	failures int             // dialog errors so far (--strict)
	typing   bool            // "… typing" is shown and the bot has not talked since
	suggest  []string        // quick replies to show once the bot is done
	sent     int             // messages sent: their client ids
}

// run starts a conversation, then sends each line of in as a message (or
// runs it as a command) and prints the bot's answer, until in ends, /quit
// or ctx ends.
func (ch *chatter) run(ctx context.Context, in io.Reader) error {
	lines, readErr := make(chan string), make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 4096), runtime.MaxContentLen+1)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	if err := ch.join(ctx); err != nil {
		return err
	}
	defer func() { ch.sub.Close() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-ch.sub.Events(): // the bot talking by itself (WAIT), people (TRANSFER)
			ch.print(e)
			ch.showSuggestions()
		case <-ch.sub.Done():
			return fmt.Errorf("the conversation ended (%s)", ch.sub.Reason())
		case line, ok := <-lines:
			if !ok {
				return <-readErr
			}
			if ch.echo {
				ch.line("> " + line)
			}
			quit, err := ch.do(ctx, line)
			if err != nil || quit {
				return err
			}
		}
	}
}

// do sends one line, or runs it as a command; it reports /quit.
func (ch *chatter) do(ctx context.Context, line string) (quit bool, err error) {
	text := strings.TrimSpace(line)
	if text == "" {
		return false, nil
	}
	if !strings.HasPrefix(text, "/") || strings.HasPrefix(text, "//") {
		if strings.HasPrefix(text, "//") {
			line = strings.TrimPrefix(strings.TrimLeft(line, " \t"), "/")
		}
		ch.sent++
		_, _, err := ch.sub.Send(ctx, runtime.SendRequest{Content: line, ClientID: fmt.Sprint("line-", ch.sent)})
		if err != nil {
			ch.line("! " + string(runtime.ErrorKind(err)) + ": " + runtime.ErrorMessage(err))
			return false, nil
		}
		return false, ch.turn(ctx)
	}
	cmd, arg, _ := strings.Cut(text, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "/quit", "/exit":
		return true, nil
	case "/restart":
		if _, err := ch.hub.SetStatus(ctx, ch.id, ch.sub.Session.ID, runtime.StatusArchived); err != nil {
			return false, err
		}
		ch.note("a new conversation")
		return false, ch.join(ctx)
	case "/user":
		if arg == "" {
			ch.note("you are %s; /user NAME talks as NAME", ch.id.UserID)
			return false, nil
		}
		ch.id = identity(arg)
		ch.note("you are %s now, in a new conversation", arg)
		return false, ch.join(ctx)
	case "/memory":
		return false, ch.memory(ctx)
	case "/help":
		ch.note("/restart      start the conversation over (the bot's memory of you stays)")
		ch.note("/memory       show what the bot remembers of you (SET/GET)")
		ch.note("/user NAME    talk as another user, in a new conversation")
		ch.note("/quit         leave, as the end of the input (Ctrl-D) does")
		ch.note("//text        send \"/text\"")
		return false, nil
	}
	ch.note("no command %s: /help lists them (//%s sends it as a message)", cmd, strings.TrimPrefix(text, "/"))
	return false, nil
}

// join starts a new conversation of the user with the bot and prints the
// greeting. An older one of theirs (from an earlier run with --keep) is
// archived first, so that each run, /restart and /user meet the bot anew,
// as it greets a user coming back.
func (ch *chatter) join(ctx context.Context) error {
	if ch.sub != nil {
		ch.sub.Close()
		ch.sub = nil
	}
	req := runtime.JoinRequest{BotID: ch.bot.ID}
	sub, err := ch.hub.Join(ctx, ch.id, req)
	if err != nil {
		return err
	}
	if s := sub.Session; s.Run > 0 || s.LastSeq > 0 {
		sub.Close()
		if _, err := ch.hub.SetStatus(ctx, ch.id, s.ID, runtime.StatusArchived); err != nil {
			return err
		}
		if sub, err = ch.hub.Join(ctx, ch.id, req); err != nil {
			return err
		}
	}
	ch.sub, ch.typing = sub, false
	return ch.turn(ctx)
}

// turn prints what the dialog does, as it does it, until its turn is
// over: every event of the turn is queued before WaitIdle returns.
func (ch *chatter) turn(ctx context.Context) error {
	idle := make(chan error, 1)
	go func() { idle <- ch.sub.WaitIdle(ctx) }()
	for {
		select {
		case e := <-ch.sub.Events():
			ch.print(e)
		case err := <-idle:
			for {
				select {
				case e := <-ch.sub.Events():
					ch.print(e)
				default:
					ch.showSuggestions()
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
			}
		}
	}
}

// memory prints what the bot keeps of the user (SET).
func (ch *chatter) memory(ctx context.Context) error {
	entries, err := ch.db.ListMemory(ctx, runtime.MemoryScope{BotID: ch.bot.ID, Owner: "user:" + ch.id.UserID})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		ch.note("%s remembers nothing of %s", ch.bot.Name, ch.id.UserID)
		return nil
	}
	ch.note("%s remembers of %s:", ch.bot.Name, ch.id.UserID)
	for _, m := range entries {
		ch.note("  %s = %s", m.Key, m.Value)
	}
	return nil
}

// print shows one event: the bot's messages and files, its typing (once
// until it talks), status changes and errors; its quick replies are kept
// for showSuggestions.
func (ch *chatter) print(e *runtime.Event) {
	switch e.Type {
	case runtime.EventTyping:
		if e.Sender != runtime.SenderBot {
			return
		}
		if e.Active && !ch.typing {
			ch.line("… typing")
		}
		ch.typing = e.Active
	case runtime.EventMessage:
		switch e.Message.Sender {
		case runtime.SenderUser: // what was typed
		case runtime.SenderBot:
			ch.typing = false
			for _, o := range outputsOf(e) {
				ch.line(fmt.Sprintf("%c %s", o.kind, o.text))
			}
		default: // people, in a TRANSFER
			ch.line(fmt.Sprintf("< %s: %s", e.Message.SenderName, e.Message.Content))
		}
	case runtime.EventSuggestion: // shown when the turn is over: the last ones are those in force
		ch.suggest = e.Suggestions
	case runtime.EventStatus:
		for _, o := range outputsOf(e) {
			ch.line(fmt.Sprintf("%c %s", o.kind, o.text))
		}
	case runtime.EventError:
		if e.Code != runtime.KindDialog {
			ch.line(fmt.Sprintf("! %s: %s", e.Code, e.Text))
			return
		}
		ch.failures++
		if se := ch.failed.take(e.SessionID); se != nil {
			ch.line(fmt.Sprintf("! %s: %v (your next message starts the bot again)", scriptPlace(ch.dir, se), se.Err))
			return
		}
		ch.line("! " + e.Text)
	}
}

// showSuggestions prints the quick replies in force, as a line of
// "[Small] [Medium] [Large]", once.
func (ch *chatter) showSuggestions() {
	if len(ch.suggest) > 0 {
		ch.line("  [" + strings.Join(ch.suggest, "] [") + "]")
	}
	ch.suggest = nil
}

// folder is where the bot's files are, for the header.
func (ch *chatter) folder() string {
	if ch.dir == "" {
		return "built in"
	}
	return filepath.Join(ch.dir, string(ch.bot.ID))
}

func (ch *chatter) line(s string) { fmt.Fprintln(ch.out, s) }

// note prints a line of chat's own, as "# …".
func (ch *chatter) note(format string, args ...any) {
	ch.line("# " + fmt.Sprintf(format, args...))
}

// openHub opens the store and a Hub over engine, as Main.Run does; cfg
// may set the Hub's clock and randomness.
func openHub(ctx context.Context, c Config, engine runtime.DialogEngine, log *slog.Logger, cfg runtime.Config) (*runtime.Hub, func(), error) {
	hub, _, closeAll, err := openHubDB(ctx, c, engine, log, cfg)
	return hub, closeAll, err
}

// openHubDB is openHub that also returns the store, for what the Hub
// does not show (chat's /memory).
func openHubDB(ctx context.Context, c Config, engine runtime.DialogEngine, log *slog.Logger, cfg runtime.Config) (*runtime.Hub, *schema.DB, func(), error) {
	store, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	cfg.Store, cfg.Engine, cfg.Logger, cfg.HTTP = store, engine, log, outbound.Client{}
	if cfg.Blobs, err = blobStore(ctx, c); err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	cfg.Inspect, cfg.Uploads = uploads.Inspect, c.uploadLimits
	if cfg.LLM == nil {
		cfg.LLM = llmClient(c)
	}
	hub := runtime.New(cfg)
	return hub, store, func() { hub.Close(ctx); store.Close() }, nil
}

// blobStore is where uploaded files are kept (--upload-store): the
// configured directory, DATA/uploads by default, or an S3-compatible
// bucket, checked before the server starts.
func blobStore(ctx context.Context, c Config) (runtime.BlobStore, error) {
	sc, err := uploadS3(c.UploadStore)
	if err != nil {
		return nil, err
	}
	if sc != nil {
		st, err := s3.New(ctx, *sc)
		if err != nil {
			return nil, fmt.Errorf("upload-store: %w", err)
		}
		return st, nil
	}
	dir := c.UploadDir
	if dir == "" {
		dir = filepath.Join(c.Data, "uploads")
	}
	return uploads.NewDisk(dir)
}

// llmClient is the LLM of scripts, as c configures it.
func llmClient(c Config) *llm.Client {
	return llm.New(llm.Config{BaseURL: c.LLMBaseURL, Model: c.LLMModel, APIKey: c.LLMAPIKey, Timeout: c.LLMTimeout})
}
