package schema

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"parley/runtime"
)

// holdWriter blocks the committer in a batch of its own, so that every
// write after it queues; release lets it go on. It returns once the
// committer has begun that batch: the write first (an append to session
// first), which waits for release before it runs. (The committer may keep
// its connection between batches, so taking the connection from its pool
// would not stop it.)
func holdWriter(t *testing.T, db *DB, first runtime.SessionID) (release func(), firstDone <-chan error) {
	t.Helper()
	held, hold := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.commit.do(context.Background(), string(first), func(ctx context.Context, tx execQueryer) error {
			close(held)
			<-hold
			_, _, err := db.appendTx(ctx, tx, newMessageRow(userMessage(first, "first")))
			return err
		})
	}()
	<-held
	return func() { close(hold) }, done
}

// waitQueued waits until n writes are queued behind the held connection.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	waitFor(t, fmt.Sprint(n, " queued writes"), func() bool {
		db.commit.mu.Lock()
		defer db.commit.mu.Unlock()
		return len(db.commit.queue) == n
	})
}

// queueBehind holds the writer (holdWriter on held), queues runs one at a
// time, so that the queue keeps their order and they form one batch, then
// lets the writer go. It returns each run's error, in order, and how many
// commits the release took (2: the held batch and the queued one).
func queueBehind(t *testing.T, db *DB, held runtime.SessionID, runs []func() error) ([]error, int64) {
	t.Helper()
	release, first := holdWriter(t, db, held)
	errs := make([]chan error, len(runs))
	for i, run := range runs {
		errs[i] = make(chan error, 1)
		go func() { errs[i] <- run() }()
		waitQueued(t, db, i+1)
	}
	before := db.Stats().Commits
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	out := make([]error, len(runs))
	for i := range runs {
		out[i] = <-errs[i]
	}
	return out, db.Stats().Commits - before
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func userMessage(id runtime.SessionID, content string) *runtime.Message {
	return &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: content}
}

func mustSession(t testing.TB, db *DB) runtime.SessionID {
	t.Helper()
	s := &runtime.Session{BotID: "b", UserID: "u"}
	if err := db.CreateSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// write is one caller of the batch tests: a good write or one that must
// fail, and what it stores when it succeeds.
type write struct {
	run      func(ctx context.Context) error
	fails    bool
	session  runtime.SessionID
	messages int // messages it stores
}

// mixedWrites returns n writes to sessions, every third one failing: an
// append to a missing session, or a dialog commit whose journal entry is
// taken, after a new entry and a message of its own.
func mixedWrites(t *testing.T, db *DB, sessions []runtime.SessionID, n int) []write {
	ctx := context.Background()
	// A NOW: a park would be no conflict, as no row holds it (parkGaps).
	taken := runtime.JournalEntry{Run: 1, Index: 1, Kind: runtime.EntryNow, Value: "2001-02-03T04:05:06Z"}
	for _, id := range sessions {
		err := db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id, Entries: []runtime.JournalEntry{taken},
			Run: &runtime.RunState{Run: 1, Version: "v"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var writes []write
	for i := range n {
		id := sessions[i%len(sessions)]
		w := write{session: id}
		// Entry indexes are unique across the writes: 2+i.
		entries := []runtime.JournalEntry{{Run: 1, Index: int64(2 + i), Kind: runtime.EntryTalk}}
		switch i % 6 {
		case 0, 4:
			w.messages = 1
			w.run = func(ctx context.Context) error {
				_, err := db.AppendMessage(ctx, userMessage(id, "hi"))
				return err
			}
		case 1, 3:
			w.messages = 2
			w.run = func(ctx context.Context) error {
				msgs := []*runtime.Message{{Sender: runtime.SenderBot, Content: "a"}, {Sender: runtime.SenderBot, Content: "b"}}
				return db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id, Entries: entries, Messages: msgs})
			}
		case 2:
			w.fails = true
			w.run = func(ctx context.Context) error {
				_, err := db.AppendMessage(ctx, userMessage(runtime.SessionID(uuid.NewString()), "x"))
				return err
			}
		case 5:
			w.fails = true
			w.run = func(ctx context.Context) error {
				return db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id,
					Entries:  append(entries, taken),
					Messages: []*runtime.Message{{Sender: runtime.SenderBot, Content: "lost"}},
					Memory:   []runtime.MemoryWrite{{Scope: runtime.MemoryScope{BotID: "b", Owner: "user:u"}, Key: "lost", Value: "1"}}})
			}
		}
		writes = append(writes, w)
	}
	return writes
}

