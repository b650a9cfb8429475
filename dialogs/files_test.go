package dialogs_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"parley/dialogs"
	"parley/runtime"
)

// Files in conversations: HEAR{as="image"|…}, ATTACHMENTS() and TALK's
// attachments (api_files.go).

var (
	photo = runtime.Attachment{ID: "up-1", Name: "cup.png", ContentType: "image/png", Size: 1234,
		URL: "/api/uploads/up-1", Kind: runtime.AttachmentImage, Width: 640, Height: 480}
	invoice = runtime.Attachment{ID: "up-2", Name: "invoice.pdf", ContentType: "application/pdf", Size: 999,
		URL: "/api/uploads/up-2", Kind: runtime.AttachmentFile}
	voice = runtime.Attachment{ID: "up-3", Name: "note.ogg", ContentType: "audio/ogg", Size: 50,
		URL: "/api/uploads/up-3", Kind: runtime.AttachmentAudio}
)

// fileMsg is a user message with attachments, as the runtime gives it.
func fileMsg(text string, atts ...runtime.Attachment) *runtime.Message {
	raw, _ := json.Marshal(atts)
	return &runtime.Message{Sender: runtime.SenderUser, Content: text, Attachments: raw}
}

// send steps with m and checks what the bot did.
func (c *chat) send(m *runtime.Message, want ...string) {
	c.t.Helper()
	done, err := c.d.Step(context.Background(), m)
	if err != nil {
		c.t.Fatalf("Step(%q with %s): %v", m.Content, m.Attachments, err)
	}
	c.done = done
	c.expect(want...)
}

// HEAR{as="image"} takes the first image of a message, as a table; text,
// or a message without an image, gets the retry text and HEAR waits
// again. as="file" takes any attachment. A plain HEAR of a message with
// only attachments is "", and ATTACHMENTS() has them.
func TestHearFiles(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		local function show(a)
			local keys = {}
			for k, v in pairs(a) do keys[#keys + 1] = k .. "=" .. tostring(v) end
			return table.concat(keys, " ")
		end
		TALK "Send a photo"
		TALK(show(HEAR{as = "image"}))
		TALK(show(HEAR{as = "file", retry = "A file, please."}))
		local a = HEAR{as = "audio"}
		TALK(a.name .. " " .. tostring(a.width))
		local text = HEAR()
		local list = ATTACHMENTS()
		TALK("[" .. text .. "] " .. #list .. " " .. list[1].name .. " " .. list[2].kind)
		HEAR()
		TALK(#ATTACHMENTS() .. " after text")`)), "t", nil)
	c.begin("talk: Send a photo")
	c.say("here it is", "talk: Please send a photo.")
	c.send(fileMsg("a pdf", invoice), "talk: Please send a photo.")
	c.send(fileMsg("", invoice, photo),
		"talk: id=up-1 name=cup.png content_type=image/png size=1234 url=/api/uploads/up-1 kind=image width=640 height=480")
	c.say("no", "talk: A file, please.")
	c.send(fileMsg("", invoice, photo),
		"talk: id=up-2 name=invoice.pdf content_type=application/pdf size=999 url=/api/uploads/up-2 kind=file")
	c.send(fileMsg("", photo), "talk: Please send an audio recording.")
	c.send(fileMsg("", voice), "talk: note.ogg nil")
	c.send(fileMsg("", photo, invoice), "talk: [] 2 cup.png file")
	c.say("just words", "talk: 0 after text")
}

// HEAR{as="video"} has its default retry text; choices do not go with a
// file kind, and an unknown kind names the ones there are.
func TestHearFileOptions(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`TALK(HEAR{as = "video"}.name)`)), "t", nil)
	c.begin()
	c.send(fileMsg("", photo), "talk: Please send a video.")
	c.send(fileMsg("", runtime.Attachment{Name: "clip.mp4", Kind: runtime.AttachmentVideo}), "talk: clip.mp4")

	for src, want := range map[string]string{
		`HEAR{as = "image", choices = {"a"}}`: `choices are answers in words: they do not go with as="image"`,
		`HEAR{as = "photo"}`:                  `as must be text, number, integer, boolean, email, date, image, audio, video or file, not "photo"`,
	} {
		c := startChat(t, newEngine(t, sourceFS(src)), "t", nil)
		done, err := c.d.Step(t.Context(), nil)
		if se := scriptError(t, err); !done || !strings.Contains(se.Err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, se.Err, want)
		}
	}
}

