package wire

import (
	"math"
	"net/http"
	"strconv"

	"parley/runtime"
)

// statuses maps each error kind to its HTTP status: the one table, for
// every HTTP API of the server (rest's /api and supportapp's
// /api/v1/chat answer the same error with the same status).
var statuses = map[runtime.Kind]int{
	runtime.KindInvalid:      http.StatusBadRequest,
	runtime.KindInvalidMsg:   http.StatusBadRequest,
	runtime.KindUnauthorized: http.StatusUnauthorized,
	runtime.KindForbidden:    http.StatusForbidden,
	runtime.KindNotFound:     http.StatusNotFound,
	runtime.KindConflict:     http.StatusConflict,
	runtime.KindTooLarge:     http.StatusRequestEntityTooLarge,
	runtime.KindQuota:        http.StatusRequestEntityTooLarge,
	runtime.KindUnsupported:  http.StatusUnsupportedMediaType,
	runtime.KindRateLimited:  http.StatusTooManyRequests,
	runtime.KindTooMany:      http.StatusTooManyRequests,
	runtime.KindUnavailable:  http.StatusServiceUnavailable,
	runtime.KindDialog:       http.StatusInternalServerError,
	runtime.KindInternal:     http.StatusInternalServerError,
}

// HTTPStatus is the status that answers err: by its kind, 500 for a kind
// the table does not know.
func HTTPStatus(err error) int {
	if status, ok := statuses[runtime.ErrorKind(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// SetRetryAfter sets the Retry-After header of an answer to err when err
// says when to try again (a rate limit), in whole seconds rounded up.
func SetRetryAfter(h http.Header, err error) {
	if wait := runtime.RetryAfter(err); wait > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	}
}
