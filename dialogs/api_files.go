package dialogs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"

	lua "github.com/yuin/gopher-lua"

	"parley/runtime"
)

// Files in conversations. HEAR{as="image"|"audio"|"video"|"file"} and
// ATTACHMENTS() give a script what the user sent: the message's
// runtime.Attachment objects, as tables. TALK{text=…, attachments={…}}
// sends files of the bot's folder or of http_allow'd URLs: the script's
// names are checked here, the same way in every run, and the host stores
// the files as the bot's uploads (runtime/host_talk.go).
//
// Reading a file of the bot's folder is this package's job, since only
// the engine knows where the folder is (Config.Dir, Config.Bots); it is
// handed to the host as BotFile.Open, which the host calls only live, so
// a replay reads nothing and runtime needs no interface of its own for
// bot folders. Fetching a URL is the host's, through its Fetcher.

// pickAttachment returns the first attachment of raw (a message's
// attachments, as stored) of kind, or of any kind for as="file".
func pickAttachment(kind answerKind, raw json.RawMessage) (any, bool) {
	for _, a := range decodeAttachments(raw) {
		if kind == asFile || a.Kind == string(kind) {
			return a, true
		}
	}
	return nil, false
}

func decodeAttachments(raw json.RawMessage) []runtime.Attachment {
	if len(raw) == 0 {
		return nil
	}
	var list []runtime.Attachment
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return list
}

// attachmentTable is a as a script sees it: {id, name, content_type,
// size, url, kind, width, height}, the last two only for an image whose
// size is known. Keys are set in this order, so pairs() walks them so.
func attachmentTable(L *lua.LState, a runtime.Attachment) *lua.LTable {
	t := L.CreateTable(0, 8)
	t.RawSetString("id", lua.LString(a.ID))
	t.RawSetString("name", lua.LString(a.Name))
	t.RawSetString("content_type", lua.LString(a.ContentType))
	t.RawSetString("size", lua.LNumber(a.Size))
	t.RawSetString("url", lua.LString(a.URL))
	t.RawSetString("kind", lua.LString(a.Kind))
	if a.Width > 0 && a.Height > 0 {
		t.RawSetString("width", lua.LNumber(a.Width))
		t.RawSetString("height", lua.LNumber(a.Height))
	}
	return t
}

// ATTACHMENTS() → list: the attachments of the message HEAR (or MENU)
// took last, each a table as HEAR{as="file"} returns; {} for none.
func luaAttachments(L *lua.LState) int {
	th := threadOf(L)
	t := L.NewTable()
	if th.heard != nil {
		for _, a := range decodeAttachments(th.heard.Attachments) {
			t.Append(attachmentTable(L, a))
		}
	}
	L.Push(t)
	return 1
}

// checkTalkTable reads TALK's table: text (optional) and attachments, a
// list of paths in the bot's folder and http(s) URLs, or one of them.
func checkTalkTable(L *lua.LState, th *thread, t *lua.LTable) (string, []runtime.BotFile) {
	var text string
	var sources []string
	eachInOrder(t, func(k, v lua.LValue) {
		switch k {
		case lua.LString("text"):
			switch v := v.(type) {
			case lua.LString, lua.LNumber:
				text = lua.LVAsString(v)
			default:
				L.ArgError(1, "text must be a string, not "+describe(v))
			}
		case lua.LString("attachments"):
			switch v := v.(type) {
			case lua.LString:
				sources = []string{string(v)}
			case *lua.LTable:
				sources = checkStrings(L, 1, v)
			default:
				L.ArgError(1, "attachments must be a list of file paths and URLs, not "+describe(v))
			}
		default:
			L.ArgError(1, fmt.Sprintf("unknown option %s (text, attachments)", describe(k)))
		}
	})
	if len(sources) > runtime.MaxAttachments {
		L.ArgError(1, fmt.Sprintf("at most %d attachments", runtime.MaxAttachments))
	}
	files := make([]runtime.BotFile, len(sources))
	for i, src := range sources {
		f, err := th.d.botFile(src)
		if err != nil {
			L.RaiseError("TALK: %v", err)
		}
		files[i] = f
	}
	return text, files
}

// maxSource bounds an attachment's path or URL (outbound's URL limit).
const maxSource = 4 << 10

