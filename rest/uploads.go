package rest

import (
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"parley/inbound"
	"parley/runtime"
)

// Files (protocol §6, docs/uploads.md). POST /api/uploads reads the
// multipart body part by part, spooling each file to a temporary file
// with its size bounded, and hands them all to runtime.Hub.Upload, which
// checks them and stores all or none. GET /api/uploads/{id} serves one to
// those the runtime lets see it.

// uploadOverhead is what a multipart body may carry beyond its files:
// part headers and boundaries.
const uploadOverhead = 1 << 20

// uploadIdentity is who uploads or reads a file: the caller's credentials,
// or for a visitor (none) their conversation's session_id and
// resume_token in the query (a browser's <img> and <audio> send no
// headers of their own).
func (h *Handler) uploadIdentity(r *http.Request) (runtime.Identity, error) {
	id, err := h.identify(r)
	if err != nil || !id.Anonymous {
		return id, err
	}
	q := r.URL.Query()
	sid, token := q.Get("session_id"), q.Get("resume_token")
	if sid == "" && token == "" {
		return id, runtime.Errorf(runtime.KindUnauthorized, "send \"Authorization: Bearer <JWT>\" or \"X-API-Key\", or, as a visitor, ?session_id=…&resume_token=…")
	}
	return h.hub.Visitor(r.Context(), runtime.SessionID(sid), token, id.IP)
}

func (h *Handler) postUploads(w http.ResponseWriter, r *http.Request) {
	id, err := h.uploadIdentity(r)
	if err == nil {
		err = h.upload(w, r, id)
	}
	if err != nil {
		writeError(w, h.log, err)
	}
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	lim := h.hub.UploadLimits()
	r.Body = http.MaxBytesReader(w, r.Body, int64(lim.MaxFiles)*lim.MaxSize+uploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return runtime.Errorf(runtime.KindInvalid, "send the files as multipart/form-data, one part named \"files\" per file")
	}
	var files []runtime.NewFile
	defer func() { inbound.RemoveSpooled(files) }()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return inbound.BodyError(err, "the multipart body is malformed")
		}
		if part.FormName() != "files" {
			return runtime.Errorf(runtime.KindInvalid, "unknown part %q: send each file as a part named \"files\"", part.FormName())
		}
		if len(files) == lim.MaxFiles {
			return runtime.Errorf(runtime.KindInvalid, "at most %d files per upload", lim.MaxFiles)
		}
		f, err := inbound.Spool(part, inbound.PartFileName(part.Header.Get("Content-Disposition")), lim.MaxSize)
		if f.Body != nil {
			files = append(files, f)
		}
		if err != nil {
			return err
		}
	}
	ups, err := h.hub.Upload(r.Context(), id, files)
	if err != nil {
		return err
	}
	out := make([]runtime.Attachment, len(ups))
	for i, up := range ups {
		out[i] = runtime.AttachmentOf(up)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"attachments": out})
	return nil
}

func (h *Handler) getUpload(w http.ResponseWriter, r *http.Request) {
	id, err := h.uploadIdentity(r)
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	up, blob, err := h.hub.OpenUpload(r.Context(), id, r.PathValue("id"))
	if err != nil {
		writeError(w, h.log, err)
		return
	}
	defer blob.Close()
	hd := w.Header()
	hd.Set("Content-Type", up.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	// Nothing served here may run: a file opened on its own is a
	// sandboxed document with no script, even if a browser would render it.
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
	hd.Set("Content-Disposition", disposition(up))
	// The bytes of an id never change; who may read them can, so only
	// the browser keeps them, and revalidates after a day.
	hd.Set("Cache-Control", "private, max-age=86400")
	hd.Set("ETag", `"`+up.SHA256+`"`)
	http.ServeContent(w, r, "", up.CreatedAt.Truncate(time.Second), blob) // ranges, If-None-Match
}

// disposition shows images, audio and video in place and offers anything
// else (PDFs, SVG) as a download, with the upload's own name.
func disposition(up *runtime.Upload) string {
	kind := "attachment"
	if up.Kind != runtime.AttachmentFile {
		kind = "inline"
	}
	if d := mime.FormatMediaType(kind, map[string]string{"filename": up.Name}); d != "" {
		return d
	}
	return kind + `; filename="` + strings.Map(asciiOnly, up.Name) + `"`
}

// asciiOnly keeps the printable ASCII of a name that FormatMediaType
// could not encode, dropping quotes.
func asciiOnly(r rune) rune {
	if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
		return -1
	}
	return r
}
