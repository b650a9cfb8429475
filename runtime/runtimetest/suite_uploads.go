package runtimetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

func newUpload(owner, sha string, size int64, at time.Time) *runtime.Upload {
	return &runtime.Upload{ID: newID(), Owner: owner, Name: "crop.png", ContentType: "image/png",
		Kind: runtime.AttachmentImage, Size: size, SHA256: sha, Width: 3, Height: 2, CreatedAt: at}
}

// testUploads stores uploads, links them to conversations and sweeps
// them: an upload never sent goes after the cutoff, one sent goes when
// its last conversation goes, and a blob goes only when no upload shares
// its content.
func testUploads(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	old := now.Add(-48 * time.Hour)
	keptConv := mustCreate(t, st, newSession("u1", "support", t0))
	goneConv := mustCreate(t, st, newSession("u1", "support", t0))

	fresh := newUpload("u1", "aaa", 10, now)    // never sent, young: kept
	stale := newUpload("u1", "bbb", 20, old)    // never sent, old: deleted, blob bbb goes
	sentKept := newUpload("u1", "ccc", 30, old) // sent in keptConv: kept
	sentGone := newUpload("u1", "ccc", 40, old) // same bytes, sent in goneConv only: deleted, blob ccc stays
	other := newUpload("u2", "ddd", 50, old)    // sent in goneConv only: deleted, blob ddd goes
	if err := st.CreateUploads(ctx, []*runtime.Upload{fresh, stale, sentKept, sentGone, other}); err != nil {
		t.Fatalf("CreateUploads: %v", err)
	}
	got, err := st.FindUploads(ctx, []string{fresh.ID, "no-such-upload", sentKept.ID})
	if err != nil || len(got) != 2 {
		t.Fatalf("FindUploads = %d uploads, %v; want 2", len(got), err)
	}
	for _, g := range got {
		want := fresh
		if g.ID == sentKept.ID {
			want = sentKept
		}
		w := *want
		w.CreatedAt = utcMicro(w.CreatedAt)
		if *g != w {
			t.Errorf("FindUploads: %+v; want %+v", *g, w)
		}
	}
	if n, err := st.UploadBytes(ctx, "u1"); err != nil || n != 100 {
		t.Errorf("UploadBytes(u1) = %d, %v; want 100", n, err)
	}
	if n, err := st.UploadBytes(ctx, "nobody"); err != nil || n != 0 {
		t.Errorf("UploadBytes(nobody) = %d, %v; want 0", n, err)
	}

	for _, l := range []struct {
		sid runtime.SessionID
		ids []string
	}{{keptConv.ID, []string{sentKept.ID}}, {goneConv.ID, []string{sentGone.ID, other.ID}}, {goneConv.ID, []string{other.ID}}} {
		if err := st.LinkUploads(ctx, l.sid, l.ids); err != nil {
			t.Fatalf("LinkUploads: %v", err)
		}
	}
	if sids, err := st.UploadSessions(ctx, other.ID); err != nil || !slices.Equal(sids, []runtime.SessionID{goneConv.ID}) {
		t.Errorf("UploadSessions = %v, %v; want [%s] (linking twice is one link)", sids, err, goneConv.ID)
	}

	// Before the conversation goes, only the stale one is an orphan.
	shas, err := st.DeleteOrphanUploads(ctx, now.Add(-24*time.Hour))
	if err != nil || !slices.Equal(shas, []string{"bbb"}) {
		t.Errorf("first sweep = %v, %v; want [bbb]", shas, err)
	}
	if err := st.DeleteSession(ctx, goneConv.ID); err != nil {
		t.Fatal(err)
	}
	if sids, err := st.UploadSessions(ctx, other.ID); err != nil || len(sids) != 0 {
		t.Errorf("UploadSessions after the conversation went = %v, %v; want none", sids, err)
	}
	shas, err = st.DeleteOrphanUploads(ctx, now.Add(-24*time.Hour))
	slices.Sort(shas)
	if err != nil || !slices.Equal(shas, []string{"ddd"}) {
		t.Errorf("second sweep = %v, %v; want [ddd] (ccc is still sent in another conversation)", shas, err)
	}
	got, err = st.FindUploads(ctx, []string{fresh.ID, stale.ID, sentKept.ID, sentGone.ID, other.ID})
	var ids []string
	for _, g := range got {
		ids = append(ids, g.ID)
	}
	slices.Sort(ids)
	want := []string{fresh.ID, sentKept.ID}
	slices.Sort(want)
	if err != nil || !slices.Equal(ids, want) {
		t.Errorf("uploads left = %v, %v; want %v", ids, err, want)
	}
	if n, err := st.UploadBytes(ctx, "u1"); err != nil || n != 40 {
		t.Errorf("UploadBytes(u1) after the sweep = %d, %v; want 40", n, err)
	}
}

// testCommitDialogUploads: a dialog commit links the uploads of its bot
// messages with them, so they are no longer orphans; one naming an upload
// that does not exist writes nothing. A hear entry keeps its Found.
func testCommitDialogUploads(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	s := mustCreate(t, st, newSession("u1", "support", t0))
	up := newUpload("bot:support", "eee", 10, now.Add(-48*time.Hour))
	if err := st.CreateUploads(ctx, []*runtime.Upload{up}); err != nil {
		t.Fatal(err)
	}
	atts := json.RawMessage(`[{"id":"` + up.ID + `","name":"crop.png"}]`)
	heard := runtime.JournalEntry{Run: 1, Index: 1, Kind: runtime.EntryHear, Value: `{"content":"","attachments":[]}`, Found: true}
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Run: startRun(1, "v1"),
		Entries:  []runtime.JournalEntry{heard, entry(1, 2, runtime.EntryTalk)},
		Messages: []*runtime.Message{{Sender: runtime.SenderBot, Content: "", Attachments: atts}},
		Uploads:  []string{up.ID}})
	if sids, err := st.UploadSessions(ctx, up.ID); err != nil || !slices.Equal(sids, []runtime.SessionID{s.ID}) {
		t.Errorf("UploadSessions after the commit = %v, %v; want [%s]", sids, err, s.ID)
	}
	if shas, err := st.DeleteOrphanUploads(ctx, now); err != nil || len(shas) != 0 {
		t.Errorf("sweep = %v, %v; want nothing: the upload was sent", shas, err)
	}
	if got := mustJournal(t, st, s.ID, 1); len(got) != 2 || got[0] != heard {
		t.Errorf("journal %+v; want the hear entry %+v first", got, heard)
	}
	msgs, err := st.FindMessages(ctx, runtime.MessageFilter{SessionID: s.ID})
	if err != nil || len(msgs) != 1 || !jsonEqual(msgs[0].Attachments, atts) {
		t.Fatalf("messages %+v, %v; want the bot's with its attachments", msgs, err)
	}

	bad := &runtime.DialogWrite{SessionID: s.ID, Entries: []runtime.JournalEntry{entry(1, 3, runtime.EntryTalk)},
		Messages: []*runtime.Message{botMessage("ghost")}, Uploads: []string{"no-such-upload"}}
	if err := st.CommitDialog(ctx, bad); err == nil {
		t.Error("a commit linking an upload that does not exist succeeded")
	}
	if got := mustJournal(t, st, s.ID, 1); len(got) != 2 {
		t.Errorf("the failed commit wrote its journal entry: %+v", got)
	}
	if msgs, _ := st.FindMessages(ctx, runtime.MessageFilter{SessionID: s.ID}); len(msgs) != 1 {
		t.Errorf("the failed commit wrote its message: %d messages", len(msgs))
	}
}
