package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// A bot's files: TALK{text=…, attachments={…}} sends files of the bot's
// folder, and files from the web, in a message, as a person sends uploads.
//
// Who reads what: the bot's folder is the engine's business (package
// dialogs knows where it is and keeps a script inside it), so a file of
// it comes as a BotFile whose Open reads it; runtime needs no interface
// for it, and still decides when a file is read (live only). A URL is
// fetched here, through the Fetcher under the bot's http_allow, as
// HTTP_GET is. Either way the bytes are checked as a person's upload is
// (checkFile: name, size, type sniffed against the allow-list; a bot has
// no quota) and stored as an upload owned by BotOwner.
//
// Durability: the message, its journal entry and the links of its
// uploads to the conversation (DialogWrite.Uploads) commit together. The
// blobs and upload rows are written before that, live: a crash or a
// failed commit in between leaves uploads never sent, which the sweep
// deletes after Uploads.OrphanTTL. A replay answers from the journal: it
// reads, fetches and stores nothing, and the entry's hash (of the text
// and the files' sources) tells a TALK of other text or other files.

// BotFile is a file a bot sends with TALK.
type BotFile struct {
	// Source is the file as the script named it: a path in the bot's
	// folder ("files/leaf.png") or an http or https URL.
	Source string
	// Name is the upload's file name: the path's (or URL path's) last
	// element.
	Name string
	// Open opens a file of the bot's folder and says its size; nil for a
	// URL. Its error is the script's (a TalkError's message): it names
	// the file, never the server's paths. The host calls it live only,
	// reads the file whole (at most the size limit) and closes it.
	Open func() (io.ReadSeekCloser, int64, error)
}

// TalkError is a TALK whose files could not be sent: a file missing, too
// large or of a type not allowed, a URL refused or failed. Nothing of
// that TALK is sent. It is the script's to handle, and journaled, so that
// a replay fails the same way.
type TalkError struct{ Message string }

func (e *TalkError) Error() string { return e.Message }

// BotOwner is the Owner of bot's uploads.
func BotOwner(bot BotID) string { return "bot:" + string(bot) }

// TalkFiles stores the files, then buffers the message with them like
// any TALK. Its journal entry is talkKey, followed by " " and the
// message of a TalkError when the files could not be sent.
func (h *host) TalkFiles(ctx context.Context, text string, files []BotFile) error {
	r := h.r
	key := talkKey(text, files)
	if r.replaying() {
		e, err := r.take(EntryTalk)
		if err != nil {
			return err
		}
		hash, refused, _ := strings.Cut(e.Value, " ")
		if hash != key {
			return divergence(EntryTalk+" of other text or files", e)
		}
		if refused != "" {
			return &TalkError{Message: refused}
		}
		return nil
	}
	m := &Message{Sender: SenderBot, Content: text, Metadata: automated}
	if len(files) > 0 {
		ups, err := r.storeBotFiles(ctx, files)
		if te := (*TalkError)(nil); errors.As(err, &te) {
			te = refusal(te.Message)
			r.record(JournalEntry{Kind: EntryTalk, Value: key + " " + te.Message})
			return te
		}
		if err != nil {
			return err
		}
		atts := make([]Attachment, len(ups))
		for i, up := range ups {
			atts[i] = AttachmentOf(up)
			r.pending.Uploads = append(r.pending.Uploads, up.ID)
		}
		m.Attachments, _ = json.Marshal(atts) // strings and numbers: cannot fail
	}
	r.record(JournalEntry{Kind: EntryTalk, Value: key})
	r.pending.Messages = append(r.pending.Messages, m)
	r.pending.MessageEntries = append(r.pending.MessageEntries, len(r.pending.Entries)-1)
	r.events = append(r.events, &Event{Type: EventMessage, SessionID: r.c.id, Message: m})
	return r.flushIfStale(ctx)
}

