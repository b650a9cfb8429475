package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/runtime"
	"parley/runtime/runtimetest"
)

// TALK with files (host_talk.go) and HEAR of attachments, through the
// host: stored as the bot's uploads, linked in the dialog's commit,
// journaled so that a replay neither reads nor stores a file again.

// memBlobs is a BlobStore in memory that counts its writes.
type memBlobs struct {
	mu   sync.Mutex
	m    map[string][]byte
	puts atomic.Int64
}

func (b *memBlobs) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if int64(len(data)) != size {
		return fmt.Errorf("put %d bytes, said %d", len(data), size)
	}
	b.puts.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string][]byte{}
	}
	b.m[key] = data
	return nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (b *memBlobs) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[key]
	if !ok {
		return nil, runtime.Errorf(runtime.KindNotFound, "no such blob")
	}
	return nopCloser{bytes.NewReader(data)}, nil
}

func (b *memBlobs) Delete(ctx context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// pngOf is a w×h PNG of one colour.
func pngOf(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// botFile is a file of a bot's folder holding data; opens counts the
// reads.
func botFile(name string, data []byte, opens *atomic.Int64) runtime.BotFile {
	return runtime.BotFile{Source: "files/" + name, Name: name, Open: func() (io.ReadSeekCloser, int64, error) {
		opens.Add(1)
		return nopCloser{bytes.NewReader(data)}, int64(len(data)), nil
	}}
}

func attachmentsOf(t *testing.T, raw json.RawMessage) []runtime.Attachment {
	t.Helper()
	var list []runtime.Attachment
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("attachments %s: %v", raw, err)
	}
	return list
}

// A bot answers a photo with a photo of its own: its file is stored as
// an upload of "bot:echo", linked to the conversation, readable by its
// member and by nobody else. A file of a type not allowed is a TalkError
// the script sees. After a reload (as after an eviction or a restart)
// the replay gives HEAR the same attachments and stores nothing again.
func TestTalkFilesJournaled(t *testing.T) {
	ctx := context.Background()
	leaf := pngOf(t, 4, 3, color.RGBA{0, 128, 0, 255})
	var opens atomic.Int64
	var mu sync.Mutex
	var heard []json.RawMessage
	step := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		mu.Lock()
		heard = append(heard, in.Attachments)
		mu.Unlock()
		if in.Content == "bad" {
			err := h.TalkFiles(ctx, "notes", []runtime.BotFile{botFile("notes.txt", []byte("hello, text"), &opens)})
			var te *runtime.TalkError
			if !errors.As(err, &te) {
				return fmt.Errorf("TalkFiles of a text file: %v, want a TalkError", err)
			}
			return h.Talk(ctx, "refused: "+te.Message)
		}
		return h.TalkFiles(ctx, "mine", []runtime.BotFile{botFile("leaf.png", leaf, &opens)})
	}
	blobs := &memBlobs{}
	h := newHub(t, step, runtime.Config{Blobs: blobs})

	cup := pngOf(t, 8, 6, color.White)
	ups, err := h.Upload(ctx, alice, []runtime.NewFile{{Name: "cup.png", Body: bytes.NewReader(cup), Size: int64(len(cup))}})
	if err != nil {
		t.Fatal(err)
	}
	sub := h.join(t, alice, runtime.JoinRequest{})
	sid := sub.Session.ID
	if _, _, err := h.Send(ctx, alice, runtime.SendRequest{SessionID: sid, Attachments: json.RawMessage(`["` + ups[0].ID + `"]`)}); err != nil {
		t.Fatal(err)
	}
	expectMessage(t, sub, runtime.SenderUser, "")
	mine := expectMessage(t, sub, runtime.SenderBot, "mine")
	atts := attachmentsOf(t, mine.Attachments)
	if len(atts) != 1 || atts[0].Name != "leaf.png" || atts[0].ContentType != "image/png" || atts[0].Kind != runtime.AttachmentImage ||
		atts[0].Size != int64(len(leaf)) || atts[0].Width != 4 || atts[0].Height != 3 || atts[0].URL != runtime.UploadURL(atts[0].ID) {
		t.Fatalf("the bot's attachments: %s", mine.Attachments)
	}
	found, err := h.store.FindUploads(ctx, []string{atts[0].ID})
	if err != nil || len(found) != 1 || found[0].Owner != "bot:echo" {
		t.Fatalf("the bot's upload: %+v, %v", found, err)
	}
	if sids, err := h.store.UploadSessions(ctx, atts[0].ID); err != nil || !slices.Equal(sids, []runtime.SessionID{sid}) {
		t.Fatalf("the bot's upload was sent in %v (%v), want [%s]", sids, err, sid)
	}
	if _, body, err := h.OpenUpload(ctx, alice, atts[0].ID); err != nil {
		t.Fatalf("alice reads the bot's file: %v", err)
	} else {
		data, _ := io.ReadAll(body)
		body.Close()
		if !bytes.Equal(data, leaf) {
			t.Fatal("the bot's file has other bytes")
		}
	}
	if _, _, err := h.OpenUpload(ctx, bob, atts[0].ID); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Fatalf("bob reads the bot's file: %v, want not found", err)
	}
	if stored := h.stored(t, sid); !bytes.Equal(stored[len(stored)-1].Attachments, mine.Attachments) {
		t.Fatalf("stored attachments %s, published %s", stored[len(stored)-1].Attachments, mine.Attachments)
	}

	h.send(t, alice, sid, "bad")
	expectMessage(t, sub, runtime.SenderUser, "bad")
	if e := nextEvent(t, sub); e.Type != runtime.EventMessage ||
		!strings.HasPrefix(e.Message.Content, "refused: notes.txt is text/plain, which is not allowed here") {
		t.Fatalf("event %s, want the refusal", describe(e))
	}

	// The hear entry keeps the attachments with the text.
	s, _ := h.store.FindSession(ctx, sid)
	journal, _ := h.store.Journal(ctx, sid, s.Run)
	var hears []runtime.JournalEntry
	for _, e := range journal {
		if e.Kind == runtime.EntryHear {
			hears = append(hears, e)
		}
	}
	if len(hears) != 2 || !hears[0].Found || !strings.Contains(hears[0].Value, `"cup.png"`) || hears[1].Found || hears[1].Value != "bad" {
		t.Fatalf("the hear entries: %+v", hears)
	}

	puts, bytesBefore, msgs := blobs.puts.Load(), uploadBytes(t, h, "bot:echo"), len(h.stored(t, sid))
	if opens.Load() != 2 {
		t.Fatalf("%d files opened, want 2", opens.Load())
	}
	if err := h.Reload(ctx, sid); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, sub) // a replay says nothing
	if opens.Load() != 2 || blobs.puts.Load() != puts || uploadBytes(t, h, "bot:echo") != bytesBefore || len(h.stored(t, sid)) != msgs {
		t.Fatalf("the replay read %d files, put %d blobs, stored %d bytes of uploads and %d messages; want 2, %d, %d, %d",
			opens.Load(), blobs.puts.Load(), uploadBytes(t, h, "bot:echo"), len(h.stored(t, sid)), puts, bytesBefore, msgs)
	}
	mu.Lock()
	got := slices.Clone(heard)
	mu.Unlock()
	if len(got) != 4 || !jsonEqual(t, got[2], got[0]) || len(attachmentsOf(t, got[2])) != 1 || got[3] != nil {
		t.Fatalf("heard live then in the replay: %s", got)
	}

	// Live again: the next TALK stores a new upload of the same bytes.
	h.send(t, alice, sid, "again")
	expectMessage(t, sub, runtime.SenderUser, "again")
	again := expectMessage(t, sub, runtime.SenderBot, "mine")
	if a := attachmentsOf(t, again.Attachments); len(a) != 1 || a[0].ID == atts[0].ID || opens.Load() != 3 {
		t.Fatalf("after the replay: %s, %d files opened", again.Attachments, opens.Load())
	}
}

