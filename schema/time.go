package schema

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeLayout is how SQLite stores times: UTC, fixed width, so that text
// order is time order and "created_at > ?" compares correctly as text.
// Microseconds, because that is what PostgreSQL's TIMESTAMPTZ keeps.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// dbTime is the one column type for timestamps, in every table and every
// dialect. The zero time is stored as NULL and NULL scans as the zero time
// (a LEFT JOIN may produce it).
type dbTime time.Time

// Value implements driver.Valuer.
func (t dbTime) Value() (driver.Value, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return nil, nil
	}
	return tt.UTC().Format(timeLayout), nil
}

// Scan implements sql.Scanner for SQLite text and PostgreSQL time values.
func (t *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*t = dbTime{}
	case time.Time:
		*t = dbTime(v.UTC())
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("schema: cannot scan %T into a time", v)
	}
	return nil
}

func (t *dbTime) parse(s string) error {
	tt, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("schema: bad stored time %q: %w", s, err)
	}
	*t = dbTime(tt.UTC())
	return nil
}

// Time returns t as a time.Time in UTC.
func (t dbTime) Time() time.Time { return time.Time(t) }

// utcMicro normalises t to what the database hands back: UTC, truncated to
// the microsecond, without a monotonic clock reading.
func utcMicro(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
