package schema

import (
	"parley/runtime"
)

// Journal entries carried by message rows.
//
// A turn writes a user message and a bot message, and the journal entries
// of the HEAR that took the first and the TALK that said the second: four
// rows, each journal row with its primary key's index entry too, where
// two message rows hold all there is to know. So a message row written
// with its entry carries it (0013_message_entries.sql): the TALK of a
// bot message (DialogWrite.MessageEntries), and the HEAR of the write's
// Input when its value is the message's content. Entries of any other
// kind, and those a message cannot give back exactly (a HEAR of a message
// with files, whose value is JSON; a HEAR of a message stored before, as
// on PostgreSQL, where a turn is two writes), go to dialog_journal as
// before. Journal reads both, in idx order; the runtime sees no
// difference (runtimetest's store suite runs against both stores).

// carryEntries lets rows (w's messages) and in (w's Input as a row, or
// nil) carry the entries of w they are, and returns the entries left for
// dialog_journal. The Input's HEAR takes its seq from the row when read
// back, so in's seq need not be known yet.
func carryEntries(w *runtime.DialogWrite, rows []messageRow, in *messageRow) []runtime.JournalEntry {
	var carried []bool
	carry := func(k int, r *messageRow, entry *string) {
		if carried == nil {
			carried = make([]bool, len(w.Entries))
		}
		e := w.Entries[k]
		r.Run, r.Idx, r.Entry = &e.Run, &e.Index, entry
		carried[k] = true
	}
	for i := range rows {
		if i >= len(w.MessageEntries) {
			break
		}
		k := w.MessageEntries[i]
		if k < 0 || k >= len(w.Entries) || carried != nil && carried[k] {
			continue
		}
		if e := w.Entries[k]; e.Kind == runtime.EntryTalk && !e.Found && e.Seq == 0 {
			v := e.Value
			carry(k, &rows[i], &v)
		}
	}
	if k := w.InputEntry; in != nil && k >= 0 && k < len(w.Entries) && (carried == nil || !carried[k]) {
		if e := w.Entries[k]; e.Kind == runtime.EntryHear && !e.Found && e.Value == in.Content {
			carry(k, in, nil) // its value is the content
		}
	}
	if carried == nil {
		return w.Entries
	}
	left := make([]runtime.JournalEntry, 0, len(w.Entries))
	for k, e := range w.Entries {
		if !carried[k] {
			left = append(left, e)
		}
	}
	return left
}

// lastParked reports whether the last of entries is a park, which the
// sessions row keeps (parked) for PendingDialogs.
func lastParked(entries []runtime.JournalEntry) bool {
	return len(entries) > 0 && entries[len(entries)-1].Kind == runtime.EntryPark
}