// botFile checks one of TALK's attachments by its name alone: an http or
// https URL, or a path inside the bot's folder (relative, no "..", no
// empty or "." element). Whether the file exists is Open's to find out,
// live.
func (d *dialog) botFile(src string) (runtime.BotFile, error) {
	switch {
	case src == "":
		return runtime.BotFile{}, errors.New("an attachment is an empty string: name a file of the bot's folder, like \"files/photo.png\", or an https URL")
	case len(src) > maxSource:
		return runtime.BotFile{}, fmt.Errorf("an attachment is longer than %d bytes", maxSource)
	case strings.IndexFunc(src, unicode.IsControl) >= 0:
		return runtime.BotFile{}, errors.New("an attachment has control characters")
	}
	if scheme, _, ok := strings.Cut(src, "://"); ok {
		if s := strings.ToLower(scheme); s != "http" && s != "https" {
			return runtime.BotFile{}, fmt.Errorf("attachment %q: only files of the bot's folder and http or https URLs can be sent", scheme+"://…")
		}
		u, err := url.Parse(src)
		if err != nil || u.Host == "" {
			return runtime.BotFile{}, errors.New("an attachment URL is not valid") // not quoted: it may hold a key
		}
		return runtime.BotFile{Source: src, Name: fileName(path.Base(u.Path))}, nil
	}
	switch {
	case strings.HasPrefix(src, "/") || strings.ContainsRune(src, '\\') || filepath.IsAbs(src) || filepath.VolumeName(src) != "":
		return runtime.BotFile{}, fmt.Errorf("attachment %q: name a file inside the bot's folder with a relative path, like \"files/photo.png\"", src)
	case src == ".." || strings.HasPrefix(src, "../") || strings.HasSuffix(src, "/..") || strings.Contains(src, "/../"):
		return runtime.BotFile{}, fmt.Errorf("attachment %q: \"..\" leads out of the bot's folder; name a file inside it, like \"files/photo.png\"", src)
	case !fs.ValidPath(src) || src == ".":
		return runtime.BotFile{}, fmt.Errorf("attachment %q is not a clean path (no empty or \".\" elements, no trailing slash), like \"files/photo.png\"", src)
	}
	e, bot := d.eng, d.session.BotID
	return runtime.BotFile{Source: src, Name: fileName(path.Base(src)), Open: func() (io.ReadSeekCloser, int64, error) {
		return e.openBotFile(bot, src)
	}}, nil
}

// fileName is the upload name of a file named base: base itself when the
// runtime takes it as a name, else "file".
func fileName(base string) string {
	if base == "" || base == "." || base == "/" || base == ".." || len(base) > runtime.MaxFileNameLen ||
		strings.ContainsAny(base, `/\`) || strings.IndexFunc(base, unicode.IsControl) >= 0 {
		return "file"
	}
	return base
}

// openBotFile opens name (a checked path) in bot's folder, for the host.
// With the folder on disk (Config.Dir), it is opened through an os.Root
// of the folder: symbolic links are followed inside it and refused out of
// it, checked by the kernel's view of each step, not by a guess from
// names. An fs.FS cannot say where a link leads, so there links are
// refused. The errors name the file as the script did, never a path of
// the server.
func (e *Engine) openBotFile(bot runtime.BotID, name string) (io.ReadSeekCloser, int64, error) {
	if e.cfg.Dir != "" {
		root, err := os.OpenRoot(filepath.Join(e.cfg.Dir, string(bot)))
		if err != nil {
			return nil, 0, botFileError(name, err)
		}
		defer root.Close() // the file opened stays open
		fi, err := root.Stat(name)
		if err != nil {
			return nil, 0, botFileError(name, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, 0, fmt.Errorf("%s is not a file", name) // a folder, a device: never opened (a FIFO would block)
		}
		f, err := root.Open(name)
		if err != nil {
			return nil, 0, botFileError(name, err)
		}
		return f, fi.Size(), nil
	}
	full := path.Join(string(bot), name)
	for p := full; p != string(bot) && p != "."; p = path.Dir(p) {
		if fi, err := fs.Lstat(e.cfg.Bots, p); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, 0, fmt.Errorf("%s: a symbolic link, which is followed only in a bots directory on disk (--bots)", name)
		}
	}
	fi, err := fs.Stat(e.cfg.Bots, full)
	if err != nil {
		return nil, 0, botFileError(name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s is not a file", name)
	}
	f, err := e.cfg.Bots.Open(full)
	if err != nil {
		return nil, 0, botFileError(name, err)
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		f.Close()
		return nil, 0, fmt.Errorf("%s cannot be read from this bots directory", name)
	}
	return readSeekCloser{rs, f}, fi.Size(), nil
}

type readSeekCloser struct {
	io.ReadSeeker
	io.Closer
}

// botFileError words a failure to open a bot's file without the server's
// path, which an *fs.PathError (and os.Root's errors) would show.
func botFileError(name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such file in the bot's folder", name)
	}
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err
	}
	if strings.Contains(err.Error(), "escapes") { // os.Root: a link out of the folder
		return fmt.Errorf("%s leads out of the bot's folder (a symbolic link)", name)
	}
	return fmt.Errorf("%s cannot be read: %v", name, err)
}
