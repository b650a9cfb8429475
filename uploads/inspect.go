package uploads

import (
	"image"
	_ "image/gif" // image.DecodeConfig knows the formats registered
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"

	"github.com/gabriel-vasile/mimetype"

	"parley/runtime"
)

// Inspect is a runtime.Inspector: the content type from the file's first
// bytes (mimetype knows some 170 formats: office files, audio and video
// containers, executables, archives), never from its name, and the
// dimensions of PNG, JPEG and GIF images.
func Inspect(r io.ReadSeeker) (runtime.FileType, error) {
	mt, err := mimetype.DetectReader(r)
	if err != nil {
		return runtime.FileType{}, err
	}
	ct, _, err := mime.ParseMediaType(mt.String())
	if err != nil {
		ct = "application/octet-stream"
	}
	ft := runtime.FileType{ContentType: ct}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return runtime.FileType{}, err
	}
	if cfg, _, err := image.DecodeConfig(r); err == nil {
		ft.Width, ft.Height = cfg.Width, cfg.Height
	}
	return ft, nil
}
