package runtimetest

import (
	"context"
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
