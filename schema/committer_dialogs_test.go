package schema

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"parley/runtime"
	"parley/schema/schematest"
)

// TestGroupCommitDialogRun: plain dialog commits queued in one batch are
// stored together where the committer can (PostgreSQL: commitMany, by
// rounds), and each still gets its own outcome: the good ones their seqs
// and entries, a missing session KindNotFound, a lost lease ErrNotRunner,
// and (taken) a journal entry written twice KindConflict, which makes the
// statement fail and the commits run one by one. A conversation's writes
// keep their order across rounds: a1, the user's message, a2. On
// PostgreSQL the test also checks which way the statement went.
func TestGroupCommitDialogRun(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		for _, taken := range []bool{false, true} {
			t.Run(fmt.Sprintf("taken=%v", taken), func(t *testing.T) {
				testGroupCommitDialogRun(t, b.open(t), taken)
			})
		}
	})
}

func testGroupCommitDialogRun(t *testing.T, db *DB, taken bool) {
	ctx := context.Background()
	a, b, fenced, dup, held := mustSession(t, db), mustSession(t, db), mustSession(t, db), mustSession(t, db), mustSession(t, db)
	for _, id := range []runtime.SessionID{a, b, fenced, dup} {
		err := db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id, Run: &runtime.RunState{Run: 1, Version: "v"},
			// A NOW, which dialog_journal holds: a park is no row
			// (parkGaps), so it could not be taken.
			Entries: []runtime.JournalEntry{{Run: 1, Index: 1, Kind: runtime.EntryNow, Value: "park"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.write.ExecContext(ctx, db.write.Rebind(`UPDATE sessions SET runner_fence = 5 WHERE id = ?`), fenced); err != nil {
		t.Fatal(err)
	}
	type op struct {
		name string
		run  func() error
		want runtime.Kind // "" for success
	}
	stored := map[string]*runtime.Message{} // by content, as the callers see them
	commit := func(id runtime.SessionID, idx int64, content string, fence int64) func() error {
		m := &runtime.Message{Sender: runtime.SenderBot, SenderName: "name of " + content, Content: content}
		stored[content] = m
		// The message carries its TALK (journal_carry.go), but for the
		// taken entry, which must meet the journal's key to fail.
		var carry []int
		if content != "taken" {
			carry = []int{0}
		}
		return func() error {
			return db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id, Fence: fence, ConsumedSeq: idx,
				Entries:  []runtime.JournalEntry{{Run: 1, Index: idx, Kind: runtime.EntryTalk, Value: content}},
				Messages: []*runtime.Message{m}, MessageEntries: carry})
		}
	}
	ops := []op{
		{"a1", commit(a, 2, "a1", 0), ""},
		{"b1", commit(b, 2, "b1", 0), ""},
		{"missing", commit(runtime.SessionID(uuid.NewString()), 2, "missing", 0), runtime.KindNotFound},
		{"fenced", commit(fenced, 2, "fenced", 4), runtime.KindConflict},
		{"user", func() error {
			m := userMessage(a, "user")
			m.SenderName = "name of user"
			_, err := db.AppendMessage(ctx, m)
			return err
		}, ""},
		{"a2", commit(a, 3, "a2", 0), ""},
	}
	if taken { // in the first round, with a1 and b1: entry 1 is dup's already
		ops = append(ops, op{"taken", commit(dup, 1, "taken", 0), runtime.KindConflict})
	}
	manyRuns := countMany(db)
	runs := make([]func() error, len(ops))
	for i, o := range ops {
		runs[i] = o.run
	}
	errs, commits := queueBehind(t, db, held, runs)
	for i, o := range ops {
		err := errs[i]
		if (o.want != "") != (err != nil) || o.want != "" && !runtime.IsKind(err, o.want) {
			t.Errorf("%s: %v; want %q", o.name, err, o.want)
		}
		if o.name == "fenced" && !errors.Is(err, runtime.ErrNotRunner) {
			t.Errorf("fenced: %v; want ErrNotRunner", err)
		}
	}
	if commits != 2 {
		t.Errorf("%d commits; want 2: the held batch and the queued one", commits)
	}
	if ok, failed := manyRuns(); db.commit.commitMany != nil && !manyWent(ok, failed, taken) {
		t.Errorf("commitMany: %d statements stored, %d failed; want one failed with taken, else none failed", ok, failed)
	}
	checkRun(t, db, a, []string{"a1", "user", "a2"}, 2, nil)
	checkRun(t, db, dup, nil, 0, nil)
	checkRun(t, db, b, []string{"b1"}, 0, nil)
	checkRun(t, db, fenced, nil, 0, nil)
	for id, want := range map[runtime.SessionID][]string{a: {"park", "a1", "a2"}, b: {"park", "b1"}, fenced: {"park"}, dup: {"park"}} {
		j, err := db.Journal(ctx, id, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range j {
			got = append(got, e.Value)
		}
		if !slices.Equal(got, want) {
			t.Errorf("journal of %s: %q; want %q", id, got, want)
		}
	}
	var rows int
	if err := db.read.GetContext(context.Background(), &rows, db.write.Rebind(`SELECT count(*) FROM dialog_journal WHERE session_id = ?`), a); err != nil || rows != 1 {
		t.Errorf("dialog_journal holds %d rows of a (%v); want 1, the first entry: the TALKs of a1 and a2 are carried by their messages", rows, err)
	}
	for id, want := range map[runtime.SessionID]int64{a: 3, b: 2, fenced: 0, dup: 0} {
		if s, err := db.FindSession(ctx, id); err != nil || s.ConsumedSeq != want {
			t.Errorf("%s: consumed seq %+v (%v); want %d", id, s, err, want)
		}
	}
	for content, seq := range map[string]int64{"a1": 1, "a2": 3, "b1": 1} {
		if m := stored[content]; m.Seq != seq || m.SessionID == "" || m.CreatedAt.IsZero() || m.ID == "" || m.SenderName != "name of "+content {
			t.Errorf("%s: the caller sees %+v; want seq %d", content, m, seq)
		}
	}
	list, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: a})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list { // the batched statements store the senders' names too
		if m.SenderName != "name of "+m.Content {
			t.Errorf("%s: stored with sender name %q", m.Content, m.SenderName)
		}
	}
}

