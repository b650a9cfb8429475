package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"parley/dialogs"
	"parley/runtime"
)

// engineFailure is the message the dialog engine logs a failed script
// with (dialogs.dialog.logFailure); the runtime logs the same failure
// again as it tells the conversation.
const engineFailure = "bot script failed"

// chatLog is the log of parley chat. A script's failure belongs to the
// conversation, where chat prints it with its file and line, so it is
// taken out of the log (which would have it twice: once from the engine,
// once from the runtime) and kept for the conversation to print. The
// rest goes to the log as usual.
type chatLog struct {
	next   slog.Handler
	attrs  []slog.Attr // of WithAttrs: the runtime's logger names the session there
	failed *scriptFailures
}

// scriptFailures are the script errors of each conversation not printed yet.
type scriptFailures struct {
	mu     sync.Mutex
	errors map[string]*dialogs.ScriptError // by session id
}

func newChatLog(next slog.Handler) *chatLog {
	return &chatLog{next: next, failed: &scriptFailures{errors: map[string]*dialogs.ScriptError{}}}
}

// take returns the last script error of the conversation sid, once.
func (f *scriptFailures) take(sid runtime.SessionID) *dialogs.ScriptError {
	f.mu.Lock()
	defer f.mu.Unlock()
	se := f.errors[string(sid)]
	delete(f.errors, string(sid))
	return se
}

// Enabled is true for warnings whatever the level, so that a failure is
// seen even with --log-level error.
func (h *chatLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || h.next.Enabled(ctx, l)
}

func (h *chatLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == engineFailure {
		return nil
	}
	var dialogErr error
	var se *dialogs.ScriptError
	var sid string
	look := func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && runtime.IsKind(err, runtime.KindDialog) {
			dialogErr = err
			errors.As(err, &se)
		}
		if a.Key == "session" {
			sid = a.Value.String()
		}
		return true
	}
	for _, a := range h.attrs {
		look(a)
	}
	r.Attrs(look)
	if dialogErr != nil {
		if se != nil && sid != "" {
			h.failed.mu.Lock()
			h.failed.errors[sid] = se
			h.failed.mu.Unlock()
		}
		return nil // the conversation shows it
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *chatLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	c.next = h.next.WithAttrs(attrs)
	return &c
}

func (h *chatLog) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}
