package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"parley/dialogs"
	"parley/runtime"
)

// testCmd runs the transcript tests (*.txtar) of the bots under DIR
// (default: --bots) and exits 1 if any fails. See transcript.go.
func testCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, flags, err := parse("test", args, stderr, nil)
	if err != nil {
		return err
	}
	if flags.NArg() > 0 {
		c.Bots = flags.Arg(0)
	}
	fsys := botsFS(c)
	files, err := fs.Glob(fsys, "*/*.txtar")
	more, _ := fs.Glob(fsys, "*/tests/*.txtar")
	if files = append(files, more...); err == nil && len(files) == 0 {
		err = fmt.Errorf("no transcripts (BOT/*.txtar or BOT/tests/*.txtar) found")
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	failed := 0
	for _, f := range files {
		if err := runTranscriptFile(ctx, c, fsys, f, log); err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL %s\n  %v\n", f, strings.ReplaceAll(err.Error(), "\n", "\n  "))
			continue
		}
		fmt.Fprintf(stdout, "ok   %s\n", f)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d transcripts failed", failed, len(files))
	}
	return nil
}

// runTranscriptFile runs one archive against a fresh database, with a
// fixed clock and seeded randomness so that transcripts are repeatable.
func runTranscriptFile(ctx context.Context, c Config, fsys fs.FS, name string, log *slog.Logger) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	t, err := parseTranscript(name, data)
	if err != nil {
		return err
	}
	folder := strings.Split(name, "/")[0]
	bots, dir, bot := fsys, botsDir(c), runtime.BotID(folder)
	tmp, err := os.MkdirTemp("", "parley-test")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if t.bot != nil {
		if bots, dir, bot, err = inlineBot(tmp, t); err != nil {
			return err
		}
	}
	// Dir as the server has it: the bot's files are read as they are there.
	engine, err := dialogs.New(dialogs.Config{Bots: bots, Dir: dir, Logger: log, TurnTimeout: c.TurnTimeout, MemoryBudget: int64(c.DialogMemory) << 20})
	if err != nil {
		return err
	}
	// The uploads too: validate made UploadDir DATA/uploads of the flags.
	c.Data, c.DatabaseURL = filepath.Join(tmp, "data"), ""
	c.UploadStore, c.UploadDir = "disk", filepath.Join(c.Data, "uploads")
	rng := rand.New(rand.NewPCG(1, 2))
	hub, closeAll, err := openHub(ctx, c, engine, log, runtime.Config{
		Now:  func() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) },
		Rand: func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) },
		LLM:  offlineLLM{},
	})
	if err != nil {
		return err
	}
	defer closeAll()
	files, err := fs.Sub(fsys, folder)
	if err != nil {
		return err
	}
	return t.run(ctx, hub, bot, files)
}

// inlineBot writes the archive's bot into dir as the only bot; it returns
// the bots directory, as an fs.FS and on disk.
func inlineBot(dir string, t *transcript) (fs.FS, string, runtime.BotID, error) {
	root := filepath.Join(dir, "bots")
	slug := strings.TrimSuffix(path.Base(t.name), ".txtar")
	slug = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, strings.ToLower(slug))
	if err := os.MkdirAll(filepath.Join(root, slug), 0o755); err != nil {
		return nil, "", "", err
	}
	if _, ok := t.bot["bot.yaml"]; !ok {
		t.bot["bot.yaml"] = []byte("name: " + slug + "\n")
	}
	for name, data := range t.bot {
		if err := os.WriteFile(filepath.Join(root, slug, name), data, 0o644); err != nil {
			return nil, "", "", err
		}
	}
	return os.DirFS(root), root, runtime.BotID(slug), nil
}