// countMany counts the runs of db's commitMany and appendMany statements
// from now on, stored or failed; call it before any write of the test is
// queued (the committer reads the functions under its queue's lock).
func countMany(db *DB) func() (ok, failed int) {
	var mu sync.Mutex
	var okN, failedN int
	count := func(err error) error {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failedN++
		} else {
			okN++
		}
		return err
	}
	c := db.commit
	if cm := c.commitMany; cm != nil {
		c.commitMany = func(ctx context.Context, tx execQueryer, dws []*dialogWrite) error {
			return count(cm(ctx, tx, dws))
		}
	}
	if am := c.appendMany; am != nil {
		c.appendMany = func(ctx context.Context, tx execQueryer, apps []*appendWrite) error {
			return count(am(ctx, tx, apps))
		}
	}
	return func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return okN, failedN
	}
}

// manyWent reports whether the statements of countMany went as a test
// expects: one failed (then its writes ran one by one), or all stored.
func manyWent(ok, failed int, wantFailure bool) bool {
	if wantFailure {
		return failed > 0
	}
	return ok > 0 && failed == 0
}

// TestUnits: with merge, a batch runs by rounds: each conversation's
// writes in their order (a run of appends counting as one), and in
// a round the appends together, the plain dialog commits together,
// the rest alone. Without, each write alone, in batch order.
func TestUnits(t *testing.T) {
	c := &committer{commitMany: func(context.Context, execQueryer, []*dialogWrite) error { return nil }}
	req := func(sid, kind string) *request {
		r := &request{ctx: context.Background(), sid: sid}
		switch kind {
		case "app":
			r.app = &appendWrite{}
		case "dlg":
			r.dlg = &dialogWrite{}
		}
		return r
	}
	show := func(units [][]*request) string {
		var out []string
		for _, u := range units {
			var ks []string
			for _, r := range u {
				k := "other"
				if r.app != nil {
					k = "app"
				} else if r.dlg != nil {
					k = "dlg"
				}
				ks = append(ks, r.sid+":"+k)
			}
			out = append(out, fmt.Sprint(ks))
		}
		return fmt.Sprint(out)
	}
	// As run leaves it: sorted by conversation, each one's in order.
	batch := []*request{req("a", "app"), req("a", "app"), req("a", "dlg"), req("a", "app"), req("a", "other"),
		req("b", "dlg"), req("b", "app"), req("c", "dlg"), req("d", "other")}
	want := "[[d:other] [a:app a:app] [b:dlg c:dlg] [b:app] [a:dlg] [a:app] [a:other]]"
	if got := show(c.units(batch, true)); got != want {
		t.Errorf("merged:\n got %s\nwant %s", got, want)
	}
	want = "[[a:app] [a:app] [a:dlg] [a:app] [a:other] [b:dlg] [b:app] [c:dlg] [d:other]]"
	if got := show(c.units(batch, false)); got != want {
		t.Errorf("one by one:\n got %s\nwant %s", got, want)
	}
}

