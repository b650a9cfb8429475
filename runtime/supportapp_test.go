package runtime_test

import (
	"bytes"
	"context"
	"image/color"
	"testing"

	"parley/runtime"
)

// A user has one open conversation with support: found again while it
// is open, a new one once it is resolved.
func TestSupportConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHub(t, silent, runtime.Config{})
	first, created, err := h.SupportConversation(ctx, alice)
	if err != nil || !created || first.BotID != "echo" {
		t.Fatalf("first: %+v, created %v, %v; want a new conversation with the default bot", first, created, err)
	}
	again, created, err := h.SupportConversation(ctx, alice)
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("again: %v created %v %v, want %s found", again.ID, created, err, first.ID)
	}
	resolved := runtime.SupportResolved
	if _, err := h.Patch(ctx, admin, first.ID, runtime.ConversationPatch{SupportStatus: &resolved}); err != nil {
		t.Fatal(err)
	}
	next, created, err := h.SupportConversation(ctx, alice)
	if err != nil || !created || next.ID == first.ID {
		t.Fatalf("after resolving: %v created %v %v, want a new conversation", next.ID, created, err)
	}
	if _, _, err := h.SupportConversation(ctx, anon); !runtime.IsKind(err, runtime.KindUnauthorized) {
		t.Fatalf("anonymous: %v, want unauthorized", err)
	}
}