// leafPNG stands for a bot's image; the fake host only counts its bytes.
var leafPNG = []byte("\x89PNG\r\n\x1a\n leaf")

// TALK{text, attachments} hands the host a BotFile per attachment: a
// file of the bot's folder with an Open that reads it, a URL as it is.
// A TALK without attachments is a plain one, and an empty one says
// nothing.
func TestTalkAttachments(t *testing.T) {
	t.Parallel()
	bots := fstest.MapFS{
		"t/bot.yaml":       {Data: []byte("name: T\n")},
		"t/files/leaf.png": {Data: leafPNG},
		"t/start.lua": {Data: []byte(`
			TALK{text = "A leaf", attachments = {"files/leaf.png", "https://cdn.example.com/img/sun.png?key=1"}}
			TALK{attachments = "files/leaf.png"}
			TALK{attachments = {"https://cdn.example.com/"}}
			TALK{text = "just text"}
			TALK{text = ""}
			TALK{}
			TALK("plain")`)},
	}
	c := startChat(t, newEngine(t, bots), "t", nil)
	c.begin(
		"talk: A leaf [files/leaf.png (13 bytes) | https://cdn.example.com/img/sun.png?key=1 as sun.png]",
		"talk:  [files/leaf.png (13 bytes)]",
		"talk:  [https://cdn.example.com/ as file]",
		"talk: just text",
		"talk: plain",
	)
}

// An attachment that is not a path inside the bot's folder (or an http or
// https URL) is a script error that says what to write instead, raised
// before the host is asked anything.
func TestTalkBadAttachments(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		`"/etc/passwd"`:             `attachment "/etc/passwd": name a file inside the bot's folder with a relative path, like "files/photo.png"`,
		`"files\\leaf.png"`:         `name a file inside the bot's folder with a relative path`,
		`"../other/files/leaf.png"`: `attachment "../other/files/leaf.png": ".." leads out of the bot's folder`,
		`"files/../../x.png"`:       `".." leads out of the bot's folder`,
		`".."`:                      `".." leads out of the bot's folder`,
		`"files//leaf.png"`:         `attachment "files//leaf.png" is not a clean path`,
		`"files/"`:                  `is not a clean path`,
		`"."`:                       `is not a clean path`,
		`""`:                        `an attachment is an empty string`,
		`"ftp://example.com/a.png"`: `attachment "ftp://…": only files of the bot's folder and http or https URLs can be sent`,
		`"file:///etc/passwd"`:      `only files of the bot's folder and http or https URLs`,
		`"https://"`:                `an attachment URL is not valid`,
		`"a\0b"`:                    `an attachment has control characters`,
		`{1, {}}`:                   `the list must hold strings only`,
		`true`:                      `attachments must be a list of file paths and URLs, not true`,
		`{"a","b","c","d","e","f","g","h","i","j","k"}`: `at most 10 attachments`,
	} {
		c := startChat(t, newEngine(t, sourceFS(`TALK{text = "x", attachments = `+src+`}`)), "t", nil)
		done, err := c.d.Step(t.Context(), nil)
		if se := scriptError(t, err); !done || !strings.Contains(se.Err.Error(), want) {
			t.Errorf("%s: %v, want %q", src, se.Err, want)
		}
		c.expect() // the host heard nothing
	}
	c := startChat(t, newEngine(t, sourceFS(`TALK{text = "x", attachment = "files/a.png"}`)), "t", nil)
	_, err := c.d.Step(t.Context(), nil)
	if se := scriptError(t, err); !strings.Contains(se.Err.Error(), `unknown option "attachment" (text, attachments)`) {
		t.Errorf("a misspelt option: %v", se.Err)
	}
}

