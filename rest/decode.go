package rest

import (
	"encoding/json"
	"errors"
	"net/http"

	"parley/runtime"
)

// decode reads a JSON request body into v. A body over the limit is
// too_large; anything else that is not one JSON object is invalid_request.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return runtime.Errorf(runtime.KindTooLarge, "the request body is larger than %d bytes", tooBig.Limit)
	case err != nil:
		return runtime.Errorf(runtime.KindInvalid, "the body must be a JSON object: %v", err)
	case dec.More():
		return runtime.Errorf(runtime.KindInvalid, "the body must be one JSON object")
	}
	return nil
}
