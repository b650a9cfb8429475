package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NewFile is a file a transport has read in full (spooled to disk or
// memory) and hands to Upload.
type NewFile struct {
	Name string
	Body io.ReadSeeker
	Size int64
	// Kind, when set, is the attachment kind the client says the file
	// is (image, audio, …): one whose bytes say otherwise is refused
	// (KindUnsupported) before anything is stored.
	Kind string
}

// Upload stores the files of one request for id, all or none: each is
// checked first (its name, its size, its type sniffed from its bytes
// against the allow-list, the owner's quota), and only then are blobs and
// rows written. A visitor (anonymous) uploads for their conversation: id
// comes from Visitor.
func (h *Hub) Upload(ctx context.Context, id Identity, files []NewFile) ([]*Upload, error) {
	lim := h.cfg.Uploads
	owner := id.UserID
	if owner == "" {
		return nil, Errorf(KindUnauthorized, "sign in, or name your conversation with session_id and resume_token")
	}
	switch {
	case len(files) == 0:
		return nil, Errorf(KindInvalid, "send at least one file, as a multipart part named \"files\"")
	case len(files) > lim.MaxFiles:
		return nil, Errorf(KindInvalid, "at most %d files per upload", lim.MaxFiles)
	}
	if err := h.allow(BucketMessages, id); err != nil {
		return nil, err
	}
	ups := make([]*Upload, len(files))
	var total int64
	for i, f := range files {
		up, err := h.checkFile(owner, f)
		if err != nil {
			return nil, err
		}
		ups[i], total = up, total+up.Size
	}
	if lim.Quota > 0 {
		used, err := h.store.UploadBytes(ctx, owner)
		if err != nil {
			return nil, err
		}
		if used+total > lim.Quota {
			return nil, Errorf(KindQuota, "this upload would take your files to %s, over your quota of %s; files of conversations you delete are freed", ByteSize(used+total), ByteSize(lim.Quota))
		}
	}
	if err := h.putUploads(ctx, ups, files); err != nil {
		return nil, err
	}
	return ups, nil
}

// putUploads writes the blobs of files, then the rows ups that checkFile
// made of them, in one transaction.
func (h *Hub) putUploads(ctx context.Context, ups []*Upload, files []NewFile) error {
	h.blobMu.RLock() // the sweep deletes blobs nobody references: not these (upload_sweep.go)
	defer h.blobMu.RUnlock()
	for i, f := range files {
		if _, err := f.Body.Seek(0, io.SeekStart); err != nil {
			return Wrap(KindInternal, err, "could not read the upload")
		}
		if err := h.cfg.Blobs.Put(ctx, ups[i].SHA256, f.Body, ups[i].Size); err != nil {
			return Wrap(KindUnavailable, err, "could not store the file; try again")
		}
	}
	// On failure the blobs just written stay: they may be shared with
	// uploads that exist. One no row names is never swept (the sweep
	// deletes blobs of deleted rows only): a known leak, on a failed
	// insert after a successful write.
	return h.store.CreateUploads(ctx, ups)
}

// checkFile checks one file and returns its upload row, not stored yet.
func (h *Hub) checkFile(owner string, f NewFile) (*Upload, error) {
	lim := h.cfg.Uploads
	if err := validName(f.Name); err != nil {
		return nil, err
	}
	if f.Size > lim.MaxSize {
		return nil, Errorf(KindTooLarge, "%s is %s; the limit is %s per file", f.Name, ByteSize(f.Size), ByteSize(lim.MaxSize))
	}
	if f.Size == 0 {
		return nil, Errorf(KindInvalid, "%s is empty", f.Name)
	}
	if _, err := f.Body.Seek(0, io.SeekStart); err != nil {
		return nil, Wrap(KindInternal, err, "could not read the upload")
	}
	ft, err := h.cfg.Inspect(f.Body)
	if err != nil {
		return nil, Wrap(KindInternal, err, "could not read the upload")
	}
	if !typeAllowed(ft.ContentType, lim.Types) {
		return nil, Errorf(KindUnsupported, "%s is %s, which is not allowed here (allowed: %s)", f.Name, ft.ContentType, strings.Join(lim.Types, ", "))
	}
	if f.Kind != "" && kindOf(ft.ContentType) != f.Kind {
		return nil, Errorf(KindUnsupported, "%s is %s, not %s", f.Name, ft.ContentType, f.Kind)
	}
	if _, err := f.Body.Seek(0, io.SeekStart); err != nil {
		return nil, Wrap(KindInternal, err, "could not read the upload")
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, f.Body); err != nil {
		return nil, Wrap(KindInternal, err, "could not read the upload")
	}
	return &Upload{
		ID: NewID(), Owner: owner, Name: f.Name, ContentType: ft.ContentType, Kind: kindOf(ft.ContentType),
		Size: f.Size, SHA256: hex.EncodeToString(sum.Sum(nil)), Width: ft.Width, Height: ft.Height,
		CreatedAt: h.now().UTC(),
	}, nil
}

// MaxFileNameLen bounds an upload's name, in bytes.
const MaxFileNameLen = 255

// validName refuses names that are not a plain file name: a path (any
// slash or backslash), "." or "..", control characters, or too long. A
// name is only ever shown and offered as the download's name; refusing
// rather than cleaning it tells a client that sent a path what happened.
func validName(name string) error {
	switch {
	case name == "":
		return Errorf(KindInvalid, "each file needs a file name (the part's filename)")
	case len(name) > MaxFileNameLen:
		return Errorf(KindInvalid, "a file name is longer than %d bytes", MaxFileNameLen)
	case !utf8.ValidString(name):
		return Errorf(KindInvalid, "a file name is not valid UTF-8")
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return Errorf(KindInvalid, "file name %q is a path; send the file's name alone", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return Errorf(KindInvalid, "file name %q has control characters", name)
	}
	return nil
}

// typeAllowed matches ct against the allow-list's exact types and
// families ("audio/*").
func typeAllowed(ct string, types []string) bool {
	for _, t := range types {
		if ok, _ := path.Match(t, ct); ok || t == ct {
			return true
		}
	}
	return false
}

// kindOf is the attachment kind of a content type. SVG is a file: it
// can carry script, so it is never shown inline.
func kindOf(ct string) string {
	family, _, _ := strings.Cut(ct, "/")
	switch {
	case ct == "image/svg+xml":
		return AttachmentFile
	case family == "image":
		return AttachmentImage
	case family == "audio":
		return AttachmentAudio
	case family == "video":
		return AttachmentVideo
	}
	return AttachmentFile
}

// ByteSize writes n for people: "10 MB", "1.5 MB", "512 KB", "12 bytes".
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
