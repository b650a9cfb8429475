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
// back, so in's seq need not be known yet. Parks are never left: the
// sessions row keeps the last (parked), and Journal puts each one back
// (parkGaps).
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
	var left []runtime.JournalEntry
	for k, e := range w.Entries {
		if (carried == nil || !carried[k]) && e.Kind != runtime.EntryPark {
			left = append(left, e)
		}
	}
	return left
}

// parkGaps puts back the parks of a run's journal, which no row holds
// (carryEntries). The runtime numbers a run's entries 1, 2, 3…, and a
// dialog leaves a park only by taking a message: the entry after a park
// is the HEAR that took it. So an index missing just before a HEAR is a
// park, and so is the entry after the last when the sessions row says
// the run is parked. A journal written before parks were left out holds
// them as rows, and then nothing is missing. rows are in index order.
func parkGaps(run int64, rows []runtime.JournalEntry, parked bool) []runtime.JournalEntry {
	park := func(i int64) runtime.JournalEntry {
		return runtime.JournalEntry{Run: run, Index: i, Kind: runtime.EntryPark}
	}
	var list []runtime.JournalEntry // nil while it would equal rows
	prev := int64(0)
	for i, e := range rows {
		if e.Kind == runtime.EntryHear && e.Index == prev+2 {
			if list == nil {
				list = append(make([]runtime.JournalEntry, 0, len(rows)+len(rows)/2+1), rows[:i]...)
			}
			list = append(list, park(prev+1))
		}
		if list != nil {
			list = append(list, e)
		}
		prev = e.Index
	}
	if list == nil {
		list = rows
	}
	if n := len(list); parked && (n == 0 || list[n-1].Kind != runtime.EntryPark) {
		list = append(list, park(prev+1))
	}
	return list
}

// lastParked reports whether the last of entries is a park, which the
// sessions row keeps (parked) for PendingDialogs and for Journal, which
// stores no park as a row.
func lastParked(entries []runtime.JournalEntry) bool {
	return len(entries) > 0 && entries[len(entries)-1].Kind == runtime.EntryPark
}

// entriesRun is the run of entries (the runtime writes one run's at a
// time), 0 when there are none.
func entriesRun(entries []runtime.JournalEntry) int64 {
	if len(entries) == 0 {
		return 0
	}
	return entries[len(entries)-1].Run
}
