package schema

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"parley/runtime"
)

// jsonText is the column type for JSON values (TEXT in SQLite, JSONB in
// PostgreSQL). Empty is stored as NULL, so an absent value round-trips as
// nil rather than as the text "null".
type jsonText json.RawMessage

// Value implements driver.Valuer. It rejects invalid JSON here, with an
// error the caller can show, because SQLite would store it silently and
// PostgreSQL would fail with a driver error.
func (j jsonText) Value() (driver.Value, error) {
	if len(j) == 0 {
		return nil, nil
	}
	if !json.Valid(j) {
		return nil, runtime.Errorf(runtime.KindInvalid, "metadata and attachments must be valid JSON")
	}
	return string(j), nil
}

// Scan implements sql.Scanner.
func (j *jsonText) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*j = nil
	case string:
		*j = jsonText(v)
	case []byte:
		*j = append(jsonText(nil), v...) // the driver reuses v
	default:
		return fmt.Errorf("schema: cannot scan %T into JSON", v)
	}
	return nil
}

// raw returns j as a json.RawMessage, nil when empty.
func (j jsonText) raw() json.RawMessage {
	if len(j) == 0 {
		return nil
	}
	return json.RawMessage(j)
}

// stringsJSON encodes a list of strings; an empty list is NULL.
func stringsJSON(list []string) jsonText {
	if len(list) == 0 {
		return nil
	}
	b, _ := json.Marshal(list) // []string always marshals
	return b
}

// stringsFromJSON decodes what stringsJSON stored.
func stringsFromJSON(j jsonText) ([]string, error) {
	if len(j) == 0 {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(j, &list); err != nil {
		return nil, fmt.Errorf("schema: bad stored string list: %w", err)
	}
	return list, nil
}
