package rest

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"parley/runtime"
)

// statuses maps each error kind to its HTTP status: the one table.
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

type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// writeError answers with err's status and code. Internal errors are
// logged and shown to the client only as "internal error".
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	kind := runtime.ErrorKind(err)
	status, ok := statuses[kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	code := string(kind)
	if kind == runtime.KindTooMany {
		code = string(runtime.KindRateLimited)
	}
	if status == http.StatusInternalServerError {
		log.Error("request failed", "err", err)
		code = string(runtime.KindInternal)
	}
	if wait := runtime.RetryAfter(err); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	}
	writeJSON(w, status, errorBody{Error: code, Message: runtime.ErrorMessage(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
