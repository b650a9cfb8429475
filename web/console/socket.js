// Live is one /ws socket following one conversation: /ws?session_id=ID
// with a single-use ticket. It reconnects with backoff and resumes with
// after=<last seq seen>, so nothing is missed or repeated.
//
// The console keeps one per conversation the agent works on. Once /ws has
// join and leave frames, one socket can follow them all: Live becomes a
// join on that socket, and tickets, backoff and the socket cap per user
// (50) stop being per conversation.
import { api } from "./api.js";

// Closes after which trying again cannot help, and what to tell the agent.
const FATAL = {
  4001: "Your sign-in was refused.",
  4003: "You may no longer see this conversation.",
  4004: "This conversation no longer exists.",
};

export class Live {
  // onFrame(frame) gets every frame; onState(state, why) gets
  // "connecting", "online", "reconnecting" and "stopped". connect() starts.
  constructor(sid, after, onFrame, onState) {
    Object.assign(this, { sid, lastSeq: after, onFrame, onState });
    this.ws = null;
    this.gen = 0;
    this.attempt = 0;
    this.timer = 0;
    this.closed = false;
  }

  async connect() {
    if (this.closed || this.ws) return;
    const gen = ++this.gen;
    this.onState(this.attempt ? "reconnecting" : "connecting");
    let ticket;
    try {
      ticket = (await api("/api/ws-ticket", { method: "POST" })).ticket;
    } catch (e) {
      if (gen === this.gen && e.status !== 401) this.retry(); // 401 signs the agent out
      return;
    }
    if (gen !== this.gen || this.closed) return;
    const q = new URLSearchParams({ ticket, session_id: this.sid, after: String(this.lastSeq) });
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?" + q);
    this.ws = ws;
    ws.onmessage = (ev) => { if (this.ws === ws) this.received(JSON.parse(ev.data)); };
    ws.onclose = (ev) => { if (this.ws === ws) this.lost(ev.code, ev.reason); };
  }

  received(f) {
    if (f.type === "status" && f.status === "connected") {
      this.attempt = 0;
      this.onFrame(f);
      return this.onState("online");
    }
    if (f.type === "message" && f.session_id === this.sid) this.lastSeq = Math.max(this.lastSeq, f.seq);
    this.onFrame(f);
  }

  lost(code, reason) {
    this.ws = null;
    const why = FATAL[code] || (code === 1008 && /origin/.test(reason) ? "This page may not connect to the server from here." : "");
    if (!why) return this.retry(code === 4029 ? 5000 : 0);
    this.closed = true;
    this.onState("stopped", why);
  }

  // retry waits with exponential backoff and jitter, as the chat page does.
  retry(atLeast = 0) {
    const ceiling = Math.min(10000, 500 * 2 ** this.attempt++);
    this.onState("reconnecting");
    this.timer = setTimeout(() => this.connect(), Math.max(atLeast, ceiling / 2 + Math.random() * ceiling / 2));
  }

  // send sends a frame if the socket is open, and says whether it did.
  send(f) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(f));
    return true;
  }

  close() {
    this.closed = true;
    this.gen++;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000);
  }
}
