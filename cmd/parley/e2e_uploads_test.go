package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// attachment is an upload as the server describes it.
type attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
	Kind        string `json:"kind"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
}

// file is one part of an upload.
type file struct {
	name string
	body []byte
}

// pngOf is a w×h PNG whose pixels depend on seed (distinct content).
func pngOf(t *testing.T, w, h int, seed byte) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = seed + byte(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pdfDoc is a minimal PDF: what sniffing sees is its %PDF- header.
var pdfDoc = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// upload posts files as multipart parts named "files" and returns the
// status, the attachments of a 201 and the error code of anything else.
func upload(t *testing.T, s *testServer, token, query string, files ...file) (int, []attachment, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		h := textproto.MIMEHeader{}
		// The name goes in as given (a path too), and the client's type
		// is a lie the server must not believe.
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename=%q`, f.name))
		h.Set("Content-Type", "image/png")
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.body)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", s.URL()+"/api/uploads"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Attachments []attachment
		Error       string
	}
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("POST /api/uploads: %d %q", resp.StatusCode, data)
	}
	return resp.StatusCode, out.Attachments, out.Error
}

// download GETs a file with the token (and extra headers) and returns
// the response, its body read.
func download(t *testing.T, s *testServer, url, token string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL()+url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// blobs lists the files of the server's blob directory (not its tmp).
func blobs(t *testing.T, s *testServer) []string {
	t.Helper()
	dir := filepath.Join(s.Config.Data, "uploads")
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
		case d.IsDir() && p == filepath.Join(dir, "tmp"):
			return fs.SkipDir
		case !d.IsDir():
			out = append(out, filepath.Base(p))
		}
		return nil
	})
	return out
}

