package runtime_test

import (
	"testing"
	"time"

	"parley/runtime"
)

// A ticket names its user once, within its TTL.
func TestTicketSingleUse(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{TicketTTL: 20 * time.Second})
	ticket, ttl, _ := h.IssueTicket(t.Context(), alice)
	if ticket == "" || ttl != 20*time.Second {
		t.Fatalf("IssueTicket = %q, %v", ticket, ttl)
	}
	other, _, _ := h.IssueTicket(t.Context(), bob)
	if other == ticket {
		t.Fatal("two tickets are equal")
	}
	id, err := h.RedeemTicket(t.Context(), ticket)
	if err != nil || id.UserID != alice.UserID || id.Role != alice.Role {
		t.Fatalf("RedeemTicket = %+v, %v; want alice", id, err)
	}
	_, err = h.RedeemTicket(t.Context(), ticket)
	expectKind(t, err, runtime.KindUnauthorized)
	_, err = h.RedeemTicket(t.Context(), "never-issued")
	expectKind(t, err, runtime.KindUnauthorized)
	if id, err := h.RedeemTicket(t.Context(), other); err != nil || id.UserID != bob.UserID {
		t.Fatalf("bob's ticket = %+v, %v", id, err)
	}
}

// A ticket expires after its TTL on the hub's clock (the default: 30s).
func TestTicketExpiry(t *testing.T) {
	t.Parallel()
	clk := newClock()
	h := newHub(t, silent, runtime.Config{Now: clk.Now})
	onTime, ttl, _ := h.IssueTicket(t.Context(), alice)
	late, _, _ := h.IssueTicket(t.Context(), alice)
	if ttl != 30*time.Second {
		t.Fatalf("default TTL = %v, want 30s", ttl)
	}
	clk.Add(ttl)
	if _, err := h.RedeemTicket(t.Context(), onTime); err != nil {
		t.Fatalf("redeemed at the TTL: %v", err)
	}
	clk.Add(time.Nanosecond)
	_, err := h.RedeemTicket(t.Context(), late)
	expectKind(t, err, runtime.KindUnauthorized)
}
