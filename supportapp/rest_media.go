package supportapp

import (
	"io"
	"net/http"

	"parley/inbound"
	"parley/runtime"
)

// POST /media: multipart/form-data with up to the hub's MaxFiles (5)
// parts named "media", each at most its MaxSize (10 MB), and a field
// "type" (image, audio or video) that every file's bytes must agree
// with. The files go through runtime.Hub.Upload, all or none, as /api's
// uploads do; a message sends them with mediaId.

// uploadOverhead is what a multipart body may carry beyond its files.
const uploadOverhead = 1 << 20

// mediaTypes are the values of the "type" field.
var mediaTypes = map[string]bool{TypeImage: true, TypeAudio: true, TypeVideo: true}

func (a *REST) postMedia(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	lim := a.hub.UploadLimits()
	r.Body = http.MaxBytesReader(w, r.Body, int64(lim.MaxFiles)*lim.MaxSize+uploadOverhead)
	kind, files, err := readMedia(r, lim)
	defer inbound.RemoveSpooled(files)
	if err != nil {
		return err
	}
	switch {
	case kind == "":
		return runtime.Errorf(runtime.KindInvalid, "the field \"type\" is required: image, audio or video")
	case !mediaTypes[kind]:
		return runtime.Errorf(runtime.KindInvalid, "type must be image, audio or video, not %q", kind)
	case len(files) == 0:
		return runtime.Errorf(runtime.KindInvalid, "send at least one file, as a part named \"media\"")
	}
	for i := range files {
		files[i].Kind = kind
	}
	ups, err := a.hub.Upload(r.Context(), id, files)
	if err != nil {
		return err
	}
	out := make([]Media, len(ups))
	for i, up := range ups {
		out[i] = MediaOfUpload(up)
	}
	reply(w, http.StatusCreated, "Media uploaded", out)
	return nil
}

// readMedia reads the multipart body part by part: the "type" field and
// each "media" file, spooled to a temporary file with its size bounded.
// The files read so far are returned even with an error, for removal.
func readMedia(r *http.Request, lim runtime.UploadLimits) (kind string, files []runtime.NewFile, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, runtime.Errorf(runtime.KindInvalid, "send the files as multipart/form-data, parts named \"media\", with a field \"type\"")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return kind, files, nil
		}
		if err != nil {
			return kind, files, inbound.BodyError(err, "the multipart body is malformed")
		}
		switch part.FormName() {
		case "type":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return kind, files, inbound.BodyError(err, "the multipart body is malformed")
			}
			kind = string(b)
		case "media":
			if len(files) == lim.MaxFiles {
				return kind, files, runtime.Errorf(runtime.KindInvalid, "at most %d files per upload", lim.MaxFiles)
			}
			f, err := inbound.Spool(part, inbound.PartFileName(part.Header.Get("Content-Disposition")), lim.MaxSize)
			if f.Body != nil {
				files = append(files, f)
			}
			if err != nil {
				return kind, files, err
			}
		default:
			return kind, files, runtime.Errorf(runtime.KindInvalid, "unknown part %q: send files as \"media\" and their kind as \"type\"", part.FormName())
		}
	}
}