// The read marks of the owner and of an agent, the unread counts and
// mark-all-read.
func TestReadMarksAndUnread(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHub(t, silent, runtime.Config{})
	agent := runtime.Identity{UserID: "ag", Name: "Agent", Role: runtime.RoleAgent}
	s, _, err := h.SupportConversation(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Assign(ctx, admin, s.ID, "ag"); err != nil {
		t.Fatal(err)
	}
	h.send(t, alice, s.ID, "one")
	h.send(t, alice, s.ID, "two")
	h.send(t, agent, s.ID, "hello")
	if _, err := h.MarkRead(ctx, agent, s.ID, 1); err != nil {
		t.Fatal(err)
	}
	cur, err := h.Lookup(ctx, alice, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h.Unread(ctx, agent, cur); err != nil || n != 1 {
		t.Fatalf("agent's unread = %d, %v; want 1 (alice's second)", n, err)
	}
	if n, err := h.Unread(ctx, alice, cur); err != nil || n != 1 {
		t.Fatalf("alice's unread = %d, %v; want 1 (the agent's)", n, err)
	}
	if mark, err := h.MarkAllRead(ctx, alice, s.ID); err != nil || mark != 3 {
		t.Fatalf("MarkAllRead = %d, %v; want 3", mark, err)
	}
	cur, _ = h.Lookup(ctx, alice, s.ID)
	marks := h.ReadMarks(cur)
	if len(marks) != 2 || marks["alice"] != 3 || marks["ag"] != 1 {
		t.Fatalf("ReadMarks = %v, want alice 3, ag 1", marks)
	}
	if _, err := h.Lookup(ctx, bob, s.ID); !runtime.IsKind(err, runtime.KindForbidden) {
		t.Fatalf("bob looks it up: %v, want forbidden", err)
	}
}

// History pages by seq number.
func TestHistoryBeforeSeq(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHub(t, silent, runtime.Config{})
	s, _, err := h.SupportConversation(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"1", "2", "3", "4", "5"} {
		h.send(t, alice, s.ID, c)
	}
	msgs, more, err := h.History(ctx, alice, s.ID, runtime.HistoryQuery{Limit: 2, BeforeSeq: 4})
	if err != nil || !more || len(msgs) != 2 || msgs[0].Content != "2" || msgs[1].Content != "3" {
		t.Fatalf("before seq 4: %d messages, more %v, %v; want 2 and 3", len(msgs), more, err)
	}
}

// A file whose bytes are not the kind the client named is refused and
// nothing is stored.
func TestUploadKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	blobs := &memBlobs{}
	h := newHub(t, silent, runtime.Config{Blobs: blobs})
	img := pngOf(t, 2, 2, color.White)
	file := func(kind string) []runtime.NewFile {
		return []runtime.NewFile{{Name: "a.png", Body: bytes.NewReader(img), Size: int64(len(img)), Kind: kind}}
	}
	if _, err := h.Upload(ctx, alice, file(runtime.AttachmentAudio)); !runtime.IsKind(err, runtime.KindUnsupported) {
		t.Fatalf("a PNG as audio: %v, want unsupported", err)
	}
	if n, _ := h.store.UploadBytes(ctx, "alice"); n != 0 {
		t.Fatalf("a refused upload stored %d bytes", n)
	}
	if ups, err := h.Upload(ctx, alice, file(runtime.AttachmentImage)); err != nil || ups[0].Kind != runtime.AttachmentImage {
		t.Fatalf("a PNG as image: %v", err)
	}
}

// The desk's list across statuses: an agent sees the queue and their
// own, pages run on from one status to the next, and Mine keeps theirs.
func TestDeskConversations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHub(t, silent, runtime.Config{})
	agent := runtime.Identity{UserID: "ag", Name: "Agent", Role: runtime.RoleAgent}
	carol := runtime.Identity{UserID: "carol", Role: runtime.RoleUser}
	waiting := runtime.SupportWaiting
	var ids []runtime.SessionID
	for _, u := range []runtime.Identity{alice, bob, carol} {
		s, _, err := h.SupportConversation(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	// alice's is the agent's (open), bob's waits, carol's stays open and
	// nobody's.
	if _, err := h.Assign(ctx, admin, ids[0], "ag"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Patch(ctx, admin, ids[1], runtime.ConversationPatch{SupportStatus: &waiting}); err != nil {
		t.Fatal(err)
	}
	list := func(id runtime.Identity, q runtime.DeskQuery) ([]runtime.SessionID, int) {
		t.Helper()
		rows, total, err := h.DeskConversations(ctx, id, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []runtime.SessionID
		for _, r := range rows {
			got = append(got, r.ID)
		}
		return got, total
	}
	if got, total := list(agent, runtime.DeskQuery{Limit: 10}); total != 2 || len(got) != 2 || got[0] != ids[0] || got[1] != ids[1] {
		t.Fatalf("agent's desk = %v (total %d), want alice's then bob's", got, total)
	}
	if got, total := list(admin, runtime.DeskQuery{Limit: 1, Offset: 2}); total != 3 || len(got) != 1 || got[0] != ids[1] {
		t.Fatalf("admin's third = %v (total %d), want bob's (the open ones first)", got, total)
	}
	if got, total := list(agent, runtime.DeskQuery{Mine: true, Limit: 10}); total != 1 || len(got) != 1 || got[0] != ids[0] {
		t.Fatalf("agent's own = %v (total %d), want alice's", got, total)
	}
	if _, _, err := h.DeskConversations(ctx, alice, runtime.DeskQuery{}); !runtime.IsKind(err, runtime.KindForbidden) {
		t.Fatalf("a user's desk: %v, want forbidden", err)
	}
	if _, _, err := h.DeskConversations(ctx, admin, runtime.DeskQuery{Statuses: []string{"bogus"}}); !runtime.IsKind(err, runtime.KindInvalid) {
		t.Fatalf("a bad status: %v, want invalid", err)
	}
}

// The people the server has seen, by id, with their latest name.
func TestPeople(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHub(t, silent, runtime.Config{})
	agent := runtime.Identity{UserID: "ag", Name: "Grace Hopper", Role: runtime.RoleAgent}
	if err := h.RememberUser(ctx, agent); err != nil {
		t.Fatal(err)
	}
	if err := h.RememberUser(ctx, anon); err != nil {
		t.Fatalf("a visitor is not remembered, quietly: %v", err)
	}
	people, err := h.People(ctx, []string{"ag", "nobody"})
	if err != nil || len(people) != 1 || people["ag"].Name != "Grace Hopper" || people["ag"].Role != runtime.RoleAgent {
		t.Fatalf("People = %+v, %v; want ag alone", people, err)
	}
}

// Unread counts tell people apart by id: another agent of the same name
// is someone else.
func TestUnreadByID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHub(t, silent, runtime.Config{})
	one := runtime.Identity{UserID: "ag1", Name: "Sam", Role: runtime.RoleAgent}
	two := runtime.Identity{UserID: "ag2", Name: "Sam", Role: runtime.RoleAgent}
	s, _, err := h.SupportConversation(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	waiting := runtime.SupportWaiting
	if _, err := h.Patch(ctx, admin, s.ID, runtime.ConversationPatch{SupportStatus: &waiting}); err != nil {
		t.Fatal(err)
	}
	h.send(t, one, s.ID, "from the first Sam")
	h.send(t, two, s.ID, "from the second Sam")
	cur, err := h.Lookup(ctx, one, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h.Unread(ctx, one, cur); err != nil || n != 1 {
		t.Fatalf("the first Sam's unread = %d, %v; want 1 (the second Sam's)", n, err)
	}
}