// runWrites runs every write in its own goroutine and checks its outcome.
func runWrites(t *testing.T, writes []write) {
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Go(func() {
			err := w.run(context.Background())
			if w.fails != (err != nil) {
				t.Errorf("write %d: err = %v; want failure %v", i, err, w.fails)
			}
		})
	}
	wg.Wait()
}

// checkStored: each session holds exactly the messages of the writes that
// succeeded, with gapless seqs, and nothing of the failed ones.
func checkStored(t *testing.T, db *DB, sessions []runtime.SessionID, writes []write, extra int) {
	t.Helper()
	ctx := context.Background()
	want := map[runtime.SessionID]int{sessions[0]: extra}
	entries := map[runtime.SessionID]int{}
	for _, w := range writes {
		if !w.fails {
			want[w.session] += w.messages
			if w.messages == 2 {
				entries[w.session]++
			}
		}
	}
	for _, id := range sessions {
		msgs, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: id})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range msgs {
			if m.Seq != int64(i+1) || m.Content == "lost" {
				t.Errorf("session %s: message %d is seq %d %q", id, i, m.Seq, m.Content)
			}
		}
		if len(msgs) != want[id] {
			t.Errorf("session %s holds %d messages; want %d", id, len(msgs), want[id])
		}
		j, err := db.Journal(ctx, id, 1)
		if err != nil || len(j) != 1+entries[id] {
			t.Errorf("session %s journal: %d entries, %v; want %d", id, len(j), err, 1+entries[id])
		}
	}
	if _, ok, _ := db.GetMemory(ctx, runtime.MemoryScope{BotID: "b", Owner: "user:u"}, "lost"); ok {
		t.Error("memory of a failed write was stored")
	}
}

// TestGroupCommitSavepoints: writes queued behind one commit go in one
// transaction; the failing ones are rolled back to their savepoints and
// get their errors, the others commit.
func TestGroupCommitSavepoints(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) { testGroupCommitSavepoints(t, b.open(t)) })
}

func testGroupCommitSavepoints(t *testing.T, db *DB) {
	sessions := []runtime.SessionID{mustSession(t, db), mustSession(t, db), mustSession(t, db)}
	writes := mixedWrites(t, db, sessions, 60)
	before := db.Stats()
	release, first := holdWriter(t, db, sessions[0])
	ran := make(chan struct{})
	go func() { runWrites(t, writes); close(ran) }()
	waitQueued(t, db, len(writes))
	release()
	<-ran
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, sessions, writes, 1)

	after := db.Stats()
	succeeded := 0
	for _, w := range writes {
		if !w.fails {
			succeeded++
		}
	}
	if c, w, m := after.Commits-before.Commits, after.Writes-before.Writes, after.MaxBatch; c != 2 || w != int64(1+succeeded) || m != int64(succeeded) {
		t.Errorf("stats: %d commits, %d writes, max batch %d; want 2, %d, %d", c, w, m, 1+succeeded, succeeded)
	}
}

// TestGroupCommitConcurrent: many writers at once, some failing, with no
// help from the test to form batches.
func TestGroupCommitConcurrent(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) { testGroupCommitConcurrent(t, b.open(t)) })
}

func testGroupCommitConcurrent(t *testing.T, db *DB) {
	var sessions []runtime.SessionID
	for range 8 {
		sessions = append(sessions, mustSession(t, db))
	}
	writes := mixedWrites(t, db, sessions, 600)
	runWrites(t, writes)
	checkStored(t, db, sessions, writes, 0)
	s := db.Stats()
	t.Logf("%d commits, %d writes, max batch %d", s.Commits, s.Writes, s.MaxBatch)
}

// TestGroupCommitFailedCommit: when COMMIT itself fails, every write of
// the batch fails, none is stored, and the connection is usable after.
func TestGroupCommitFailedCommit(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) { testGroupCommitFailedCommit(t, b.open(t)) })
}

