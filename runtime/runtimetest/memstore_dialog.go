package runtimetest

import (
	"cmp"
	"context"
	"slices"
	"time"

	"parley/runtime"
)

type scriptKey struct {
	bot     runtime.BotID
	version string
}

// CommitDialog applies w at once. Everything that can fail is checked
// before anything changes, which is how the store stays all-or-nothing
// without a transaction; the failures are schema's: KindNotFound for a
// missing session, KindConflict for a journal entry or message id stored
// already, KindInvalid for a message with a client id or of another
// session.
func (s *MemStore) CommitDialog(ctx context.Context, w *runtime.DialogWrite) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := checkDialogMessages(w); err != nil {
		return err
	}
	sess, ok := s.sessions[w.SessionID]
	if !ok {
		return runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	if err := s.checkNew(w); err != nil {
		return err
	}
	for _, id := range w.Uploads {
		if s.uploads[id] == nil {
			return runtime.Errorf(runtime.KindNotFound, "no such file") // schema's foreign key
		}
	}
	if in := w.Input; in != nil {
		if err := checkInput(w); err != nil {
			return err
		}
		if dup := s.byClientID(w.SessionID, in.ClientID); dup != nil {
			*in = *cloneMessage(dup)
			return runtime.ErrInputStored
		}
		if sess.LastUserSeq > sess.ConsumedSeq {
			return runtime.ErrInputBehind
		}
		if _, ok := s.byID[in.ID]; in.ID != "" && ok {
			return runtime.Errorf(runtime.KindConflict, "message already exists")
		}
		in.SessionID = w.SessionID
		if in.ID == "" {
			in.ID = newID()
		}
		s.appendLocked(sess, in)
		w.Entries[w.InputEntry].Seq, w.ConsumedSeq = in.Seq, in.Seq
	}
	applyDialogState(sess, w)
	s.journal[w.SessionID] = append(s.journal[w.SessionID], w.Entries...)
	for _, m := range w.Messages {
		m.SessionID = w.SessionID
		if m.ID == "" {
			m.ID = newID()
		}
		s.appendLocked(sess, m)
	}
	for _, id := range w.Uploads {
		u := s.uploads[id]
		u.attached = true
		if !slices.Contains(u.sessions, w.SessionID) {
			u.sessions = append(u.sessions, w.SessionID)
		}
	}
	for _, mw := range w.Memory {
		if mw.Value == "" {
			delete(s.memory, memKey{mw.Scope, mw.Key})
		} else {
			s.memory[memKey{mw.Scope, mw.Key}] = mw.Value
		}
	}
	if w.Run != nil && w.Run.Ended {
		s.journal[w.SessionID] = slices.DeleteFunc(s.journal[w.SessionID],
			func(e runtime.JournalEntry) bool { return e.Run == w.Run.Run })
	}
	return nil
}

// checkDialogMessages: a dialog's messages are its session's and have no
// client id.
func checkDialogMessages(w *runtime.DialogWrite) error {
	for _, m := range w.Messages {
		if m.SessionID != "" && m.SessionID != w.SessionID {
			return runtime.Errorf(runtime.KindInvalid, "a dialog message belongs to another session")
		}
		if m.ClientID != "" {
			return runtime.Errorf(runtime.KindInvalid, "a dialog message has no client id")
		}
	}
	return nil
}

// checkInput: w's input is a user message of its session, taken by a
// HEAR entry of w.
func checkInput(w *runtime.DialogWrite) error {
	switch in := w.Input; {
	case in.SessionID != "" && in.SessionID != w.SessionID:
		return runtime.Errorf(runtime.KindInvalid, "the input message belongs to another session")
	case in.Sender != runtime.SenderUser:
		return runtime.Errorf(runtime.KindInvalid, "the input message is not a user message")
	case w.InputEntry < 0 || w.InputEntry >= len(w.Entries) || w.Entries[w.InputEntry].Kind != runtime.EntryHear:
		return runtime.Errorf(runtime.KindInvalid, "the input message's entry is not a hear entry of the write")
	}
	return nil
}

