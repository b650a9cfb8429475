package runtime

import (
	"image"
	_ "image/gif" // image.DecodeConfig knows the formats registered
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
)

// inspectStd is the Inspector without package uploads: the standard
// library's sniffing (fewer formats than the one cmd wires) and the
// dimensions of PNG, JPEG and GIF images.
func inspectStd(r io.ReadSeeker) (FileType, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return FileType{}, err
	}
	ct, _, _ := mime.ParseMediaType(http.DetectContentType(head[:n]))
	ft := FileType{ContentType: ct}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return FileType{}, err
	}
	if cfg, _, err := image.DecodeConfig(r); err == nil {
		ft.Width, ft.Height = cfg.Width, cfg.Height
	}
	return ft, nil
}
