package schema

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"parley/runtime"
)

// fail turns an error from the database into a *runtime.Error whose Kind
// the transports map to their codes. what names the thing the caller was
// after ("conversation", "message"); it goes into the message a user may see,
// while the driver's text stays in the wrapped error for logs only.
func (db *DB) fail(err error, what string) error {
	if err == nil {
		return nil
	}
	var re *runtime.Error
	if errors.As(err, &re) {
		return err // already classified, e.g. by a valuer
	}
	k := db.dialect.kind(err)
	return runtime.Wrap(k, err, message(k, what))
}

// message is the user-facing text for an error of kind k about what.
func message(k runtime.Kind, what string) string {
	switch k {
	case runtime.KindNotFound:
		return what + " not found"
	case runtime.KindConflict:
		return what + " already exists"
	case runtime.KindUnavailable:
		return "database unavailable"
	case runtime.KindInvalid:
		return "invalid " + what
	}
	return "database error"
}

// commonKind classifies the errors that database/sql itself returns, the
// same for every driver.
func commonKind(err error) (runtime.Kind, bool) {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return runtime.KindNotFound, true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, sql.ErrConnDone), strings.Contains(err.Error(), "sql: database is closed"):
		// The caller gave up or the store is shutting down: nothing is
		// wrong with the data, so say unavailable rather than internal.
		return runtime.KindUnavailable, true
	}
	return "", false
}
