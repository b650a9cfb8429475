package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/bots"
)

// Files between people and bots over the real wire: a photo uploaded
// with POST /api/uploads and sent in a /ws message reaches the bot's
// HEAR{as="image"}, and the bot answers with an image of its own folder,
// which the user can read at its url and a stranger cannot.

// uploadFile uploads data as name with token and returns what the
// server made of it.
func uploadFile(t *testing.T, s *testServer, token, name string, data []byte) attachment {
	t.Helper()
	status, atts, code := upload(t, s, token, "", file{name, data})
	if status != 201 || len(atts) != 1 {
		t.Fatalf("POST /api/uploads: %d %s", status, code)
	}
	return atts[0]
}

// getFile reads a file at its url with token: the status, the content
// type and the bytes.
func getFile(t *testing.T, s *testServer, token, url string) (int, string, []byte) {
	t.Helper()
	resp, body := download(t, s, url, token)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// sendFiles sends a message with attachments (upload ids) on a socket.
func (c *wsClient) sendFiles(content, clientID string, ids ...string) {
	c.t.Helper()
	c.send(map[string]any{"type": "message", "content": content, "client_id": clientID, "attachments": ids})
}

// The support bot, over /ws: an order that arrived damaged, text where a
// photo is asked for, then the photo; the bot's answer carries
// packing.png, which ann reads at its url (200, image/png, the bytes of
// the bot's folder) and bob cannot (404, as for a file that does not
// exist).
func TestFilesOverTheWire(t *testing.T) {
	s := MustRunMain(t)
	ann, bob := tokenFor(t, "ann"), tokenFor(t, "bob")
	photo := pngOf(t, 40, 30, 1)
	up := uploadFile(t, s, ann, "cup.png", photo)
	if up.Kind != "image" || up.ContentType != "image/png" || up.Width != 40 || up.Height != 30 {
		t.Fatalf("the upload: %+v", up)
	}

	sock, _ := mustDial(t, s, "bot_id=support", ann)
	sock.expectMessage("bot", "Hi, I can look up an order for you.")
	sock.expectMessage("bot", "What's your order number?…")
	for _, turn := range []struct{ say, answer string }{
		{"123456", "Thanks! Which email address did you use for order 123456?"},
		{"ada@example.com", "Got it: order 123456, email ada@example.com."},
	} {
		sock.say(turn.say, "c-"+turn.say)
		sock.expectMessage("user", turn.say)
		sock.expectMessage("bot", turn.answer)
	}
	sock.expectMessage("bot", "Is anything wrong with it?")
	sock.say("It arrived damaged", "c-damaged")
	sock.expectMessage("user", "It arrived damaged")
	sock.expectMessage("bot", "Sorry about that! Please send a photo of the damage.")
	sock.say("the handle broke off", "c-text")
	sock.expectMessage("user", "the handle broke off")
	sock.expectMessage("bot", "I need a picture to pass on: please send a photo of the damage.")

	sock.sendFiles("", "c-photo", up.ID)
	if mine := sock.expectMessage("user", ""); len(mine.Attachments) != 1 || mine.Attachments[0] != up {
		t.Fatalf("the user's message: %s", mine.raw)
	}
	reply := sock.expectMessage("bot", "Thanks, we have your photo (cup.png). Please keep the item and its box…")
	if len(reply.Attachments) != 1 {
		t.Fatalf("the bot's reply: %s", reply.raw)
	}
	bot := reply.Attachments[0]
	want, err := fs.ReadFile(bots.FS, "support/files/packing.png")
	if err != nil {
		t.Fatal(err)
	}
	if bot.Name != "packing.png" || bot.Kind != "image" || bot.ContentType != "image/png" || bot.Size != int64(len(want)) ||
		bot.Width != 96 || bot.Height != 96 || bot.URL != "/api/uploads/"+bot.ID {
		t.Fatalf("the bot's attachment: %+v", bot)
	}
	sock.expectMessage("bot", "We'll email you the status within one working day…")

	status, ctype, data := getFile(t, s, ann, bot.URL)
	if status != 200 || ctype != "image/png" || !bytes.Equal(data, want) {
		t.Fatalf("ann GETs the bot's file: %d %q, %d bytes (want %d)", status, ctype, len(data), len(want))
	}
	if status, _, _ := getFile(t, s, bob, bot.URL); status != 404 {
		t.Fatalf("bob GETs the bot's file: %d, want 404", status)
	}
	if status, _, _ := getFile(t, s, bob, up.URL); status != 404 {
		t.Fatalf("bob GETs ann's photo: %d, want 404", status)
	}

	// The history has the attachments, as every channel reads them.
	var hist struct{ Messages []frame }
	if st := api(t, s, "GET", "/api/conversations/"+reply.SessionID+"/history?limit=100", ann, nil, &hist); st != 200 {
		t.Fatalf("history: %d", st)
	}
	var withFiles int
	for _, m := range hist.Messages {
		withFiles += len(m.Attachments)
	}
	if withFiles != 2 {
		t.Fatalf("%d attachments in the history, want ann's and the bot's", withFiles)
	}
}

// A dialog waiting after HEAR{as="image"} is rebuilt after a restart
// from its journal: the photo's table is the same (name, size, id), and
// the bot's TALK with a file after the restart stores it once.
func TestFilesReplayAcrossRestart(t *testing.T) {
	c := testConfig(t)
	writeBot(t, c.Bots, "photo", "name: Photo\n", `
TALK "Send me a photo."
local p = HEAR{as = "image"}
TALK("Got " .. p.name .. ".")
local said = HEAR()
TALK{text = "You sent " .. p.name .. " (" .. p.width .. "x" .. p.height .. ", " .. p.id .. ") and said " .. said .. ".",
  attachments = {"files/leaf.png"}}
`)
	leaf := pngOf(t, 12, 10, 2)
	if err := os.MkdirAll(filepath.Join(c.Bots, "photo", "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Bots, "photo", "files", "leaf.png"), leaf, 0o644); err != nil {
		t.Fatal(err)
	}
	s := mustStart(t, c)
	ann := tokenFor(t, "ann")
	up := uploadFile(t, s, ann, "cup.png", pngOf(t, 40, 30, 1))
	sock, hello := mustDial(t, s, "bot_id=photo", ann)
	sock.expectMessage("bot", "Send me a photo.")
	sock.sendFiles("", "p1", up.ID)
	sock.expectMessage("user", "")
	sock.expectMessage("bot", "Got cup.png.")
	s.Close()

	s2 := mustStart(t, c)
	back, again := mustDial(t, s2, "bot_id=photo&after=3", ann)
	if again.SessionID != hello.SessionID {
		t.Fatalf("after the restart: %s", again.raw)
	}
	back.say("hello", "p2")
	back.expectMessage("user", "hello")
	reply := back.expectMessage("bot", "You sent cup.png (40x30, "+up.ID+") and said hello.")
	if len(reply.Attachments) != 1 || reply.Attachments[0].Name != "leaf.png" || reply.Attachments[0].Size != int64(len(leaf)) {
		t.Fatalf("the bot's reply after the restart: %s", reply.raw)
	}
	if status, ctype, data := getFile(t, s2, ann, reply.Attachments[0].URL); status != 200 || ctype != "image/png" || !bytes.Equal(data, leaf) {
		t.Fatalf("ann GETs the bot's file: %d %q", status, ctype)
	}
	var hist struct{ Messages []frame }
	api(t, s2, "GET", "/api/conversations/"+hello.SessionID+"/history?limit=100", ann, nil, &hist)
	var said []string
	for _, m := range hist.Messages {
		said = append(said, m.Sender+": "+m.Content)
	}
	if got := strings.Join(said, " | "); got != "bot: Send me a photo. | user:  | bot: Got cup.png. | user: hello | bot: "+reply.Content {
		t.Fatalf("history after the restart: %s", got)
	}
}