// A file the host cannot send (here: a URL http_allow refuses, a file
// missing from the folder) is an error the script can pcall, worded
// "TALK: …"; uncaught, it ends the run like any script error.
func TestTalkRefused(t *testing.T) {
	t.Parallel()
	c := startChat(t, newEngine(t, sourceFS(`
		local ok, err = pcall(TALK, {text = "sun", attachments = {"https://cdn.example.net/sun.png"}})
		TALK(tostring(ok) .. ": " .. err)
		ok, err = pcall(TALK, {attachments = {"files/none.png"}})
		TALK(err)
		TALK{attachments = {"files/none.png"}}`)), "t", nil)
	c.host.url = func(src string) error { return errors.New("cdn.example.net is not in this bot's http_allow") }
	done, err := c.d.Step(t.Context(), nil)
	if se := scriptError(t, err); !done || se.Line != 6 || se.Err.Error() != "TALK: files/none.png: no such file in the bot's folder" {
		t.Errorf("the uncaught refusal: line %d, %v", se.Line, se.Err)
	}
	c.expect(
		"talk refused: cdn.example.net is not in this bot's http_allow",
		"talk: false: start.lua:2: TALK: cdn.example.net is not in this bot's http_allow",
		"talk refused: files/none.png: no such file in the bot's folder",
		"talk: start.lua:4: TALK: files/none.png: no such file in the bot's folder",
		"talk refused: files/none.png: no such file in the bot's folder",
	)
}

// On disk (Config.Dir), a file of the bot's folder is opened through an
// os.Root of the folder: a link inside the folder is followed, one out of
// it (to another bot's file, or anywhere) is refused, and a folder or a
// missing file is refused by name, without the server's paths.
func TestTalkFilesOnDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFile("t/bot.yaml", []byte("name: T\ndefault: true\n"))
	writeFile("t/files/leaf.png", leafPNG)
	writeFile("other/secret.png", []byte("another bot's"))
	for link, target := range map[string]string{
		"t/files/alias.png":  "leaf.png",
		"t/files/out.png":    "../../other/secret.png",
		"t/files/abs.png":    filepath.Join(dir, "other", "secret.png"),
		"t/files/linkdir":    "../../other",
		"t/files/inner/keep": "../leaf.png",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, link)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	writeFile("t/start.lua", []byte(`
		for _, f in ipairs{"files/leaf.png", "files/alias.png", "files/inner/keep", "files/out.png",
				"files/abs.png", "files/linkdir/secret.png", "files", "files/none.png"} do
			local ok, err = pcall(TALK, {attachments = {f}})
			if not ok then TALK(err) end
		end`))
	writeFile("other/bot.yaml", []byte("name: Other\n"))
	writeFile("other/start.lua", []byte(`TALK "other"`))
	e := newEngine(t, os.DirFS(dir), func(c *dialogs.Config) { c.Dir = dir })
	c := startChat(t, e, "t", nil)
	c.begin(
		"talk:  [files/leaf.png (13 bytes)]",
		"talk:  [files/alias.png (13 bytes)]",
		"talk:  [files/inner/keep (13 bytes)]",
		"talk refused: files/out.png leads out of the bot's folder (a symbolic link)",
		"talk: start.lua:4: TALK: files/out.png leads out of the bot's folder (a symbolic link)",
		"talk refused: files/abs.png leads out of the bot's folder (a symbolic link)",
		"talk: start.lua:4: TALK: files/abs.png leads out of the bot's folder (a symbolic link)",
		"talk refused: files/linkdir/secret.png leads out of the bot's folder (a symbolic link)",
		"talk: start.lua:4: TALK: files/linkdir/secret.png leads out of the bot's folder (a symbolic link)",
		"talk refused: files is not a file",
		"talk: start.lua:4: TALK: files is not a file",
		"talk refused: files/none.png: no such file in the bot's folder",
		"talk: start.lua:4: TALK: files/none.png: no such file in the bot's folder",
	)
	for _, ev := range c.host.take() {
		if strings.Contains(ev, dir) {
			t.Errorf("a server path shown to the script: %s", ev)
		}
	}
}

// Without a directory on disk (an fs.FS: the built-in bots, tests), a
// symbolic link cannot be followed safely, so it is refused.
func TestTalkFilesLinkInFS(t *testing.T) {
	t.Parallel()
	bots := fstest.MapFS{
		"t/bot.yaml":       {Data: []byte("name: T\n")},
		"t/files/leaf.png": {Data: leafPNG},
		"t/files/link.png": {Data: []byte("leaf.png"), Mode: os.ModeSymlink},
		"t/start.lua":      {Data: []byte(`TALK{attachments = {"files/link.png"}}`)},
	}
	c := startChat(t, newEngine(t, bots), "t", nil)
	_, err := c.d.Step(t.Context(), nil)
	want := "TALK: files/link.png: a symbolic link, which is followed only in a bots directory on disk (--bots)"
	if se := scriptError(t, err); se.Err.Error() != want {
		t.Errorf("got %v, want %s", se.Err, want)
	}
}
