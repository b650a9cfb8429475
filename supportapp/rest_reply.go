package supportapp

import (
	"encoding/json"
	"errors"
	"net/http"

	"parley/runtime"
	"parley/wire"
)

// The app's envelopes: {"success": true, "message", "data"} for a
// success (lists add "pagination"), {"success": false, "message"} for an
// error, whose status comes from the runtime's error kind by the one
// table (wire.HTTPStatus), as rest's do.

// Pagination is a list's place: pages count from 1.
type Pagination struct {
	CurrentPage int `json:"currentPage"`
	TotalPages  int `json:"totalPages"`
	TotalItems  int `json:"totalItems"`
}

type success struct {
	Success    bool        `json:"success"`
	Message    string      `json:"message"`
	Data       any         `json:"data"`
	Pagination *Pagination `json:"pagination,omitempty"`
}

type failure struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// reply answers with data in the envelope.
func reply(w http.ResponseWriter, status int, message string, data any) {
	writeJSON(w, status, success{Success: true, Message: message, Data: data})
}

// replyPage answers with one page of a list.
func replyPage(w http.ResponseWriter, message string, data any, p page, total int) {
	pg := &Pagination{CurrentPage: p.Page, TotalItems: total, TotalPages: (total + p.Limit - 1) / p.Limit}
	writeJSON(w, http.StatusOK, success{Success: true, Message: message, Data: data, Pagination: pg})
}

// fail answers with err's status and message. Internal errors are logged
// and shown only as "internal error".
func (a *REST) fail(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = runtime.Errorf(runtime.KindTooLarge, "the request body is larger than %s", runtime.ByteSize(tooBig.Limit))
	}
	status := wire.HTTPStatus(err)
	if status == http.StatusInternalServerError {
		a.log.Error("support app request failed", "err", err)
	}
	wire.SetRetryAfter(w.Header(), err)
	writeJSON(w, status, failure{Success: false, Message: runtime.ErrorMessage(err)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
