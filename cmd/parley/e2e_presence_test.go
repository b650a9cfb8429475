package main

import "testing"

// Presence over the real wire (docs/support.md, "Presence"): bea's socket
// is told when ann comes online and goes offline, once each way.
func TestPresence(t *testing.T) {
	s := MustRunMain(t)
	presence(t, s, s)
}

// presence plays it with ann's first socket on a and her second, and
// bea's, on b: bea is told ann is online when her first socket opens, not
// when her second does nor when either but the last closes, and offline
// when her last closes.
func presence(t *testing.T, a, b *testServer) {
	ann, bea := tokenFor(t, "ann"), tokenFor(t, "bea")
	var c struct{ ID string }
	if st := api(t, a, "POST", "/api/conversations", ann, map[string]any{"bot_id": "echo", "participants": []string{"bea"}}, &c); st != 201 {
		t.Fatalf("POST /api/conversations: %d", st)
	}
	beaWS, _ := mustDial(t, b, "session_id="+c.ID, bea)
	phone, _ := mustDial(t, a, "session_id="+c.ID, ann)
	// Told as she joins, or as her node hears of bea.
	phone.expect("presence", func(f frame) bool { return f.User == "bea" && f.Online })
	if f := beaWS.next(); f.Type != "presence" || f.User != "ann" || f.Role != "user" || !f.Online || f.SessionID != c.ID {
		t.Fatalf("bea got %s, want ann online in %s", f.raw, c.ID)
	}
	notBot := func(f frame) bool { return f.Type != "message" || f.Sender != "bot" }

	laptop, _ := mustDial(t, b, "session_id="+c.ID, ann)
	laptop.say("from the laptop", "l1")
	if f := beaWS.expect("", notBot); f.Type != "message" || f.Content != "from the laptop" {
		t.Fatalf("bea got %s, want ann's message: her second socket is not news", f.raw)
	}
	// The laptop closes, and b is done with it: still nothing for bea.
	open := scrape(t, b, "parley_sockets")
	laptop.conn.CloseNow()
	waitUntil(t, func() bool { return scrape(t, b, "parley_sockets") == open-1 })
	phone.say("from the phone", "p1")
	if f := beaWS.expect("", notBot); f.Type != "message" || f.Content != "from the phone" {
		t.Fatalf("bea got %s, want ann's message: her phone is still open", f.raw)
	}
	phone.conn.CloseNow()
	if f := beaWS.expect("", notBot); f.Type != "presence" || f.User != "ann" || f.Online || f.SessionID != c.ID {
		t.Fatalf("bea got %s, want ann offline", f.raw)
	}
}