// Upload → send in a message → the user's other device and an agent get
// it → members download it (and seek with a range), a stranger gets 404.
func TestUploadsOverTheWire(t *testing.T) {
	s := MustRunMain(t)
	ann, bob, ag, root := tokenFor(t, "ann"), tokenFor(t, "bob"), tokenWithRole(t, "ag", "agent"), tokenWithRole(t, "root", "admin")
	leaf := pngOf(t, 3, 2, 7)
	st, ups, code := upload(t, s, ann, "", file{"leaf.png", leaf}, file{"contract.pdf", pdfDoc})
	if st != 201 || len(ups) != 2 {
		t.Fatalf("upload: %d %s %+v", st, code, ups)
	}
	img, doc := ups[0], ups[1]
	if img.Name != "leaf.png" || img.ContentType != "image/png" || img.Kind != "image" || img.Size != int64(len(leaf)) ||
		img.Width != 3 || img.Height != 2 || img.URL != "/api/uploads/"+img.ID {
		t.Errorf("the image: %+v", img)
	}
	if doc.ContentType != "application/pdf" || doc.Kind != "file" || doc.Size != int64(len(pdfDoc)) {
		t.Errorf("the PDF (sent as image/png): %+v", doc)
	}

	phone, hello := mustDial(t, s, "bot_id=echo", ann)
	laptop, _ := mustDial(t, s, "bot_id=echo&session_id="+hello.SessionID, ann)
	if st := api(t, s, "PATCH", "/api/conversations/"+hello.SessionID, root, map[string]string{"support_status": "waiting"}, nil); st != 200 {
		t.Fatalf("into the queue: %d", st)
	}
	agent, _ := mustDial(t, s, "session_id="+hello.SessionID, ag)
	phone.send(map[string]any{"type": "message", "content": "", "client_id": "p1", "attachments": []string{img.ID, doc.ID}})
	for who, c := range map[string]*wsClient{"phone": phone, "laptop": laptop, "agent": agent} {
		f := c.expectMessage("user", "")
		if !reflect.DeepEqual(f.Attachments, ups) {
			t.Errorf("%s got attachments %+v; want %+v", who, f.Attachments, ups)
		}
	}
	// The SSE stream (and so the feed, which writes the same frames) too.
	sse := mustSSE(t, s.URL(), "/api/conversations/"+hello.SessionID+"/events?after=0", ann)
	if ev := sse.expect("message", func(e sseEvent) bool { return e.frame.ClientID == "p1" }); !reflect.DeepEqual(ev.frame.Attachments, ups) {
		t.Errorf("SSE attachments %+v; want %+v", ev.frame.Attachments, ups)
	}
	var hist historyBody
	if st := api(t, s, "GET", "/api/conversations/"+hello.SessionID+"/history", ann, nil, &hist); st != 200 ||
		len(hist.Messages) == 0 || !reflect.DeepEqual(hist.Messages[len(hist.Messages)-1].Attachments, ups) {
		t.Fatalf("history: %d %+v", st, hist.Messages)
	}

	// Members read it; the image shows in place, the PDF downloads.
	for _, tok := range []string{ann, ag, root} {
		resp, body := download(t, s, img.URL, tok)
		if resp.StatusCode != 200 || !bytes.Equal(body, leaf) || resp.Header.Get("Content-Type") != "image/png" ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
			t.Fatalf("GET the image: %d %v", resp.StatusCode, resp.Header)
		}
	}
	resp, body := download(t, s, doc.URL, ann)
	if resp.StatusCode != 200 || !bytes.Equal(body, pdfDoc) || resp.Header.Get("Content-Disposition") != `attachment; filename=contract.pdf` {
		t.Fatalf("GET the PDF: %d %v", resp.StatusCode, resp.Header)
	}
	// A range (an audio player seeking), and the ETag revalidating.
	resp, body = download(t, s, doc.URL, ann, "Range", "bytes=5-7")
	if resp.StatusCode != 206 || string(body) != string(pdfDoc[5:8]) || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 5-7/%d", len(pdfDoc)) {
		t.Fatalf("a range: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ = download(t, s, doc.URL, ann, "If-None-Match", etag); etag == "" || resp.StatusCode != 304 {
		t.Fatalf("If-None-Match %s: %d", etag, resp.StatusCode)
	}
	// Strangers: another user 404 (as for no file at all), no credentials 401.
	if resp, _ = download(t, s, img.URL, bob); resp.StatusCode != 404 {
		t.Fatalf("a stranger reads the image: %d", resp.StatusCode)
	}
	if resp, _ = download(t, s, "/api/uploads/no-such-file", ann); resp.StatusCode != 404 {
		t.Fatalf("no such file: %d", resp.StatusCode)
	}
	if resp, _ = download(t, s, img.URL, ""); resp.StatusCode != 401 {
		t.Fatalf("no credentials: %d", resp.StatusCode)
	}

	// Only one's own uploads may be sent: bob cannot send ann's, on /ws or REST.
	bobWS, bobHello := mustDial(t, s, "bot_id=echo", bob)
	bobWS.send(map[string]any{"type": "message", "content": "look", "client_id": "b1", "attachments": []string{img.ID}})
	bobWS.expectError("invalid_message")
	var e struct{ Error string }
	if st := api(t, s, "POST", "/api/conversations/"+bobHello.SessionID+"/messages", bob, map[string]any{"content": "x", "attachments": []string{"no-such-upload"}}, &e); st != 400 || e.Error != "invalid_message" {
		t.Fatalf("an unknown attachment id over REST: %d %+v", st, e)
	}
	if resp, _ = download(t, s, img.URL, bob); resp.StatusCode != 404 {
		t.Fatalf("a refused send gave bob the image: %d", resp.StatusCode)
	}
}