func uploadBytes(t *testing.T, h *testHub, owner string) int64 {
	t.Helper()
	n, err := h.store.UploadBytes(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// A URL is fetched through the bot's http_allow, at most the upload size
// limit; a host not listed, an error status or a body over the limit is
// a TalkError that names the host, not the URL.
func TestTalkFilesFromURL(t *testing.T) {
	ctx := context.Background()
	sun := pngOf(t, 5, 5, color.RGBA{255, 200, 0, 255})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/img/sun.png":
			w.Write(sun)
		case "/big.png":
			w.Write(bytes.Repeat([]byte{0}, 2000))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	step := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		f := runtime.BotFile{Source: in.Content, Name: "sun.png"}
		if in.Content == "files/big.png" { // a file of the folder over the limit: never read
			f = runtime.BotFile{Source: in.Content, Name: "big.png", Open: func() (io.ReadSeekCloser, int64, error) {
				return nopCloser{bytes.NewReader(nil)}, 2000, nil
			}}
		}
		err := h.TalkFiles(ctx, "", []runtime.BotFile{f})
		if te := (*runtime.TalkError)(nil); errors.As(err, &te) {
			return h.Talk(ctx, "refused: "+te.Message)
		}
		return err
	}
	h := newHub(t, step, runtime.Config{Blobs: &memBlobs{}, Uploads: runtime.UploadLimits{MaxSize: 1500}})
	h.engine.httpAllow = []string{host}
	sub := h.join(t, alice, runtime.JoinRequest{})
	for _, tc := range []struct{ url, want string }{
		{srv.URL + "/img/sun.png?key=secret", ""},
		{"http://cdn.example.net/sun.png?key=secret", "refused: cdn.example.net is not in this bot's http_allow"},
		{srv.URL + "/missing.png?key=secret", "refused: " + host + " answered 404"},
		{srv.URL + "/big.png", "refused: the response from " + host + " is too large (over 1500 bytes)"},
		{"files/big.png", "refused: big.png is 1 KB; the limit is 1 KB per file"},
	} {
		h.send(t, alice, sub.Session.ID, tc.url)
		expectMessage(t, sub, runtime.SenderUser, tc.url)
		m := expectMessage(t, sub, runtime.SenderBot, tc.want)
		if tc.want != "" {
			continue
		}
		atts := attachmentsOf(t, m.Attachments)
		if len(atts) != 1 || atts[0].Name != "sun.png" || atts[0].Width != 5 {
			t.Fatalf("from %s: %s", tc.url, m.Attachments)
		}
	}
	if n := uploadBytes(t, h, "bot:echo"); n != int64(len(sun)) {
		t.Fatalf("the bot stores %d bytes, want %d (only the allowed file)", n, len(sun))
	}
	_ = ctx
}

// failUploadCommit fails the first dialog commit that links uploads, as a
// crash between storing a bot's file and committing its message would.
type failUploadCommit struct {
	*runtimetest.MemStore
	failed atomic.Bool
}

func (s *failUploadCommit) CommitDialog(ctx context.Context, w *runtime.DialogWrite) error {
	if len(w.Uploads) > 0 && s.failed.CompareAndSwap(false, true) {
		return runtime.Errorf(runtime.KindUnavailable, "database unavailable")
	}
	return s.MemStore.CommitDialog(ctx, w)
}

// An upload stored for a TALK whose commit failed is never linked: it is
// an orphan, and the sweep deletes it once the orphan TTL has passed,
// while the upload of the retried TALK, sent, stays (with the blob both
// share).
func TestTalkFilesOrphanSwept(t *testing.T) {
	ctx := context.Background()
	leaf := pngOf(t, 4, 3, color.Black)
	var opens atomic.Int64
	step := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		return h.TalkFiles(ctx, "mine", []runtime.BotFile{botFile("leaf.png", leaf, &opens)})
	}
	var now atomic.Pointer[time.Time]
	start := time.Now()
	now.Store(&start)
	clock := func() time.Time { return *now.Load() }
	st := &failUploadCommit{MemStore: runtimetest.NewMemStore()}
	st.Now = clock
	blobs := &memBlobs{}
	h := runtime.New(runtime.Config{Store: st, Engine: &fakeEngine{step: step}, Blobs: blobs, Now: clock})
	t.Cleanup(func() { h.Close(context.Background()) })
	sub, err := h.Join(ctx, alice, runtime.JoinRequest{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// The commit that fails may carry the message too (early.go): then
	// the sender is told and sends again, as a client does. Or the
	// message was stored first, and the dialog retries from the store.
	// Either way the TALK runs again and stores another upload of the
	// same bytes.
	req := runtime.SendRequest{SessionID: sub.Session.ID, Content: "hi", ClientID: "c1"}
	if _, _, err := h.Send(ctx, alice, req); err != nil {
		if _, _, err := h.Send(ctx, alice, req); err != nil {
			t.Fatal(err)
		}
	}
	var m *runtime.Message
	for m == nil {
		switch e := nextEvent(t, sub); {
		case e.Type == runtime.EventError:
		case e.Type == runtime.EventMessage && e.Message.Sender == runtime.SenderUser && e.Message.Content == "hi":
		case e.Type == runtime.EventMessage && e.Message.Sender == runtime.SenderBot && e.Message.Content == "mine":
			m = e.Message
		default:
			t.Fatalf("event %s", describe(e))
		}
	}
	sent := attachmentsOf(t, m.Attachments)[0].ID
	if n, _ := st.UploadBytes(ctx, "bot:echo"); n != 2*int64(len(leaf)) || opens.Load() != 2 {
		t.Fatalf("%d bytes of the bot's uploads after a failed commit and its retry, %d opens; want two uploads", n, opens.Load())
	}
	if err := h.SweepUploads(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.UploadBytes(ctx, "bot:echo"); n != 2*int64(len(leaf)) {
		t.Fatal("an orphan was swept before its TTL")
	}
	later := start.Add(25 * time.Hour)
	now.Store(&later)
	if err := h.SweepUploads(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.UploadBytes(ctx, "bot:echo"); n != int64(len(leaf)) {
		t.Fatalf("%d bytes of the bot's uploads after the sweep, want the sent one's %d", n, len(leaf))
	}
	if _, body, err := h.OpenUpload(ctx, alice, sent); err != nil {
		t.Fatalf("the sent upload after the sweep: %v", err)
	} else {
		body.Close()
	}
}