// run plays the transcript: each "> " and "+ " line is sent once the
// bot's turn is over, and everything the bot said must be expected, in
// order. Suggestions are checked only where a "? " line asks. The files
// of "+ " lines are read from folder.
func (t *transcript) run(ctx context.Context, hub *runtime.Hub, bot runtime.BotID, folder fs.FS) error {
	id := runtime.Identity{UserID: "transcript", Name: "Tester", Role: runtime.RoleUser}
	sub, err := hub.Join(ctx, id, runtime.JoinRequest{BotID: bot})
	if err != nil {
		return err
	}
	defer sub.Close()
	var pending []output
	if pending, err = collectTurn(ctx, sub, pending); err != nil {
		return err
	}
	for _, s := range t.steps {
		if s.kind == '>' || s.kind == '+' || s.kind == '@' {
			if err := unexpected(pending, s.line); err != nil {
				return err
			}
			var err error
			switch s.kind {
			case '>':
				_, _, err = sub.Send(ctx, runtime.SendRequest{Content: s.text})
			case '+':
				err = sendFile(ctx, hub, id, sub, folder, s.text)
			default:
				err = actAsAgent(ctx, hub, sub.Session.ID, s.text)
			}
			if err != nil {
				return fmt.Errorf("line %d: %v", s.line, err)
			}
			if pending, err = collectTurn(ctx, sub, nil); err != nil {
				return err
			}
			continue
		}
		if pending, err = expect(pending, s); err != nil {
			return err
		}
	}
	return unexpected(pending, 0)
}

// sendFile does what a "+" line says: id uploads the file at name in
// folder and sends it, with no text.
func sendFile(ctx context.Context, hub *runtime.Hub, id runtime.Identity, sub *runtime.Subscription, folder fs.FS, name string) error {
	data, err := fs.ReadFile(folder, name)
	if err != nil {
		return fmt.Errorf("the file to send: %w", err)
	}
	ups, err := hub.Upload(ctx, id, []runtime.NewFile{{Name: path.Base(name), Body: bytes.NewReader(data), Size: int64(len(data))}})
	if err != nil {
		return err
	}
	ids, _ := json.Marshal([]string{ups[0].ID})
	_, _, err = sub.Send(ctx, runtime.SendRequest{Attachments: ids})
	return err
}

// transcriptAgent is the agent of "@" lines.
var transcriptAgent = runtime.Identity{UserID: "agent", Name: "Agent", Role: runtime.RoleAgent}

// actAsAgent does what an "@" line says: "say TEXT", "resolve NOTE" or
// "close NOTE".
func actAsAgent(ctx context.Context, hub *runtime.Hub, sid runtime.SessionID, line string) error {
	verb, text, _ := strings.Cut(line, " ")
	if verb == "say" {
		_, _, err := hub.Send(ctx, transcriptAgent, runtime.SendRequest{SessionID: sid, Content: text})
		return err
	}
	status := runtime.SupportResolved
	if verb == "close" {
		status = runtime.SupportClosed
	}
	_, err := hub.Patch(ctx, transcriptAgent, sid, runtime.ConversationPatch{SupportStatus: &status, Note: &text})
	return err
}

// collectTurn waits for the dialog's turn to end and appends its outputs.
func collectTurn(ctx context.Context, sub *runtime.Subscription, out []output) ([]output, error) {
	if err := sub.WaitIdle(ctx); err != nil {
		return nil, err
	}
	for {
		select {
		case e := <-sub.Events():
			out = append(out, outputsOf(e)...)
		default:
			return out, nil
		}
	}
}

// expect consumes the output s expects, skipping suggestions unless s is
// about them.
func expect(pending []output, s step) ([]output, error) {
	for len(pending) > 0 && pending[0].kind == '?' && s.kind != '?' {
		pending = pending[1:]
	}
	if len(pending) == 0 {
		return nil, fmt.Errorf("line %d: want %c %s, the bot said nothing more", s.line, s.kind, s.text)
	}
	if !s.matches(pending[0]) {
		return nil, fmt.Errorf("line %d: want %c %s\n  got  %c %s", s.line, s.kind, s.text, pending[0].kind, pending[0].text)
	}
	return pending[1:], nil
}

// unexpected fails on bot messages or errors no line expected.
func unexpected(pending []output, line int) error {
	for _, o := range pending {
		if o.kind != '?' {
			where := "at the end"
			if line > 0 {
				where = fmt.Sprintf("before line %d", line)
			}
			return fmt.Errorf("%s: the bot also said %c %s", where, o.kind, o.text)
		}
	}
	return nil
}

// offlineLLM is the LLM of transcripts, whatever the flags and bot.yaml
// say: a transcript is repeatable, so it never calls a model. LLM
// returns nil and runtime.ErrNoLLM, as on a server without an endpoint.
type offlineLLM struct{}

func (offlineLLM) Complete(context.Context, *runtime.Bot, runtime.LLMRequest, func(string)) (string, error) {
	return "", &runtime.LLMError{Message: runtime.ErrNoLLM}
}