// Each bad upload is refused with its code, and nothing is stored.
func TestUploadsRefused(t *testing.T) {
	s := MustRunMain(t)
	ann := tokenFor(t, "ann")
	before := blobs(t, s)
	big := append(pngOf(t, 2, 2, 1), make([]byte, 10<<20)...)
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 200)...)
	six := make([]file, 6)
	for i := range six {
		six[i] = file{fmt.Sprintf("p%d.png", i), pngOf(t, 2, 2, byte(i))}
	}
	for _, tc := range []struct {
		name   string
		files  []file
		status int
		code   string
	}{
		{"over 10 MB", []file{{"ok.png", pngOf(t, 2, 2, 9)}, {"big.png", big}}, 413, "too_large"},
		{"six files", six, 400, "invalid_request"},
		{"an executable named .jpg", []file{{"ok.png", pngOf(t, 2, 2, 8)}, {"photo.jpg", elf}}, 415, "unsupported_type"},
		{"a path in the name", []file{{"../../etc/leaf.png", pngOf(t, 2, 2, 7)}}, 400, "invalid_request"},
		{"a Windows path in the name", []file{{`C:\leaf.png`, pngOf(t, 2, 2, 6)}}, 400, "invalid_request"},
		{"an empty file", []file{{"empty.png", nil}}, 400, "invalid_request"},
		{"no file", nil, 400, "invalid_request"},
	} {
		st, ups, code := upload(t, s, ann, "", tc.files...)
		if st != tc.status || code != tc.code || len(ups) != 0 {
			t.Errorf("%s: %d %s %v; want %d %s", tc.name, st, code, ups, tc.status, tc.code)
		}
	}
	if after := blobs(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("refused uploads left files: %v", after)
	}
	if n, err := s.store.UploadBytes(context.Background(), "ann"); err != nil || n != 0 {
		t.Errorf("refused uploads left %d bytes of rows (%v)", n, err)
	}
	if st, _, code := upload(t, s, "", "", file{"a.png", pngOf(t, 2, 2, 1)}); st != 401 || code != "unauthorized" {
		t.Errorf("no credentials: %d %s", st, code)
	}
}

// The quota holds per user; deleting a conversation frees its files.
func TestUploadQuota(t *testing.T) {
	s := MustRunMain(t, func(c *Config) { c.uploadLimits.Quota = 300 })
	ann, bob := tokenFor(t, "ann"), tokenFor(t, "bob")
	a, b := pngOf(t, 8, 8, 1), pngOf(t, 8, 8, 2) // about 100 bytes each
	if len(a)*2 > 300 || len(a)*4 < 300 {
		t.Fatalf("the test's PNGs are %d bytes; the quota of 300 needs 2 to fit and 4 not to", len(a))
	}
	if st, _, code := upload(t, s, ann, "", file{"a.png", a}, file{"b.png", b}); st != 201 {
		t.Fatalf("within the quota: %d %s", st, code)
	}
	if st, _, code := upload(t, s, ann, "", file{"c.png", pngOf(t, 8, 8, 3)}, file{"d.png", pngOf(t, 8, 8, 4)}); st != 413 || code != "quota_exceeded" {
		t.Fatalf("over the quota: %d %s; want 413 quota_exceeded", st, code)
	}
	if st, _, code := upload(t, s, bob, "", file{"c.png", a}); st != 201 {
		t.Fatalf("another user's quota is their own: %d %s", st, code)
	}
}

