package ws

import (
	"github.com/coder/websocket"

	"parley/runtime"
)

// Close codes of protocol §3 in the private 4000–4999 range, beside the
// standard ones coder/websocket names.
const (
	CloseUnauthorized = websocket.StatusCode(4001)
	CloseForbidden    = websocket.StatusCode(4003)
	CloseNotFound     = websocket.StatusCode(4004)
	CloseTooMany      = websocket.StatusCode(4029)
)

// closeCodes maps the kind of an error that ends a connection to its
// close code. Kinds not listed close with policy violation.
var closeCodes = map[runtime.Kind]websocket.StatusCode{
	runtime.KindUnauthorized: CloseUnauthorized,
	runtime.KindForbidden:    CloseForbidden,
	runtime.KindNotFound:     CloseNotFound,
	runtime.KindTooMany:      CloseTooMany,
	runtime.KindRateLimited:  CloseTooMany,
	runtime.KindUnavailable:  websocket.StatusGoingAway,
	runtime.KindInternal:     websocket.StatusInternalError,
}

func closeCode(err error) websocket.StatusCode {
	if code, ok := closeCodes[runtime.ErrorKind(err)]; ok {
		return code
	}
	return websocket.StatusPolicyViolation
}
