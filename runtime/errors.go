package runtime

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error so that each transport can map it to its own code
// with one table (rest: HTTP status, ws: close code and error frame).
type Kind string

// The kinds. Their string values are the wire error codes of protocol §3/§4.
const (
	KindInvalid      Kind = "invalid_request" // malformed request
	KindInvalidMsg   Kind = "invalid_message" // a message that cannot be stored
	KindUnauthorized Kind = "unauthorized"    // missing or bad credentials
	KindForbidden    Kind = "forbidden"       // valid credentials, not allowed
	KindNotFound     Kind = "not_found"
	KindConflict     Kind = "conflict" // unique constraint; duplicate client_id
	KindTooLarge     Kind = "too_large"
	KindQuota        Kind = "quota_exceeded"   // an upload over the owner's storage quota
	KindUnsupported  Kind = "unsupported_type" // an upload of a type not allowed
	KindRateLimited  Kind = "rate_limited"
	KindTooMany      Kind = "too_many_connections"
	KindDialog       Kind = "dialog_error" // a bot script failed
	KindUnavailable  Kind = "unavailable"  // shutting down, database gone
	KindInternal     Kind = "internal"
)

// Error is the domain error: a Kind for machines, a Message for people and
// the wrapped cause for logs. Message must never leak internals.
type Error struct {
	Kind    Kind
	Message string
	Err     error

	// RetryAfter is set on KindRateLimited errors.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind k with a formatted message.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind k that wraps err.
func Wrap(k Kind, err error, msg string) *Error {
	return &Error{Kind: k, Message: msg, Err: err}
}

// ErrorKind returns the Kind of err, KindInternal for foreign errors.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorMessage returns the message safe to show a user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// RetryAfter returns how long a rate-limited caller should wait, or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
