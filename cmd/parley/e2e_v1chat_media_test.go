package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// POST /media and a message that sends what it stored: the files are
// Parley's uploads, read back at their url; a file that is not the type
// given is 415, one too large 413, a bad form 400.
func TestV1ChatMedia(t *testing.T) {
	s := MustRunMain(t, func(c *Config) {
		c.Bots = deskBots(t)
		c.uploadLimits.MaxSize = 4 << 10 // the limit is the hub's (10 MB by default)
	})
	farmer, other := namedToken(t, "fatima", "Fatima", "user"), namedToken(t, "omar", "Omar", "user")
	var conv chatConversation
	chatCall(t, s, "POST", "/conversations", farmer, nil).want(t, 200, "open").into(t, &conv)
	ws, _ := mustDial(t, s, "after=0&session_id="+conv.ID, farmer)
	ws.expectMessage("bot", "Welcome to support")

	leaf, cup := pngOf(t, 8, 8, 1), pngOf(t, 4, 4, 9)
	var media []chatMedia
	chatMediaPost(t, s, farmer, "image", file{"leaf.png", leaf}, file{"cup.png", cup}).want(t, 201, "upload").into(t, &media)
	if len(media) != 2 {
		t.Fatalf("media: %+v", media)
	}
	for i, f := range []file{{"leaf.png", leaf}, {"cup.png", cup}} {
		m := media[i]
		if m.ID == "" || m.Name != f.name || m.Type != "image" || m.URL != "/api/uploads/"+m.ID || m.Format != "png" || m.Size != int64(len(f.body)) {
			t.Fatalf("media %d: %+v", i, m)
		}
	}
	if resp, body := download(t, s, media[0].URL, farmer); resp.StatusCode != http.StatusOK || !bytes.Equal(body, leaf) {
		t.Fatalf("GET %s: %d, %d bytes", media[0].URL, resp.StatusCode, len(body))
	}

	var sent chatMessage
	body := map[string]any{"conversationId": conv.ID, "messageType": "image", "mediaId": media[0].ID, "content": "the leaves"}
	chatCall(t, s, "POST", "/messages", farmer, body).want(t, 201, "send the photo").into(t, &sent)
	if sent.MessageType != "image" || len(sent.Media) != 1 || sent.Media[0] != media[0] || sent.Content != "the leaves" {
		t.Fatalf("the photo message: %+v", sent)
	}
	if f := ws.expectMessage("user", "the leaves"); f.ID != sent.ID || len(f.Attachments) != 1 || f.Attachments[0].ID != media[0].ID {
		t.Fatalf("/ws got %s, want the photo message %s", f.raw, sent.ID)
	}
	body = map[string]any{"conversationId": conv.ID, "messageType": "image", "mediaId": []string{media[1].ID}}
	chatCall(t, s, "POST", "/messages", farmer, body).want(t, 201, "mediaId as a list")
	body["conversationId"], body["mediaId"] = conv.ID, media[0].ID
	chatCall(t, s, "POST", "/messages", other, body).want(t, 403, "another user sends it")

	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	for _, c := range []struct {
		token, kind string
		files       []file
		status      int
		what        string
	}{
		{farmer, "audio", []file{{"leaf.png", leaf}}, 415, "a PNG as audio"},
		{farmer, "image", []file{{"doc.pdf", pdf}}, 415, "a PDF as an image"},
		{farmer, "image", []file{{"notes.txt", []byte("plain words, not a picture")}}, 415, "text as an image"},
		{farmer, "image", []file{{"big.png", bytes.Repeat([]byte{0x89}, 5<<10)}}, 413, "a file over the limit"},
		{farmer, "", []file{{"leaf.png", leaf}}, 400, "no type"},
		{farmer, "document", []file{{"doc.pdf", pdf}}, 400, "a type the app does not have"},
		{farmer, "image", nil, 400, "no files"},
		{farmer, "image", []file{{"a.png", leaf}, {"b.png", leaf}, {"c.png", leaf}, {"d.png", leaf}, {"e.png", leaf}, {"f.png", leaf}}, 400, "six files"},
		{farmer, "image", []file{{"../leaf.png", leaf}}, 400, "a path for a name"},
		{"", "image", []file{{"leaf.png", leaf}}, 401, "no token"},
	} {
		chatMediaPost(t, s, c.token, c.kind, c.files...).want(t, c.status, c.what)
	}
	req, _ := http.NewRequest("POST", s.URL()+"/api/v1/chat/media", strings.NewReader(`{"media":[]}`))
	req.Header.Set("Authorization", "Bearer "+farmer)
	req.Header.Set("Content-Type", "application/json")
	chatDo(t, req).want(t, 400, "not multipart")
}
