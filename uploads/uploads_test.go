package uploads_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/runtime"
	"parley/uploads"
)

func key(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestDisk(t *testing.T) {
	ctx := context.Background()
	d, err := uploads.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("a leaf with spots")
	k := key(data)
	if _, err := d.Open(ctx, k); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Fatalf("Open before Put: %v; want not_found", err)
	}
	for range 2 { // putting the same blob twice is harmless
		if err := d.Put(ctx, k, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}
	f, err := d.Open(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %q", got)
	}
	if p, _ := d.Path(k); filepath.Dir(p) != filepath.Join(d.Dir(), k[:2]) {
		t.Errorf("blob at %s", p)
	}
	if left, _ := os.ReadDir(filepath.Join(d.Dir(), "tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if err := d.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, k); err != nil {
		t.Fatalf("deleting a missing blob: %v", err)
	}
	if _, err := d.Open(ctx, k); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Fatalf("Open after Delete: %v", err)
	}
}

// A blob of another size than Put was told is refused and not stored (a
// short read must not land under the key of the whole content); -1 is a
// size not known.
func TestDiskChecksSize(t *testing.T) {
	ctx := context.Background()
	d, _ := uploads.NewDisk(t.TempDir())
	data := []byte("a leaf with spots")
	k := key(data)
	for _, size := range []int64{int64(len(data)) + 1, int64(len(data)) - 1} {
		if err := d.Put(ctx, k, bytes.NewReader(data), size); err == nil {
			t.Errorf("Put of %d bytes as %d accepted", len(data), size)
		}
		if _, err := d.Open(ctx, k); !runtime.IsKind(err, runtime.KindNotFound) {
			t.Fatalf("a refused Put left a blob: %v", err)
		}
	}
	if err := d.Put(ctx, k, bytes.NewReader(data), -1); err != nil {
		t.Fatalf("Put of an unknown size: %v", err)
	}
	if f, err := d.Open(ctx, k); err != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	if left, _ := os.ReadDir(filepath.Join(d.Dir(), "tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A key is a hex digest and nothing else: never a path.
func TestDiskRefusesKeysThatAreNotDigests(t *testing.T) {
	ctx := context.Background()
	d, _ := uploads.NewDisk(t.TempDir())
	for _, k := range []string{"", "../../etc/passwd", strings.Repeat("g", 64), strings.Repeat("A", 64), strings.Repeat("a", 63), "aa/" + strings.Repeat("a", 61)} {
		if err := d.Put(ctx, k, strings.NewReader("x"), 1); err == nil {
			t.Errorf("Put(%q) accepted", k)
		}
		if _, err := d.Open(ctx, k); !runtime.IsKind(err, runtime.KindNotFound) {
			t.Errorf("Open(%q): %v", k, err)
		}
		if err := d.Delete(ctx, k); err == nil {
			t.Errorf("Delete(%q) accepted", k)
		}
	}
}

func TestInspect(t *testing.T) {
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 7, 5)))
	for _, tc := range []struct {
		name string
		data []byte
		ct   string
		w, h int
	}{
		{"png", pngBuf.Bytes(), "image/png", 7, 5},
		{"pdf", []byte("%PDF-1.7\n%%EOF\n"), "application/pdf", 0, 0},
		{"elf", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...), "application/x-elf", 0, 0},
		{"text", []byte("hello"), "text/plain", 0, 0},
		{"wav", append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), make([]byte, 64)...), "audio/wav", 0, 0},
	} {
		ft, err := uploads.Inspect(bytes.NewReader(tc.data))
		if err != nil || ft.ContentType != tc.ct || ft.Width != tc.w || ft.Height != tc.h {
			t.Errorf("%s: %+v %v; want %s %dx%d", tc.name, ft, err, tc.ct, tc.w, tc.h)
		}
	}
}