// TestGroupCommitClientIDRun: appends with client ids queued in one batch
// (PostgreSQL: one appendMany) each get the right answer: a new id is
// stored, an id the session has already returns that message and stores
// nothing, and two appends with one new id store it once, the second
// getting the first's message (the statement fails on the unique index,
// and the appends run one by one).
func TestGroupCommitClientIDRun(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		for _, twice := range []bool{false, true} {
			t.Run(fmt.Sprintf("twice=%v", twice), func(t *testing.T) {
				testGroupCommitClientIDRun(t, b.open(t), twice)
			})
		}
	})
}

func testGroupCommitClientIDRun(t *testing.T, db *DB, twice bool) {
	ctx := context.Background()
	a, b, held := mustSession(t, db), mustSession(t, db), mustSession(t, db)
	withID := func(id runtime.SessionID, content, clientID string) *runtime.Message {
		return &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: content, ClientID: clientID}
	}
	old := withID(a, "old", "c1")
	if _, err := db.AppendMessage(ctx, old); err != nil {
		t.Fatal(err)
	}
	msgs := []*runtime.Message{withID(a, "again", "c1"), withID(a, "new", "c2"), withID(b, "other", "c1"),
		{SessionID: b, Sender: runtime.SenderBot, Content: "plain"}}
	wantCreated := []bool{false, true, true, true}
	if twice {
		msgs, wantCreated = append(msgs, withID(b, "twice", "c1")), append(wantCreated, false)
	}
	manyRuns := countMany(db)
	created := make([]bool, len(msgs))
	runs := make([]func() error, len(msgs))
	for i, m := range msgs {
		runs[i] = func() (err error) { created[i], err = db.AppendMessage(ctx, m); return err }
	}
	errs, _ := queueBehind(t, db, held, runs)
	for i := range msgs {
		if errs[i] != nil || created[i] != wantCreated[i] {
			t.Errorf("append %d: created %v, %v; want %v", i, created[i], errs[i], wantCreated[i])
		}
	}
	if ok, failed := manyRuns(); db.commit.appendMany != nil && !manyWent(ok, failed, twice) {
		t.Errorf("appendMany: %d statements stored, %d failed; want one failed twice, else none failed", ok, failed)
	}
	if msgs[0].ID != old.ID || msgs[0].Content != "old" || msgs[0].Seq != 1 {
		t.Errorf("the retry got %+v; want the message stored first (%s)", msgs[0], old.ID)
	}
	if twice && (msgs[4].ID != msgs[2].ID || msgs[4].Content != "other") {
		t.Errorf("the second append of c1 to b got %+v; want the first's %s", msgs[4], msgs[2].ID)
	}
	checkRun(t, db, a, []string{"old", "new"}, 2, nil)
	checkRun(t, db, b, []string{"other", "plain"}, 1, nil)
}

// TestGroupCommitCrossedBatches: two nodes' batches that write to the same
// two conversations in crossed order (one appends to a and commits b's
// dialog, the other appends to b and commits a's) do not deadlock: a
// merged batch locks its sessions rows first, in id order, as every node's
// committer does (committer.lockSessions). Without that, the rounds of the
// second batch take b's row before a's, PostgreSQL aborts one batch after
// deadlock_timeout, and a write fails.
func TestGroupCommitCrossedBatches(t *testing.T) {
	url := schematest.URL(t)
	x := openConfig(t, Config{Driver: "postgres", DSN: url})
	y := openConfig(t, Config{Driver: "postgres", DSN: url})
	ctx := context.Background()
	a, b := mustSession(t, x), mustSession(t, x)
	if a > b {
		a, b = b, a
	}
	for _, id := range []runtime.SessionID{a, b} {
		err := x.CommitDialog(ctx, &runtime.DialogWrite{SessionID: id, Run: &runtime.RunState{Run: 1, Version: "v"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for round := range 5 {
		idx := int64(2*round + 1)
		var releases []func()
		var firsts []<-chan error
		errs := make(chan error, 4)
		for _, n := range []struct {
			db           *DB
			appendTo, to runtime.SessionID
			idx          int64
		}{{x, a, b, idx}, {y, b, a, idx + 1}} {
			release, first := holdWriter(t, n.db, mustSession(t, n.db))
			releases, firsts = append(releases, release), append(firsts, first)
			go func() {
				_, err := n.db.AppendMessage(ctx, userMessage(n.appendTo, "crossed"))
				errs <- err
			}()
			waitQueued(t, n.db, 1)
			go func() {
				errs <- n.db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: n.to,
					Entries:  []runtime.JournalEntry{{Run: 1, Index: n.idx, Kind: runtime.EntryTalk}},
					Messages: []*runtime.Message{{Sender: runtime.SenderBot, Content: "crossed"}}})
			}()
			waitQueued(t, n.db, 2)
		}
		for _, release := range releases {
			release()
		}
		for _, first := range firsts {
			if err := <-first; err != nil {
				t.Fatal(err)
			}
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
