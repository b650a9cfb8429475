package schema

import (
	"slices"
	"testing"
	"time"
)

// TestTimeText: stored times have one width, so comparing the text (as
// SQLite does in WHERE and ORDER BY) compares the times.
func TestTimeText(t *testing.T) {
	base := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	var times []time.Time
	for _, d := range []time.Duration{0, 100 * time.Millisecond, 120 * time.Millisecond, time.Microsecond, time.Second, 999999 * time.Microsecond} {
		times = append(times, base.Add(d), base.Add(d).In(time.FixedZone("-07", -7*3600)))
	}
	var texts []string
	for _, tm := range times {
		v, err := dbTime(tm).Value()
		if err != nil {
			t.Fatal(err)
		}
		s := v.(string)
		if len(s) != len(timeLayout) {
			t.Errorf("%v stored as %q: width %d, want %d", tm, s, len(s), len(timeLayout))
		}
		var back dbTime
		if err := back.Scan(s); err != nil || !back.Time().Equal(tm) || back.Time().Location() != time.UTC {
			t.Errorf("%q scans back as %v, %v; want %v in UTC", s, back.Time(), err, tm)
		}
		texts = append(texts, s)
	}
	byText := slices.Clone(texts)
	slices.Sort(byText)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i, tm := range times {
		if v, _ := dbTime(tm).Value(); v != byText[i] {
			t.Fatalf("text order differs from time order at %d: %q vs %v", i, byText[i], tm)
		}
	}
}

func TestTimeNull(t *testing.T) {
	if v, err := (dbTime{}).Value(); v != nil || err != nil {
		t.Errorf("zero time stored as %v, %v; want NULL", v, err)
	}
	back := dbTime(time.Now())
	if err := back.Scan(nil); err != nil || !back.Time().IsZero() {
		t.Errorf("NULL scans as %v, %v; want the zero time", back.Time(), err)
	}
}
