// The conversation panel: its header, the transcript, the typing line, the
// composer and the state of the action buttons. It draws the current
// Conversation only; messages are added in place, never redrawn, so that
// a screen reader reads each new one once.
import { auth, me } from "./api.js";
import { $, el, time } from "./dom.js";
import { show as showFiles } from "../files.js";

const ui = {};
for (const id of ["conv-title", "conv-status", "presence", "conv-conn", "log", "typing", "reply", "send", "attach",
  "composer-hint", "actions", "assignee", "assign", "bot", "resolve", "note"]) {
  ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = $(id);
}

const TAG = { user: "User", bot: "Bot", agent: "Agent" };
const STATUS = { open: "Open", waiting: "Waiting", resolved: "Resolved", closed: "Closed" };
const CONN = { connecting: "Connecting…", online: "Live", reconnecting: "Reconnecting…", stopped: "Not live" };

let cur = null;
export const current = () => cur;

// show makes conv the conversation shown (null: none).
export function show(conv) {
  cur = conv;
  if (!conv) {
    ui.convTitle.textContent = "No conversation open";
    ui.convStatus.textContent = ui.convConn.textContent = ui.typing.textContent = "";
    ui.presence.hidden = ui.actions.hidden = ui.reply.disabled = ui.send.disabled = ui.attach.disabled = true;
    return ui.log.replaceChildren(el("li", "note", "Pick a conversation from the queue."));
  }
  drawLog();
  drawHead();
  drawTyping();
}

// draw follows a change of conv (see Conversation.changed).
export function draw(conv, what, detail) {
  if (conv !== cur) return;
  if (what === "message") place(msgItem(detail));
  else if (what === "note") place(noteItem(detail));
  else if (what === "history") drawLog();
  else if (what === "pending") drawPending();
  else if (what === "read") drawReceipts();
  else if (what === "typing") drawTyping();
  if (["row", "conn", "presence", "history"].includes(what)) drawHead();
}

// ownerName is the user's name as their messages carry it, or their id.
const ownerName = () => [...cur.msgs].reverse().find((m) => m.sender === "user")?.sender_name || cur.row.user_id;
function author(m) {
  if (m.sender === "bot") return cur.row.bot_name || "Bot";
  return m.sender_name || (m.sender === "user" ? cur.row.user_id : "Agent");
}

function msgItem(m) {
  const bot = m.sender === "bot" || (m.metadata && m.metadata.automated);
  const li = el("li", "msg " + m.sender);
  li.dataset.seq = m.seq;
  li.dataset.id = m.id;
  const meta = el("p", "meta");
  meta.append(el("b", null, author(m)), " ", el("span", "tag", bot ? "Bot" : TAG[m.sender] || m.sender), " · ", time(m.timestamp));
  if (m.sender === "agent") meta.append(el("span", "receipt", m.seq <= cur.userRead ? " · Read" : ""));
  li.append(meta, bubble(m.content, m.attachments));
  return li;
}

// bubble is a message's text and its attachments (files.js draws them).
function bubble(text, att) {
  const b = el("div", "bubble", text);
  if (att && att.length) {
    const box = el("div", "atts");
    if (!text.trim()) b.classList.add("files-only");
    showFiles(box, att, () => ({ headers: auth() }));
    b.append(box);
  }
  return b;
}

function noteItem(n) {
  const li = el("li", "note", n.text);
  li.dataset.seq = n.seq;
  return li;
}

// place puts an item after the last one with a seq not above its own, and
// above the pending messages.
function place(li) {
  const stick = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
  let after = ui.log.lastElementChild;
  while (after && (after.classList.contains("pending") || after.classList.contains("more") || +after.dataset.seq > +li.dataset.seq)) {
    after = after.previousElementSibling;
  }
  if (after) after.after(li); else ui.log.prepend(li);
  if (stick || li.classList.contains("agent")) ui.log.scrollTop = ui.log.scrollHeight;
}

function drawLog() {
  ui.log.setAttribute("aria-busy", "true"); // don't read the whole history aloud
  const items = cur.msgs.map(msgItem);
  for (const n of cur.notes) {
    const i = items.findLastIndex((li) => +li.dataset.seq <= n.seq);
    items.splice(i + 1, 0, noteItem(n));
  }
  if (cur.hasMore) {
    const b = el("button", "ghost", "Earlier messages");
    b.type = "button";
    b.onclick = () => cur.loadOlder().catch(() => {});
    const li = el("li", "more");
    li.append(b);
    items.unshift(li);
  }
  if (!items.length) items.push(el("li", "note", "No messages yet."));
  ui.log.replaceChildren(...items);
  drawPending();
  ui.log.scrollTop = ui.log.scrollHeight;
  ui.log.removeAttribute("aria-busy");
}

function drawPending() {
  ui.log.querySelectorAll(".pending").forEach((li) => li.remove());
  for (const p of cur.pending.values()) {
    const li = el("li", "msg agent pending" + (p.failed ? " failed" : ""));
    li.append(el("p", "meta", p.failed ? "Not sent: " + p.failed : "Sending…"), bubble(p.text, p.att));
    ui.log.append(li);
  }
  ui.log.scrollTop = ui.log.scrollHeight;
}

function drawReceipts() {
  for (const li of ui.log.querySelectorAll(".msg.agent:not(.pending)")) {
    li.querySelector(".receipt").textContent = +li.dataset.seq <= cur.userRead ? " · Read" : "";
  }
}

function drawTyping() {
  const t = cur && cur.typing;
  const who = !t ? "" : t.sender === "bot" ? cur.row.bot_name || "The bot"
    : t.sender === "user" && t.user === cur.row.user_id ? ownerName() : t.user || "Someone";
  ui.typing.textContent = t ? who + " is typing…" : "";
}

function drawHead() {
  const r = cur.row, mine = cur.mine;
  ui.convTitle.textContent = (r.title || r.user_id) + " · " + (r.bot_name || r.bot_id);
  ui.convStatus.textContent = STATUS[r.support_status] || r.support_status;
  ui.presence.hidden = cur.presence == null;
  ui.presence.textContent = cur.presence ? "· online" : "· offline";
  ui.convConn.textContent = cur.live ? "· " + CONN[cur.conn] : "· Preview";
  const canWrite = !!cur.live;
  ui.reply.disabled = ui.send.disabled = ui.attach.disabled = !canWrite;
  ui.composerHint.textContent = canWrite ? "" : !mine ? "Assign it to yourself to join and reply."
    : cur.workable ? "Not connected." : "This conversation is " + (STATUS[r.support_status] || "").toLowerCase() + ".";
  ui.actions.hidden = false;
  ui.assignee.textContent = mine ? "Assigned to you." : r.assigned_agent ? "Assigned to " + r.assigned_agent + "." : "Not assigned.";
  ui.assign.hidden = mine;
  ui.bot.checked = r.bot_enabled;
  ui.resolve.hidden = ["resolved", "closed"].includes(r.support_status);
  if (!me()) ui.actions.hidden = true;
}