func testGroupCommitFailedCommit(t *testing.T, db *DB) {
	ctx := context.Background()
	id := mustSession(t, db)
	release, first := holdWriter(t, db, id)

	good := userMessage(id, "good")
	errs := make(chan error, 2)
	go func() {
		_, err := db.AppendMessage(ctx, good)
		errs <- err
	}()
	waitQueued(t, db, 1)
	go func() {
		errs <- db.commit.do(ctx, "", func(ctx context.Context, tx execQueryer) error {
			for _, q := range failAtCommit(db.dialect) {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	waitQueued(t, db, 2)
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("a write of the failed batch succeeded")
		}
	}
	if good.Seq != 0 || !good.CreatedAt.IsZero() {
		t.Errorf("the failed write was given a seq: %+v", good)
	}
	again := userMessage(id, "again")
	if _, err := db.AppendMessage(ctx, again); err != nil || again.Seq != 2 {
		t.Errorf("append after the failed commit: seq %d, %v; want 2", again.Seq, err)
	}
}

// failAtCommit is statements that pass, and pass their savepoint, but
// make COMMIT fail: each breaks a deferred foreign key.
func failAtCommit(d *dialect) []string {
	if d.name == "postgres" {
		return []string{
			`CREATE TEMP TABLE boom (id INT PRIMARY KEY,
				parent INT REFERENCES boom (id) DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP`,
			`INSERT INTO boom VALUES (1, 2)`,
		}
	}
	return []string{
		`PRAGMA defer_foreign_keys = ON`,
		`INSERT INTO message_history (id, session_id, seq, sender, content, created_at)
			VALUES ('orphan', 'no-such-session', 1, 'user', 'x', 'now')`,
	}
}

// TestGroupCommitCancel: a write whose caller gives up while it is queued
// is not stored; one already running finishes and reports success.
func TestGroupCommitCancel(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) { testGroupCommitCancel(t, b.open(t)) })
}

func testGroupCommitCancel(t *testing.T, db *DB) {
	id := mustSession(t, db)
	release, first := holdWriter(t, db, id)
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, err := db.AppendMessage(ctx, userMessage(id, "given up"))
		gaveUp <- err
	}()
	waitQueued(t, db, 1)
	cancel()
	if err := <-gaveUp; !runtime.IsKind(err, runtime.KindUnavailable) {
		t.Errorf("cancelled queued write: %v; want %s", err, runtime.KindUnavailable)
	}
	waitQueued(t, db, 0)
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}

	// Cancelled while its statements run: the write is not interrupted,
	// and the caller hears that it committed.
	ctx, cancel = context.WithCancel(context.Background())
	err := db.commit.do(ctx, "", func(ctx context.Context, tx execQueryer) error {
		cancel()
		_, _, err := db.appendTx(ctx, tx, newMessageRow(userMessage(id, "in flight")))
		return err
	})
	if err != nil {
		t.Errorf("write cancelled in flight: %v; want it committed", err)
	}
	msgs, _ := db.FindMessages(context.Background(), runtime.MessageFilter{SessionID: id})
	if len(msgs) != 2 || msgs[1].Content != "in flight" {
		t.Errorf("stored %d messages; want first and in flight", len(msgs))
	}
}

// TestCloseDrains: Close commits what is queued before closing, and
// refuses writes that come after it began.
func TestCloseDrains(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) { testCloseDrains(t, b.config(t)) })
}

func testCloseDrains(t *testing.T, cfg Config) {
	ctx := context.Background()
	db, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	id := mustSession(t, db)
	release, first := holdWriter(t, db, id)
	const queued = 5
	var wg sync.WaitGroup
	for range queued {
		wg.Go(func() {
			if _, err := db.AppendMessage(ctx, userMessage(id, "queued")); err != nil {
				t.Errorf("queued write: %v", err)
			}
		})
	}
	waitQueued(t, db, queued)
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	waitFor(t, "Close to begin", func() bool {
		db.commit.mu.Lock()
		defer db.commit.mu.Unlock()
		return db.commit.closed
	})
	if _, err := db.AppendMessage(ctx, userMessage(id, "late")); !runtime.IsKind(err, runtime.KindUnavailable) {
		t.Errorf("write after Close: %v; want %s", err, runtime.KindUnavailable)
	}
	release()
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.FindSession(ctx, id)
	if err != nil || s.LastSeq != 1+queued {
		t.Errorf("after reopening: LastSeq %d, %v; want %d", s.LastSeq, err, 1+queued)
	}
}

// TestGroupCommitSwallowedError: a write that meets a database error and
// does not report it leaves a PostgreSQL transaction aborted, where
// COMMIT would quietly roll back. Its batch must fail instead of telling
// callers their writes are stored, and the committer carry on after.
func TestGroupCommitSwallowedError(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		db := b.open(t)
		ctx := context.Background()
		id := mustSession(t, db)
		scope := runtime.MemoryScope{BotID: "b", Owner: "user:u"}
		err := db.commit.do(ctx, "", func(ctx context.Context, tx execQueryer) error {
			if err := db.setMemoryTx(ctx, tx, scope, "k", `"v"`); err != nil {
				return err
			}
			_, _ = tx.ExecContext(ctx, `SELECT 1 / (SELECT count(*) FROM users WHERE id = 'nobody')`)
			return nil
		})
		_, stored, _ := db.GetMemory(ctx, scope, "k")
		if stored != (err == nil) {
			t.Errorf("do = %v, but the write was stored: %v", err, stored)
		}
		if b.name == "postgres" && err == nil {
			t.Error("a batch whose transaction was aborted reported success")
		}
		m := userMessage(id, "after")
		if _, err := db.AppendMessage(ctx, m); err != nil || m.Seq != 1 {
			t.Errorf("append after the failed batch: seq %d, %v; want 1", m.Seq, err)
		}
	})
}

