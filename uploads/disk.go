package uploads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"parley/runtime"
)

// Disk keeps blobs as files under a directory, content-addressed: the
// blob of key "abcdef…" is DIR/ab/abcdef…. Keys are hex digests made by
// the runtime, and Disk refuses anything else, so a key never reaches
// the file system as a path of someone's choosing.
//
// Several nodes may share one directory (a network file system): a blob
// is written to a temporary file and renamed into place, so a reader sees
// it whole or not at all.
type Disk struct {
	dir string
}

// NewDisk returns the store under dir, creating it.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("uploads: %w", err)
	}
	return &Disk{dir: dir}, nil
}

// Dir is the directory the blobs are in.
func (d *Disk) Dir() string { return d.dir }

// Path is where the blob of key is (or would be) kept.
func (d *Disk) Path(key string) (string, error) {
	if !runtime.ValidBlobKey(key) {
		return "", fmt.Errorf("uploads: %q is not a blob key", key)
	}
	return filepath.Join(d.dir, key[:2], key), nil
}

// Put writes r's bytes as the blob of key. With size ≥ 0, a blob of
// another size is refused: a short read never lands under a key.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	p, err := d.Path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(d.dir, "tmp"), "put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	n, err := io.Copy(tmp, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("uploads: read %d bytes of a blob of %d", n, size)
	}
	if err != nil {
		tmp.Close()
		return err
	}
	// Synced before the rename: an upload acknowledged is on disk.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Open returns the blob of key, or an error of runtime.KindNotFound.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := d.Path(key)
	if err != nil {
		return nil, runtime.Errorf(runtime.KindNotFound, "no such file")
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, runtime.Errorf(runtime.KindNotFound, "no such file")
	}
	return f, err
}

// Delete removes the blob of key; a missing one is not an error.
func (d *Disk) Delete(ctx context.Context, key string) error {
	p, err := d.Path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
