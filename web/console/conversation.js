// Conversation is what the console knows of one conversation: its row
// from the API, its messages in seq order, status lines, who is typing,
// how far the user has read, and, while the agent works on it, a Live
// socket. It changes only through its methods, and tells the app each
// change with changed(conv, what, detail); the view draws from it.
import { api, me } from "./api.js";
import { newId } from "./dom.js";
import { Live } from "./socket.js";

const POLITE = {
  rate_limited: "Sending too fast; the message will go in a moment.",
  too_large: "That message is too long to send.",
  invalid_message: "That message couldn't be sent.",
  forbidden: "You may not write to this conversation.",
};

// Status frames, as lines in the transcript.
const STATUS_LINES = {
  waiting_agent: "The conversation is waiting for an agent.",
  agent_joined: "An agent joined the conversation.",
  resolved: "The conversation was resolved.",
  bot_off: "The bot was switched off.",
  bot_on: "The bot was switched on.",
};

export class Conversation {
  constructor(row, changed) {
    this.row = row;
    this.sid = row.id;
    this.changed = (what, detail) => changed(this, what, detail);
    this.msgs = [];            // messages in seq order
    this.ids = new Set();
    this.notes = [];           // {seq, text}: after the message of that seq
    this.pending = new Map();  // client_id → {cid, text, att, failed}
    this.userRead = row.read_seq || 0; // the user's read mark
    this.sentRead = 0;         // the agent's read mark, as sent
    this.typing = null;        // {sender, user} while someone types
    this.presence = null;      // the user online or not, once presence frames say
    this.hasMore = false;      // older history not loaded
    this.live = null;
    this.conn = "";
    this.unread = 0;
  }

  get lastSeq() { return this.msgs.length ? this.msgs[this.msgs.length - 1].seq : 0; }
  get mine() { return !!me() && this.row.assigned_agent === me().user; }
  // workable: the agent may chat in it (and has announced themselves by
  // following it): assigned to them and not yet resolved or closed.
  get workable() { return this.mine && ["waiting", "open"].includes(this.row.support_status); }

  // update takes a conversation object the API answered with.
  update(row) {
    this.row = { ...this.row, ...row, last_message: row.last_message ?? this.row.last_message };
    this.changed("row");
    if ((row.read_seq || 0) > this.userRead) { this.userRead = row.read_seq; this.changed("read"); }
  }

  async load() {
    const h = await api(`/api/conversations/${encodeURIComponent(this.sid)}/history?limit=100`);
    this.hasMore = h.has_more;
    for (const m of h.messages) this.add(m);
    this.changed("history");
  }

  async loadOlder() {
    if (!this.msgs.length) return;
    const h = await api(`/api/conversations/${encodeURIComponent(this.sid)}/history?limit=100&before=${encodeURIComponent(this.msgs[0].id)}`);
    this.hasMore = h.has_more;
    for (const m of h.messages) this.add(m, true);
    this.changed("history");
  }

  // catchUp reads what came after the last message, for a conversation
  // shown without a socket (the queue said it moved).
  async catchUp() {
    if (this.live) return;
    if (!this.msgs.length) return this.load();
    const h = await api(`/api/conversations/${encodeURIComponent(this.sid)}/history?limit=100&after=${encodeURIComponent(this.msgs[this.msgs.length - 1].id)}`);
    for (const m of h.messages) this.add(m);
  }

  add(m, quiet) {
    if (this.ids.has(m.id)) return; // replayed after a reconnect
    this.ids.add(m.id);
    let i = this.msgs.length;
    while (i > 0 && this.msgs[i - 1].seq > m.seq) i--;
    this.msgs.splice(i, 0, m);
    if (m.client_id && this.pending.delete(m.client_id)) this.changed("pending");
    if (!quiet) this.changed("message", m);
  }

  note(text) {
    const n = { seq: this.lastSeq, text };
    this.notes.push(n);
    this.changed("note", n);
  }

