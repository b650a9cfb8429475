package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"parley/runtime"
)

// decode reads a JSON request body into v. A body over the limit is
// too_large; anything else that is not one JSON object is invalid_request.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body) // bounded by http.MaxBytesReader
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return runtime.Errorf(runtime.KindTooLarge, "the request body is larger than %d bytes", tooBig.Limit)
	}
	if err != nil {
		return runtime.Errorf(runtime.KindInvalid, "the body could not be read: %v", err)
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return runtime.Errorf(runtime.KindInvalid, "the body is not valid UTF-8")
	}
	if err := runtime.CheckJSONDepth(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	err = dec.Decode(v)
	if err == nil {
		err = atEnd(dec)
	}
	if err != nil {
		return runtime.Errorf(runtime.KindInvalid, "the body must be one JSON object: %v", err)
	}
	return nil
}

// atEnd checks that only white space follows the value. (Decoder.More
// would let a stray '}' or ']' through.)
func atEnd(dec *json.Decoder) error {
	switch _, err := dec.Token(); {
	case err == io.EOF:
		return nil
	case err == nil:
		return errors.New("more than one value")
	default:
		return err
	}
}
