package inbound

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"

	"parley/runtime"
)

// The files of a multipart request, as rest's POST /api/uploads and
// supportapp's POST /api/v1/chat/media receive them: each part spooled to
// a temporary file, read to at most the limit and one byte more, then
// handed to Hub.Upload, which checks them all before storing any.

// PartFileName is a part's file name as the client sent it. Not
// multipart.Part.FileName, which keeps only the last element of a path:
// a name with a path in it is refused by the runtime, not cleaned.
func PartFileName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// Spool copies one part to a temporary file, reading at most max+1
// bytes: a file over the limit is refused without reading it all. The
// file is the NewFile's Body, for RemoveSpooled to delete, whatever
// Spool answers.
func Spool(part io.Reader, name string, max int64) (runtime.NewFile, error) {
	tmp, err := os.CreateTemp("", "parley-upload-*")
	if err != nil {
		return runtime.NewFile{}, runtime.Wrap(runtime.KindInternal, err, "could not receive the file")
	}
	f := runtime.NewFile{Name: name, Body: tmp}
	n, err := io.Copy(tmp, io.LimitReader(part, max+1))
	f.Size = n
	switch {
	case err != nil:
		return f, BodyError(err, "the upload was cut off")
	case n > max:
		return f, runtime.Errorf(runtime.KindTooLarge, "%s is larger than the limit of %s per file", name, runtime.ByteSize(max))
	}
	return f, nil
}

// RemoveSpooled closes and deletes the temporary files of Spool.
func RemoveSpooled(files []runtime.NewFile) {
	for _, f := range files {
		if tmp, ok := f.Body.(*os.File); ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}
}

// BodyError is a failed read of a request body: too large
// (http.MaxBytesReader's limit), or msg.
func BodyError(err error, msg string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return runtime.Errorf(runtime.KindTooLarge, "the upload is larger than %s in all", runtime.ByteSize(tooBig.Limit))
	}
	return runtime.Wrap(runtime.KindInvalid, err, msg)
}