  // follow opens the conversation's socket, once the agent works on it.
  follow() {
    if (this.live || !this.workable) return;
    this.live = new Live(this.sid, this.lastSeq, (f) => this.frame(f), (state, why) => {
      this.conn = state;
      if (state === "online") for (const p of this.pending.values()) this.transmit(p);
      if (why) this.note(why);
      if (state === "stopped") this.live = null;
      this.changed("conn");
    });
    this.live.connect();
  }

  unfollow() {
    if (this.live) this.live.close();
    this.live = null;
    this.conn = "";
    this.setTyping(null);
    this.changed("conn");
  }

  // Frames from the conversation's socket.
  frame(f) {
    if (f.type === "notification") return this.changed("notification", f);
    if (f.session_id && f.session_id !== this.sid) return;
    switch (f.type) {
      case "message": return this.add(f);
      case "typing": return this.setTyping(f.active ? { sender: f.sender, user: f.user } : null);
      case "read":
        if (f.reader === this.row.user_id && f.seq > this.userRead) { this.userRead = f.seq; this.changed("read"); }
        return;
      case "presence":
        if (f.user === this.row.user_id) { this.presence = !!f.online; this.changed("presence"); }
        return;
      case "status": return this.status(f.status);
      case "error": return this.error(f);
    }
  }

  status(s) {
    const row = { waiting_agent: { support_status: "waiting" }, resolved: { support_status: "resolved" },
      bot_off: { bot_enabled: false }, bot_on: { bot_enabled: true } }[s];
    if (row) this.update(row);
    if (STATUS_LINES[s]) this.note(STATUS_LINES[s]);
  }

  error(f) {
    const p = f.client_id && this.pending.get(f.client_id);
    if (p && f.code === "rate_limited") {
      setTimeout(() => this.transmit(p), Math.max(1000, f.retry_after_ms || 0));
    } else if (p) {
      p.failed = POLITE[f.code] || "Not sent.";
      this.changed("pending");
    } else if (f.code !== "invalid_request") {
      this.note(POLITE[f.code] || "Something went wrong: " + (f.message || f.code));
    }
  }

  // setTyping shows or hides someone's indicator. The server sends only
  // changes and ends an indicator itself; the 30 s here only covers a
  // server that died before it could.
  setTyping(t) {
    clearTimeout(this.typingTimer);
    this.typing = t;
    if (t) this.typingTimer = setTimeout(() => this.setTyping(null), 30000);
    this.changed("typing");
  }

  // send sends the agent's message with a client_id, and the attachments
  // att (uploaded already); it stays pending until the server's message
  // frame with that client_id acknowledges it, and is sent again (the
  // same client_id and upload ids: stored once) after a reconnect.
  send(text, att = []) {
    if ((!text.trim() && !att.length) || !this.live) return false;
    const p = { cid: newId(), text, att, failed: "" };
    this.pending.set(p.cid, p);
    this.typingSent = 0; // the server ends the indicator with the message
    this.transmit(p);
    this.changed("pending");
    return true;
  }

  transmit(p) {
    if (this.pending.has(p.cid) && !p.failed) {
      this.live?.send({ type: "message", content: p.text, client_id: p.cid, ...(p.att.length && { attachments: p.att.map((a) => a.id) }) });
    }
  }

  // typingInput tells the others the agent is typing: active:true when the
  // reply gets text, again every 3 s while it changes (the server forgets
  // an indicator after 5 s), active:false when it is emptied.
  typingInput(hasText) {
    if (!this.live || (hasText ? Date.now() - (this.typingSent || 0) < 3000 : !this.typingSent)) return;
    if (this.live.send({ type: "typing", active: hasText })) this.typingSent = hasText ? Date.now() : 0;
  }

  // markRead tells the others how far the agent has read.
  markRead() {
    if (this.live && this.lastSeq > this.sentRead && this.live.send({ type: "read", seq: this.lastSeq })) this.sentRead = this.lastSeq;
  }
}
