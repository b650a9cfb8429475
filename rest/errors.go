package rest

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"parley/runtime"
	"parley/wire"
)

type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// writeError answers with err's status and code. Internal errors are
// logged and shown to the client only as "internal error".
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	kind := runtime.ErrorKind(err)
	status := wire.HTTPStatus(err)
	code := string(kind)
	if kind == runtime.KindTooMany {
		code = string(runtime.KindRateLimited)
	}
	if status == http.StatusInternalServerError {
		log.Error("request failed", "err", err)
		code = string(runtime.KindInternal)
	}
	wire.SetRetryAfter(w.Header(), err)
	writeJSON(w, status, errorBody{Error: code, Message: runtime.ErrorMessage(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