// checkNew: no entry of w is in the journal (or twice in w), and no
// message id of w is stored (or twice in w); s.mu is held.
func (s *MemStore) checkNew(w *runtime.DialogWrite) error {
	type pos struct{ run, index int64 }
	seen := map[pos]bool{}
	for _, e := range s.journal[w.SessionID] {
		seen[pos{e.Run, e.Index}] = true
	}
	for _, e := range w.Entries {
		if seen[pos{e.Run, e.Index}] {
			return runtime.Errorf(runtime.KindConflict, "journal entry already exists")
		}
		seen[pos{e.Run, e.Index}] = true
	}
	ids := map[string]bool{}
	for _, m := range w.Messages {
		if _, ok := s.byID[m.ID]; m.ID != "" && (ok || ids[m.ID]) {
			return runtime.Errorf(runtime.KindConflict, "message already exists")
		}
		ids[m.ID] = true
	}
	return nil
}

// applyDialogState writes the session fields w changes.
func applyDialogState(sess *runtime.Session, w *runtime.DialogWrite) {
	sess.ConsumedSeq = max(sess.ConsumedSeq, w.ConsumedSeq)
	if w.Suggestions != nil {
		sess.Suggestions = slices.Clone(*w.Suggestions)
	}
	if w.WakeAt != nil {
		sess.WakeAt = time.Time{}
		if !w.WakeAt.IsZero() {
			sess.WakeAt = utcMicro(*w.WakeAt)
		}
	}
	switch r := w.Run; {
	case r == nil:
	case r.Ended:
		sess.RunEnded = true
	default:
		sess.Run, sess.RunEnded, sess.ScriptVersion = r.Run, false, r.Version
	}
}

// Journal returns the entries of one run in index order.
func (s *MemStore) Journal(ctx context.Context, sid runtime.SessionID, run int64) ([]runtime.JournalEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []runtime.JournalEntry{}
	for _, e := range s.journal[sid] {
		if e.Run == run {
			list = append(list, e)
		}
	}
	slices.SortFunc(list, func(a, b runtime.JournalEntry) int { return cmp.Compare(a.Index, b.Index) })
	return list, nil
}

// SaveScript stores a script version; saving it again does nothing.
func (s *MemStore) SaveScript(ctx context.Context, sc *runtime.Script) error {
	if sc.Bot == "" || sc.Version == "" {
		return runtime.Errorf(runtime.KindInvalid, "a script needs a bot and a version")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.scripts[scriptKey{sc.Bot, sc.Version}]; !ok {
		s.scripts[scriptKey{sc.Bot, sc.Version}] = sc.Source
	}
	return nil
}

// FindScript returns a stored version, or KindNotFound.
func (s *MemStore) FindScript(ctx context.Context, bot runtime.BotID, version string) (*runtime.Script, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.scripts[scriptKey{bot, version}]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "script not found")
	}
	return &runtime.Script{Bot: bot, Version: version, Source: src}, nil
}

// PendingDialogs lists the conversations with work to do, as schema's
// query defines them.
func (s *MemStore) PendingDialogs(ctx context.Context) ([]runtime.PendingDialog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []runtime.PendingDialog
	for id, sess := range s.sessions {
		if sess.LastUserSeq > sess.ConsumedSeq || !sess.WakeAt.IsZero() || s.openRun(sess) {
			list = append(list, runtime.PendingDialog{SessionID: id, WakeAt: sess.WakeAt})
		}
	}
	return list, nil
}

// openRun reports whether sess is in the middle of a run: not ended, and
// either its last entry is not a park or it has none yet though it
// started; s.mu is held.
func (s *MemStore) openRun(sess *runtime.Session) bool {
	if sess.RunEnded {
		return false
	}
	var last *runtime.JournalEntry
	for i, e := range s.journal[sess.ID] {
		if e.Run == sess.Run && (last == nil || e.Index > last.Index) {
			last = &s.journal[sess.ID][i]
		}
	}
	if last == nil {
		return sess.Run >= 1
	}
	return last.Kind != runtime.EntryPark
}

// TurnsInOneCommit: the runtime offers user messages to parked dialogs
// (runtime/early.go), so that its tests run that path, as schema's
// stores do.
func (s *MemStore) TurnsInOneCommit() bool { return true }
