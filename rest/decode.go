package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
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
	dec.DisallowUnknownFields() // a misspelt field must not pass as a missing one
	err = dec.Decode(v)
	if err == nil {
		err = atEnd(dec)
	}
	if err != nil {
		return runtime.Wrap(runtime.KindInvalid, err, "the body must be one JSON object: "+jsonProblem(err, body))
	}
	return nil
}

// jsonProblem says what is wrong with body in the API's terms: the
// field and the JSON type expected, never Go's type names.
func jsonProblem(err error, body []byte) string {
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%s must be %s, not %s", typ.Field, jsonKind(typ.Type), article(typ.Value))
	case errors.As(err, &typ):
		return "it is " + article(typ.Value)
	case errors.As(err, &syn):
		return fmt.Sprintf("it is not valid JSON (at byte %d)", syn.Offset)
	case errors.Is(err, io.EOF) && len(bytes.TrimSpace(body)) == 0:
		return "the body is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends too soon"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + f
	}
	if err.Error() == "more than one value" {
		return "more than one value"
	}
	return "it is not valid JSON"
}

// article puts "a" or "an" before a JSON type's name (array, bool, …).
func article(v string) string {
	if v == "array" || v == "object" {
		return "an " + v
	}
	return "a " + v
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
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
