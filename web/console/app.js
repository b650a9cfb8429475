// Parley's support console: plain modules, no build step, no framework.
// Start here. docs/support.md ("The support console") describes it.
//
//   api.js           the credential (sessionStorage) and REST calls
//   signin.js        the sign-in form
//   queue.js         the queue: tabs, filter, refresh
//   conversation.js  one conversation: messages, typing, reads, its socket
//   socket.js        one /ws socket per conversation worked on
//   view.js          the conversation panel
//   actions.js       assign, bot switch, resolve
//   stats.js         the stats panel
//   ../files.js      attachments, shared with the chat page
import { auth, loadCredential, me, remember, whenRefused } from "./api.js";
import { forget, Tray } from "../files.js";
import { $ } from "./dom.js";
import { initActions } from "./actions.js";
import { Conversation } from "./conversation.js";
import { initQueue, markUnread, refreshSoon, setCurrent, startQueue, stopQueue } from "./queue.js";
import { hideSignin, initSignin, showSignin } from "./signin.js";
import { loadStats } from "./stats.js";
import { current, draw, show } from "./view.js";

// At most this many sockets at once (the server allows 50 per user); the
// least recently opened conversation beyond it stops being live.
const MAX_LIVE = 10;
const convs = new Map(); // sid → Conversation opened since sign-in

function changed(conv, what, detail) {
  if (what === "notification") { // a message in another conversation of mine
    markUnread(detail.session_id);
    return refreshSoon();
  }
  if (what === "message" && conv !== current()) markUnread(conv.sid);
  if (what === "message" || what === "history" || (what === "conn" && conv.conn === "online")) readSoon();
  if (what === "row" && conv.live && ["resolved", "closed"].includes(conv.row.support_status)) conv.unfollow();
  if (what === "note") refreshSoon(); // a status changed
  draw(conv, what, detail);
}

async function open(row) {
  let conv = convs.get(row.id);
  const fresh = !conv;
  if (fresh) conv = new Conversation(row, changed);
  convs.set(row.id, conv);
  conv.opened = Date.now();
  const prev = current();
  if (prev && prev !== conv) { // each conversation keeps its draft; files picked go with none
    prev.draft = reply.value;
    prev.typingInput(false);
    reply.value = conv.draft || "";
    tray.clear();
  }
  setCurrent(row.id);
  show(conv);
  if (!fresh) conv.update(row);
  try {
    if (fresh) await conv.load();
  } catch (e) {
    convs.delete(row.id);
    return conv.note("Couldn't load this conversation: " + e.message);
  }
  conv.follow();
  trimLive();
  readSoon();
}

function trimLive() {
  const live = [...convs.values()].filter((c) => c.live && c !== current()).sort((a, b) => b.opened - a.opened);
  for (const c of live.slice(MAX_LIVE - 1)) c.unfollow();
}

// rows hears each queue page: news for the conversations opened here
// that have no socket (previews), and their rows.
function rows(list) {
  for (const row of list) {
    const c = convs.get(row.id);
    if (!c) continue;
    if (!c.live && row.last_seq > c.lastSeq) c.catchUp().catch(() => {});
    c.update(row);
  }
}

// readSoon sends a read mark for the conversation shown while it is seen.
let readTimer = 0;
function readSoon() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => { if (document.visibilityState === "visible") current()?.markRead(); }, 500);
}

function signedIn() {
  const c = me();
  hideSignin();
  $("desk").hidden = false;
  $("who").hidden = $("signout").hidden = false;
  $("who").textContent = "Signed in as " + c.name + (c.role ? " (" + c.role + ")" : "");
  startQueue();
  loadStats();
  $("tabs").querySelector("[aria-selected=true]").focus();
}

function signOut(why) {
  remember(null);
  stopQueue();
  for (const c of convs.values()) c.unfollow();
  convs.clear();
  show(null);
  $("desk").hidden = true;
  $("who").hidden = $("signout").hidden = true;
  tray.clear();
  forget();
  showSignin(why);
}

// ---- Wiring -------------------------------------------------------------

const reply = $("reply");
const tray = new Tray($("tray"), () => ({ headers: auth() }));
$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  if (tray.busy) tray.say("Wait for the files to finish uploading, then send.");
  else if (current()?.send(reply.value, tray.ready())) { reply.value = ""; tray.clear(); }
  reply.focus();
});
// Files: the attach button, an image pasted into the reply, files dropped
// on the conversation (while the agent may write in it).
const canAttach = () => !$("attach").disabled;
$("attach").onclick = () => $("file").click();
$("file").onchange = () => { tray.add([...$("file").files]); $("file").value = ""; reply.focus(); };
reply.addEventListener("paste", (e) => {
  const list = [...e.clipboardData.files];
  if (list.length && canAttach()) { e.preventDefault(); tray.add(list); }
});
const conv = document.querySelector(".conv");
let drags = 0;
const dragging = (e) => e.dataTransfer && [...e.dataTransfer.types].includes("Files");
conv.addEventListener("dragenter", (e) => { if (dragging(e)) conv.classList.toggle("dropping", ++drags > 0 && canAttach()); });
conv.addEventListener("dragleave", (e) => { if (dragging(e)) conv.classList.toggle("dropping", --drags > 0 && canAttach()); });
addEventListener("dragover", (e) => { if (dragging(e)) e.preventDefault(); }); // a file dropped elsewhere is not opened
addEventListener("drop", (e) => {
  if (!dragging(e)) return;
  e.preventDefault();
  drags = 0;
  conv.classList.remove("dropping");
  if (conv.contains(e.target) && canAttach()) tray.add([...e.dataTransfer.files]);
});
// Enter sends, Shift+Enter is a new line (an Enter ending an IME composition is not a send).
reply.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("composer").requestSubmit(); }
});
reply.addEventListener("input", () => current()?.typingInput(!!reply.value.trim()));
reply.addEventListener("blur", () => current()?.typingInput(false));
document.addEventListener("visibilitychange", readSoon);
$("signout").onclick = () => signOut();
$("stats-refresh").onclick = loadStats;

whenRefused(() => signOut("Your sign-in has expired or was revoked. Please sign in again."));
initSignin(signedIn);
initQueue({ open, rows });
initActions(current, () => { refreshSoon(0); loadStats(); });
if (loadCredential()) signedIn(); else showSignin();