// Visitors upload for their conversation with its resume token, and read
// what was sent in it; expiry of the conversation deletes the file, as
// the orphan sweep deletes uploads never sent.
func TestVisitorUploadsAndCleanup(t *testing.T) {
	s := MustRunMain(t, func(c *Config) {
		c.AnonymousTTL = 200 * time.Millisecond // the sweeps run every 50ms
	})
	ann := tokenFor(t, "ann")
	visitor, hello := mustDial(t, s, "", "")
	q := "?session_id=" + hello.SessionID + "&resume_token=" + hello.ResumeToken
	st, ups, code := upload(t, s, "", q, file{"leaf.png", pngOf(t, 4, 4, 3)})
	if st != 201 || len(ups) != 1 {
		t.Fatalf("a visitor's upload: %d %s", st, code)
	}
	if st, _, code := upload(t, s, "", "?session_id="+hello.SessionID+"&resume_token=wrong", file{"x.png", pngOf(t, 4, 4, 4)}); st != 401 {
		t.Fatalf("a wrong resume token: %d %s", st, code)
	}
	visitor.send(map[string]any{"type": "message", "content": "my crop", "attachments": []string{ups[0].ID}})
	if f := visitor.expect("message", func(f frame) bool { return f.Sender == "user" }); f.Content != "my crop" || len(f.Attachments) != 1 || f.Attachments[0].ID != ups[0].ID {
		t.Fatalf("the visitor's message: %+v", f.Attachments)
	}
	if resp, _ := download(t, s, ups[0].URL+q, ""); resp.StatusCode != 200 {
		t.Fatalf("the visitor reads their file: %d", resp.StatusCode)
	}
	if resp, _ := download(t, s, ups[0].URL, ann); resp.StatusCode != 404 {
		t.Fatalf("a user reads a visitor's file: %d", resp.StatusCode)
	}

	if got := blobs(t, s); len(got) != 1 {
		t.Fatalf("blobs before the expiry: %v; want the visitor's one", got)
	}
	visitor.conn.CloseNow()
	// The visitor's conversation expires; its file goes with it.
	waitUntil(t, func() bool { return len(blobs(t, s)) == 0 })
	if resp, _ := download(t, s, ups[0].URL+q, ""); resp.StatusCode != 401 {
		t.Fatalf("the expired visitor's file: %d; want 401 (the conversation is gone)", resp.StatusCode)
	}
}

// An upload never sent in a message is deleted once the orphan TTL has
// passed, a sent one when its conversation is deleted.
func TestUploadOrphansAndDeletedConversations(t *testing.T) {
	c := testConfig(t)
	c.uploadLimits.OrphanTTL = time.Hour
	s := mustStart(t, c)
	ann := tokenFor(t, "ann")
	_, kept, _ := upload(t, s, ann, "", file{"sent.png", pngOf(t, 4, 4, 1)})
	_, orphan, _ := upload(t, s, ann, "", file{"never.png", pngOf(t, 5, 5, 2)})
	sock, hello := mustDial(t, s, "bot_id=echo", ann)
	sock.send(map[string]any{"type": "message", "content": "sent", "attachments": []string{kept[0].ID}})
	sock.expectMessage("user", "sent")
	if err := s.hub.SweepUploads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := blobs(t, s); len(got) != 2 {
		t.Fatalf("blobs: %v; want both (the unsent one is an hour from its end)", got)
	}
	s.Close()

	c.uploadLimits.OrphanTTL = time.Nanosecond // a day later
	s = mustStart(t, c)
	if err := s.hub.SweepUploads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := blobs(t, s); len(got) != 1 || got[0] == "" {
		t.Fatalf("blobs after the orphan sweep: %v; want the sent one", got)
	}
	if resp, _ := download(t, s, orphan[0].URL, ann); resp.StatusCode != 404 {
		t.Fatalf("the swept upload: %d", resp.StatusCode)
	}
	if resp, _ := download(t, s, kept[0].URL, ann); resp.StatusCode != 200 {
		t.Fatalf("the sent upload: %d", resp.StatusCode)
	}
	if st := api(t, s, "DELETE", "/api/conversations/"+hello.SessionID, ann, nil, nil); st != 204 && st != 200 {
		t.Fatalf("DELETE the conversation: %d", st)
	}
	if err := s.hub.SweepUploads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := blobs(t, s); len(got) != 0 {
		t.Fatalf("blobs after the conversation was deleted: %v", got)
	}
	if resp, _ := download(t, s, kept[0].URL, ann); resp.StatusCode != 404 {
		t.Fatalf("the file of the deleted conversation: %d", resp.StatusCode)
	}
}
