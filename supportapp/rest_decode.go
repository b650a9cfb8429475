package supportapp

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"

	"parley/runtime"
)

// decode reads a JSON object body of at most MaxBody bytes into v.
func (a *REST) decode(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		return err // fail makes a MaxBytesError 413
	}
	err = json.Unmarshal(data, v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return runtime.Errorf(runtime.KindInvalid, "%s must be a %s", typeErr.Field, jsonType(typeErr.Type.Kind()))
	case err != nil:
		return runtime.Errorf(runtime.KindInvalid, "the body must be a JSON object")
	}
	return nil
}

// jsonType names a Go kind as JSON does.
func jsonType(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Bool:
		return "boolean"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "number"
}
