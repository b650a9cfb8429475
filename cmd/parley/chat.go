package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"parley/llm"
	"parley/outbound"
	"parley/runtime"
	"parley/uploads"
	"parley/uploads/s3"
)

// chat talks to one bot in the terminal (protocol §1: no server needed).
// It runs the same Hub as the server over a throw-away SQLite database, so
// the bot behaves exactly as it would on the wire.
func chat(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, fs, err := parse("chat", args, stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: parley chat BOT")
	}
	tmp, err := os.MkdirTemp("", "parley-chat")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	c.Data, c.DatabaseURL = tmp, ""
	log := newLogger(c, stderr)
	engine, err := loadBots(c, log)
	if err != nil {
		return err
	}
	hub, closeAll, err := openHub(ctx, c, engine, log, runtime.Config{})
	if err != nil {
		return err
	}
	defer closeAll()
	return converse(ctx, hub, runtime.BotID(fs.Arg(0)), os.Stdin, stdout)
}

// openHub opens the store and a Hub over engine, as Main.Run does; cfg
// may set the Hub's clock and randomness.
func openHub(ctx context.Context, c Config, engine runtime.DialogEngine, log *slog.Logger, cfg runtime.Config) (*runtime.Hub, func(), error) {
	store, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, nil, err
	}
	cfg.Store, cfg.Engine, cfg.Logger, cfg.HTTP = store, engine, log, outbound.Client{}
	if cfg.Blobs, err = blobStore(ctx, c); err != nil {
		store.Close()
		return nil, nil, err
	}
	cfg.Inspect, cfg.Uploads = uploads.Inspect, c.uploadLimits
	if cfg.LLM == nil {
		cfg.LLM = llmClient(c)
	}
	hub := runtime.New(cfg)
	return hub, func() { hub.Close(ctx); store.Close() }, nil
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

// converse joins a conversation with bot, prints its frames and sends each
// line of in as a message, until in ends.
func converse(ctx context.Context, hub *runtime.Hub, bot runtime.BotID, in io.Reader, out io.Writer) error {
	id := runtime.Identity{UserID: "terminal", Name: os.Getenv("USER"), Role: runtime.RoleUser}
	sub, err := hub.Join(ctx, id, runtime.JoinRequest{BotID: bot})
	if err != nil {
		return err
	}
	defer sub.Close()
	if err := turnOver(ctx, sub, out); err != nil { // the greeting
		return err
	}
	sc := bufio.NewScanner(in)
	for n := 0; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		_, _, err := sub.Send(ctx, runtime.SendRequest{Content: sc.Text(), ClientID: fmt.Sprint("line-", n)})
		if err == nil {
			err = turnOver(ctx, sub, out)
		}
		if err != nil {
			fmt.Fprintln(out, "! "+runtime.ErrorMessage(err))
		}
	}
	return sc.Err()
}

// turnOver waits for the dialog to finish its turn and prints what it
// said. Every event of the turn is queued before WaitIdle returns.
func turnOver(ctx context.Context, sub *runtime.Subscription, out io.Writer) error {
	if err := sub.WaitIdle(ctx); err != nil {
		return err
	}
	for {
		select {
		case e := <-sub.Events():
			printEvent(out, e)
		default:
			return nil
		}
	}
}

// printEvent shows one event as a line of the transcript.
func printEvent(out io.Writer, e *runtime.Event) {
	switch e.Type {
	case runtime.EventMessage:
		switch e.Message.Sender {
		case runtime.SenderUser:
		case runtime.SenderBot: // its text, then "* name" for each file
			for _, o := range outputsOf(e) {
				fmt.Fprintf(out, "%c %s\n", o.kind, o.text)
			}
		default:
			fmt.Fprintf(out, "< %s\n", e.Message.Content)
		}
	case runtime.EventSuggestion:
		if len(e.Suggestions) > 0 {
			fmt.Fprintf(out, "  [%s]\n", strings.Join(e.Suggestions, " | "))
		}
	case runtime.EventError:
		fmt.Fprintf(out, "! %s: %s\n", e.Code, e.Text)
	}
}

// llmClient is the LLM of scripts, as c configures it.
func llmClient(c Config) *llm.Client {
	return llm.New(llm.Config{BaseURL: c.LLMBaseURL, Model: c.LLMModel, APIKey: c.LLMAPIKey, Timeout: c.LLMTimeout})
}
