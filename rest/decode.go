package rest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"parley/runtime"
)

// decode reads a JSON request body into v. A body over the limit is
// too_large; anything else that is not one JSON object is invalid_request.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(v)
	if err == nil {
		err = atEnd(dec)
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return runtime.Errorf(runtime.KindTooLarge, "the request body is larger than %d bytes", tooBig.Limit)
	case err != nil:
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