// talkKey is what the journal keeps of a TALK: a hash of its text, and
// of the sources of its files when it has any. A hash has no space.
func talkKey(text string, files []BotFile) string {
	if len(files) == 0 {
		return textHash(text)
	}
	parts := make([]string, 1, 1+len(files))
	parts[0] = text
	for _, f := range files {
		parts = append(parts, f.Source)
	}
	b, _ := json.Marshal(parts) // strings: cannot fail
	return textHash(string(b))
}

// refusal is a TalkError whose message can be journaled: not empty (an
// empty one would read as no error), without the NUL bytes PostgreSQL
// cannot store.
func refusal(msg string) *TalkError {
	msg = strings.ToValidUTF8(strings.ReplaceAll(msg, "\x00", ""), "?")
	if msg == "" {
		msg = "the files could not be sent"
	}
	return &TalkError{Message: msg}
}

// storeBotFiles reads, checks and stores the files of a TALK as uploads
// of the bot, all or none. A file that cannot be sent is a *TalkError.
func (r *runner) storeBotFiles(ctx context.Context, files []BotFile) ([]*Upload, error) {
	hub := r.c.hub
	if len(files) > MaxAttachments {
		return nil, &TalkError{Message: fmt.Sprintf("a message may have at most %d attachments", MaxAttachments)}
	}
	for _, f := range files {
		if f.Open == nil && r.input != nil {
			// As for HTTP: the message this turn answers is stored before
			// a request leaves the server (host_http.go).
			if err := r.flush(ctx); err != nil {
				return nil, err
			}
			break
		}
	}
	owner := BotOwner(r.c.session.BotID)
	nfs := make([]NewFile, 0, len(files))
	ups := make([]*Upload, len(files))
	for i, f := range files {
		nf, err := r.readBotFile(ctx, f)
		if err != nil {
			return nil, err
		}
		nfs = append(nfs, nf)
		if ups[i], err = hub.checkFile(owner, nf); err != nil {
			msg := err.Error()
			if e := (*Error)(nil); errors.As(err, &e) {
				msg = e.Message // what is wrong with the file, without the kind
			}
			return nil, &TalkError{Message: msg}
		}
	}
	if err := hub.putUploads(ctx, ups, nfs); err != nil {
		return nil, err // the server's failure, not the script's
	}
	return ups, nil
}

// readBotFile reads a file of the bot's folder, or fetches a URL, whole,
// at most the upload size limit (a file over it is read no further:
// checkFile refuses it by its size). The bytes are in memory, so that the
// size the blob store is told is the size of what it gets, even if the
// file changes meanwhile.
func (r *runner) readBotFile(ctx context.Context, f BotFile) (NewFile, error) {
	hub := r.c.hub
	limit := hub.cfg.Uploads.MaxSize
	if f.Open != nil {
		body, size, err := f.Open()
		if err != nil {
			return NewFile{}, &TalkError{Message: err.Error()}
		}
		defer body.Close()
		if size > limit {
			return NewFile{Name: f.Name, Body: bytes.NewReader(nil), Size: size}, nil
		}
		data, err := io.ReadAll(io.LimitReader(body, limit+1))
		if err != nil {
			return NewFile{}, &TalkError{Message: fmt.Sprintf("%s could not be read", f.Source)}
		}
		return NewFile{Name: f.Name, Body: bytes.NewReader(data), Size: int64(len(data))}, nil
	}
	req := HTTPRequest{Method: http.MethodGet, URL: f.Source, MaxBody: limit}
	resp, err := hub.cfg.HTTP.Fetch(ctx, r.httpAllow(), req)
	if he := (*HTTPError)(nil); errors.As(err, &he) {
		return NewFile{}, &TalkError{Message: he.Message}
	}
	if err != nil {
		return NewFile{}, err // the run was stopped
	}
	if resp.Status < 200 || resp.Status > 299 {
		host := "the server"
		if u, err := url.Parse(f.Source); err == nil {
			host = u.Host // never the whole URL, which may hold a key
		}
		return NewFile{}, &TalkError{Message: fmt.Sprintf("%s answered %d", host, resp.Status)}
	}
	return NewFile{Name: f.Name, Body: strings.NewReader(resp.Body), Size: int64(len(resp.Body))}, nil
}
