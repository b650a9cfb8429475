package runtime

import (
	"context"
	"io"
	"time"
)

// Files people and bots send in conversations (protocol §6,
// docs/uploads.md). An upload is a row that names a blob: the bytes,
// stored once per content under the SHA-256 of the content (BlobStore).
// It belongs to its uploader until it is sent in a message; from then on
// the members of every conversation it was sent in may read it too
// (UploadStore.LinkUploads). The way in is Hub.Upload (upload_store.go),
// the way out Hub.OpenUpload (upload_open.go); messages carry them
// through attachmentsOf (upload_attach.go), and the sweep removes what
// nobody can reach any more (upload_sweep.go).

// Upload is one stored file.
type Upload struct {
	ID string
	// Owner is who uploaded it: a user id, "anon:<session id>" for a
	// visitor (their conversation's UserID), "bot:<slug>" for a bot.
	Owner       string
	Name        string // the client's file name, checked (validName), never a path
	ContentType string // sniffed from the bytes, never the client's
	Kind        string // one of the Attachment* kinds, from ContentType
	Size        int64
	SHA256      string // hex; the blob's key
	Width       int    // of an image, when its header says (0: unknown)
	Height      int
	CreatedAt   time.Time
}

// The kinds of attachment, the `kind` clients render by.
const (
	AttachmentImage = "image"
	AttachmentAudio = "audio"
	AttachmentVideo = "video"
	AttachmentFile  = "file"
)

// UploadURL is where an upload is read: GET on it, with the caller's
// credentials.
func UploadURL(id string) string { return "/api/uploads/" + id }

// UploadStore keeps the rows of uploads and where they were sent.
type UploadStore interface {
	// CreateUploads inserts ups in one transaction.
	CreateUploads(ctx context.Context, ups []*Upload) error
	// FindUploads returns the uploads among ids that exist, in no order.
	FindUploads(ctx context.Context, ids []string) ([]*Upload, error)
	// UploadBytes is the total size of owner's uploads: the quota's use.
	UploadBytes(ctx context.Context, owner string) (int64, error)
	// LinkUploads records that ids were sent in conversation sid; linking
	// twice is harmless. A linked upload is no longer an orphan.
	LinkUploads(ctx context.Context, sid SessionID, ids []string) error
	// UploadSessions lists the conversations upload id was sent in.
	UploadSessions(ctx context.Context, id string) ([]SessionID, error)
	// DeleteOrphanUploads deletes the uploads nobody can reach any more:
	// those never sent and created before cutoff, and those sent whose
	// conversations are all gone. It returns the SHA-256 of the deleted
	// uploads that no remaining upload shares: blobs to delete.
	DeleteOrphanUploads(ctx context.Context, cutoff time.Time) ([]string, error)
}

// BlobStore keeps the bytes of uploads under their key (the hex SHA-256
// of the content). Package uploads has the one on disk, package
// uploads/s3 one on an S3-compatible object store.
type BlobStore interface {
	// Put stores r's bytes under key, replacing what is there (the same
	// bytes); a reader sees either nothing or the whole blob. size is the
	// number of bytes r yields, -1 if unknown: a store refuses a blob of
	// another size, and a remote one streams a known size rather than
	// buffering the parts of a stream of unknown length.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open returns the blob, or an error of KindNotFound.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Delete removes the blob; a missing one is not an error.
	Delete(ctx context.Context, key string) error
}

// ValidBlobKey reports whether key is a blob key: a hex SHA-256 in lower
// case, 64 characters. Stores refuse anything else, so a key never
// reaches a file system or a bucket as a name of someone's choosing.
func ValidBlobKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for _, c := range key {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// FileType is what the bytes of a file say it is.
type FileType struct {
	ContentType string // a MIME type without parameters, e.g. "image/png"
	Width       int    // of an image, when known
	Height      int
}

// Inspector reads a file's type from its bytes (never from its name).
// Package uploads has one that knows many formats; without one the hub
// uses the standard library's (inspect.go).
type Inspector func(r io.ReadSeeker) (FileType, error)

// UploadLimits bound what one caller may store.
type UploadLimits struct {
	MaxFiles int   // per request (default 5)
	MaxSize  int64 // per file, in bytes (default 10 MB)
	// Quota is the most bytes one owner may keep (default 1 GB; < 0:
	// no quota).
	Quota int64
	// Types are the content types allowed, exact ("application/pdf") or
	// by family ("audio/*"); default DefaultUploadTypes.
	Types []string
	// OrphanTTL is how long an upload never sent is kept (default 24h).
	OrphanTTL time.Duration
}

// DefaultUploadTypes are the types allowed by default: images a browser
// shows (not SVG, which can carry script), audio, video and PDF.
var DefaultUploadTypes = []string{
	"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/heic", "image/heif",
	"audio/*", "video/*", "application/pdf",
}

// MaxAttachments bounds the attachments of one message.
const MaxAttachments = 10

func (l UploadLimits) withDefaults() UploadLimits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = 5
	}
	if l.MaxSize <= 0 {
		l.MaxSize = 10 << 20
	}
	if l.Quota == 0 {
		l.Quota = 1 << 30
	}
	if len(l.Types) == 0 {
		l.Types = DefaultUploadTypes
	}
	if l.OrphanTTL <= 0 {
		l.OrphanTTL = 24 * time.Hour
	}
	return l
}

// UploadLimits returns the limits in force, for transports to bound what
// they read before handing files to Upload.
func (h *Hub) UploadLimits() UploadLimits { return h.cfg.Uploads }

// noBlobs is the BlobStore of a hub configured without one: it keeps
// nothing, so every upload is refused.
type noBlobs struct{}

func (noBlobs) Put(context.Context, string, io.Reader, int64) error {
	return Errorf(KindUnavailable, "this server does not store files")
}
func (noBlobs) Open(context.Context, string) (io.ReadSeekCloser, error) {
	return nil, Errorf(KindNotFound, "no such file")
}
func (noBlobs) Delete(context.Context, string) error { return nil }