// TestGroupCommitAppendRun: plain appends queued together (one statement
// for all of them on PostgreSQL) get gapless seqs in their order, per
// conversation; a user message moves last_user_seq and clears the
// suggestions, a bot message neither. An append to a missing session
// fails alone, and so does one that fails the statement (its message id
// is taken): the others are then stored one by one. With another kind of
// write in the batch (mixed), the appends share its transaction.
func TestGroupCommitAppendRun(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		for _, mixed := range []bool{false, true} {
			for _, taken := range []bool{false, true} {
				t.Run(fmt.Sprintf("mixed=%v/taken=%v", mixed, taken), func(t *testing.T) {
					testGroupCommitAppendRun(t, b.open(t), mixed, taken)
				})
			}
		}
	})
}

func testGroupCommitAppendRun(t *testing.T, db *DB, mixed, taken bool) {
	ctx := context.Background()
	a, b, held := mustSession(t, db), mustSession(t, db), mustSession(t, db)
	for _, id := range []runtime.SessionID{a, b} {
		err := db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id, Suggestions: &[]string{"yes"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	before := &runtime.Message{SessionID: b, Sender: runtime.SenderBot, Content: "before"}
	if _, err := db.AppendMessage(ctx, before); err != nil {
		t.Fatal(err)
	}
	msg := func(id runtime.SessionID, s runtime.Sender, content string) *runtime.Message {
		return &runtime.Message{SessionID: id, Sender: s, Content: content}
	}
	msgs := []*runtime.Message{
		msg(a, runtime.SenderUser, "a1"), msg(b, runtime.SenderBot, "b2"), msg(a, runtime.SenderBot, "a2"),
		msg(runtime.SessionID(uuid.NewString()), runtime.SenderUser, "missing"),
		msg(a, runtime.SenderUser, "a3"), msg(b, runtime.SenderBot, "b3"), msg(a, runtime.SenderBot, "a4"),
	}
	if taken {
		msgs = append(msgs, &runtime.Message{ID: before.ID, SessionID: a, Sender: runtime.SenderBot, Content: "taken"})
	}
	if mixed {
		msgs = append(msgs, &runtime.Message{SessionID: held, Sender: runtime.SenderUser, Content: "client id", ClientID: "c"})
	}
	want := map[string]runtime.Kind{"missing": runtime.KindNotFound, "taken": runtime.KindConflict}

	runs := make([]func() error, len(msgs))
	for i, m := range msgs {
		runs[i] = func() error { _, err := db.AppendMessage(ctx, m); return err }
	}
	errs, commits := queueBehind(t, db, held, runs)
	for i, m := range msgs {
		if k, fails := want[m.Content]; fails != (errs[i] != nil) || fails && !runtime.IsKind(errs[i], k) {
			t.Errorf("append %q: %v; want %s", m.Content, errs[i], k)
		}
	}
	if commits != 2 {
		t.Errorf("%d commits; want 2: the held batch and the queued one", commits)
	}
	checkRun(t, db, a, []string{"a1", "a2", "a3", "a4"}, 3, nil)
	checkRun(t, db, b, []string{"before", "b2", "b3"}, 0, []string{"yes"})
	for _, m := range msgs {
		if want[m.Content] == "" && (m.Seq == 0 || m.CreatedAt.IsZero()) {
			t.Errorf("append %q: stored as %+v", m.Content, m)
		}
	}
}

// checkRun checks that session id holds the messages contents, with
// seqs 1, 2, …, that its newest user message is lastUser and its
// suggestions are suggestions.
func checkRun(t *testing.T, db *DB, id runtime.SessionID, contents []string, lastUser int64, suggestions []string) {
	t.Helper()
	ctx := context.Background()
	msgs, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, m := range msgs {
		got = append(got, m.Content)
		if m.Seq != int64(i+1) {
			t.Errorf("session %s: message %q is seq %d; want %d", id, m.Content, m.Seq, i+1)
		}
	}
	if !slices.Equal(got, contents) {
		t.Errorf("session %s holds %q; want %q", id, got, contents)
	}
	s, err := db.FindSession(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.LastSeq != int64(len(contents)) || s.LastUserSeq != lastUser || !slices.Equal(s.Suggestions, suggestions) {
		t.Errorf("session %s: last seq %d, last user seq %d, suggestions %q; want %d, %d, %q",
			id, s.LastSeq, s.LastUserSeq, s.Suggestions, len(contents), lastUser, suggestions)
	}
}
