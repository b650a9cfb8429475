// Parley's chat page: one file, no build step, no dependencies.
//
// Nothing typed is lost on a reload or a flaky network. localStorage keeps
//   parley:session:<key>  {sid, rt}  the conversation (anonymous: + resume token)
//   parley:pending        [{cid, text, owner, sid, att}]  messages not yet acknowledged
//                         (att: the attachment objects of files already uploaded)
//   parley:token          the logged-in user's JWT (standalone page only)
// The transcript itself is not stored: a page load replays the conversation
// with after=0 and a reconnect asks for after=<last seq seen>. Messages are
// keyed by id, so a replayed or re-sent message never shows twice. A pending
// message is re-sent with the same client_id after every reconnect until its
// acknowledgement (the stored message, carrying that client_id) arrives.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const ui = {};
  for (const id of ["app", "title", "conn", "who", "login-open", "logout", "close", "login", "token", "login-msg",
    "menu", "side", "bot", "new", "convs", "chat", "log", "typing", "typing-text", "suggestions", "tray", "composer", "attach", "file", "box"]) {
    ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = $(id);
  }

  const params = new URLSearchParams(location.search);
  const embed = params.get("embed") === "1";
  // The embedding page's origin: the only one messages are taken from or
  // sent to (the widget passes it; a page that lies is not a frame-ancestor).
  const host = embed ? params.get("origin") : null;

  // localStorage, or memory where it is blocked (some browsers' iframes).
  const mem = new Map();
  const store = {
    get(k) {
      let v;
      try { v = localStorage.getItem(k); } catch { v = mem.get(k); }
      try { return JSON.parse(v); } catch { return null; }
    },
    set(k, v) {
      const s = v == null ? null : JSON.stringify(v);
      try { s == null ? localStorage.removeItem(k) : localStorage.setItem(k, s); } catch { s == null ? mem.delete(k) : mem.set(k, s); }
    },
  };

  const S = {
    token: null, user: null,       // logged in: the JWT and its claims
    bot: params.get("bot") || "",  // bot asked for ("" = the default bot)
    bots: [],                      // GET /api/bots
    sid: null, botId: "",          // the joined conversation
    agent: "",                     // the name of the agent who wrote last
    lastSeq: 0, backlogTo: 0,
    seen: new Set(),               // message ids shown
    ws: null, ready: false, gen: 0,
    attempt: 0, timer: 0, stopped: false,
    lastError: null,               // the error frame that preceded a close
    reasked: false,                // embedded: asked the host for a fresh token
  };

  const owner = () => (S.token ? "u:" + S.user.sub : "anon");
  // Pending messages are read from storage on every use, not cached: two
  // tabs of one visitor share the list and must not overwrite each other.
  const P = {
    all: () => store.get("parley:pending") || [],
    save: (list) => store.set("parley:pending", list.length ? list : null),
    find: (cid) => P.all().find((p) => p.cid === cid),
    drop: (cid) => P.save(P.all().filter((p) => p.cid !== cid)),
    mine: () => P.all().filter((p) => p.owner === owner() && p.sid === S.sid),
    // move re-files the current owner's messages from one conversation to another.
    move: (from, to) => P.save(P.all().map((p) => (p.owner === owner() && p.sid === from ? { ...p, sid: to } : p))),
  };
  const skey = () => "parley:session:" + owner() + ":" + (S.bot || "default");
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));

  // ---- Connection ------------------------------------------------------

  async function connect() {
    clearTimeout(S.timer);
    if (S.ws || S.stopped) return;
    const gen = ++S.gen; // a login, logout or switch while awaiting makes this attempt stale
    setConn(S.attempt ? "Reconnecting…" : "Connecting…");
    const q = new URLSearchParams();
    if (S.token) {
      try {
        q.set("ticket", (await api("/api/ws-ticket", { method: "POST" })).ticket); // single use, 30 s
      } catch (e) {
        if (gen === S.gen) e.status === 401 ? authFailed() : retry();
        return;
      }
      if (gen !== S.gen || S.ws) return;
    }
    if (S.bot) q.set("bot_id", S.bot);
    const saved = store.get(skey());
    if (saved && saved.sid) {
      q.set("session_id", saved.sid);
      if (saved.rt) q.set("resume_token", saved.rt);
    }
    q.set("after", String(S.lastSeq));
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws?" + q);
    S.ws = ws;
    S.lastError = null;
    ws.onmessage = (ev) => { if (S.ws === ws) frame(JSON.parse(ev.data)); };
    ws.onclose = (ev) => { if (S.ws === ws) closed(ev.code, ev.reason, !!(saved && saved.sid)); };
  }

  function disconnect() {
    S.gen++;
    clearTimeout(S.timer);
    const ws = S.ws;
    S.ws = null;
    S.ready = false;
    if (ws) ws.close(1000);
  }

  // Exponential backoff with jitter (half fixed, half random), so that a
  // restarted server is not hit by every page at the same instant.
  function retry(atLeast = 0) {
    const ceiling = Math.min(10000, 500 * 2 ** S.attempt++);
    const wait = Math.max(atLeast, ceiling / 2 + Math.random() * ceiling / 2);
    setConn(navigator.onLine === false ? "Offline" : "Reconnecting…", true);
    S.timer = setTimeout(connect, wait);
  }

  function closed(code, reason, hadSession) {
    S.ws = null;
    S.ready = false;
    showTyping(false);
    const err = S.lastError && S.lastError.code;
    switch (code) {
      case 4004: // the conversation is gone (anonymous ones expire)
        if (!hadSession) return stop("This chat isn't available right now.");
        forgetConversation("This conversation has ended. Here is a new one.");
        return connect();
      case 4001: // the ticket or token was refused
        if (S.token) return authFailed();
      // falls through: an anonymous visitor refused is one asking for a bot that needs a login
      case 4003:
        if (hadSession) { forgetConversation(); return connect(); }
        return refused();
      case 4029:
        return retry(5000);
      case 1008:
        if (err === "invalid_request" && hadSession) { forgetConversation(); return connect(); }
        if (/origin/.test(reason)) return stop("This page may not connect to the chat server from here.");
        return retry(); // e.g. "reading too slowly": resume with after=SEQ

      default: // 1001 server restarting, 1006 network, 1011, …
        return retry();
    }
  }

  // stop gives up connecting until a login, logout or reload: what is
  // pending will never go, so it is marked as not sent, with why.
  function stop(why, short = "the chat is not available here.") {
    S.stopped = short;
    for (const it of P.mine()) fail(it, short);
    setConn("Not connected", true);
    note(why, true);
  }

  // refused: the server will not let this visitor talk to this bot.
  const refused = () => S.token ? stop("You can't chat with this bot.", "you can't chat with this bot.")
    : embed ? stop("This chat is for signed-in users. Please sign in on this site, then open the chat again.", "please sign in on this site first.")
    : stop("Please log in to chat with this bot.", "please log in first.");

  // ---- Frames from the server -----------------------------------------

  function frame(f) {
    if (f.session_id && S.sid && f.session_id !== S.sid && f.type !== "status") return;
    switch (f.type) {
      case "status": return status(f);
      case "message": return message(f);
      case "stream": return stream(f);
      case "typing": return showTyping(f.active, f.sender, f.user);
      case "read": return markRead(f.seq);
      case "suggestion": return suggest(f.suggestions || []);
      case "error": return error(f);
    }
  }

  function status(f) {
    if (f.status !== "connected") {
      // The support desk; agent_joined names the agent.
      const say = { waiting_agent: "Waiting for an agent…", agent_joined: (f.name || "An agent") + " joined the conversation.",
        resolved: "The agent resolved the conversation." }[f.status];
      if (say) note(say);
      if (f.status === "shutting_down") setConn("Server restarting…", true);
      return;
    }
    if (S.sid && S.sid !== f.session_id) resetView(); // another conversation than the one shown
    S.sid = f.session_id;
    S.botId = f.bot_id;
    S.ready = true;
    S.attempt = 0;
    S.reasked = false;
    S.backlogTo = f.last_seq || 0;
    const saved = store.get(skey()) || {};
    store.set(skey(), { sid: f.session_id, rt: f.resume_token || saved.rt });
    if (S.lastSeq < S.backlogTo) ui.log.setAttribute("aria-busy", "true"); // don't read the replay aloud
    setConn("Online");
    setTitle();
    P.move(null, f.session_id); // typed before the conversation existed
    for (const it of P.mine()) { showPending(it); transmit(it); }
    if (S.token) loadConversations();
  }

  function message(m) {
    if (m.client_id) P.drop(m.client_id); // acknowledged: stored on the server
    if (S.seen.has(m.id)) return; // replayed, or the answer to a re-send
    S.seen.add(m.id);
    S.lastSeq = Math.max(S.lastSeq, m.seq);
    if (S.lastSeq >= S.backlogTo) ui.log.removeAttribute("aria-busy");
    if (m.sender !== "user") showTyping(false);
    if (m.sender === "agent") S.agent = m.sender_name || S.agent;
    const li = (m.client_id && ui.log.querySelector(`[data-cid="${CSS.escape(m.client_id)}"]`)) || streaming(m.id) || el("li");
    li.className = "msg " + m.sender;
    li.removeAttribute("aria-busy");
    li.dataset.id = m.id;
    li.dataset.seq = m.seq;
    fill(li, m, m.timestamp);
    li.append(bubble(m.content, m.attachments));
    place(li, m.seq);
    if (S.token) { scheduleRead(); loadConversationsSoon(); }
    // Tell the widget, so that a closed bubble can show a dot.
    if (host && m.sender !== "user" && S.lastSeq >= S.backlogTo) parent.postMessage({ type: "parley:message" }, host);
  }

  // A bot message still being written (an LLM reply): the whole text so
  // far under the id its stored message will have, which replaces it
  // (message). Empty content: the reply was abandoned.
  function stream(f) {
    if (S.seen.has(f.id)) return; // the message is here already
    let li = streaming(f.id);
    if (!f.content) {
      const next = li?.nextElementSibling;
      li?.remove();
      return group(next);
    }
    showTyping(false);
    if (!li) {
      li = el("li", "msg " + f.sender + " streaming");
      li.dataset.id = f.id;
      fill(li, f, new Date().toISOString());
      li.append(el("div", "bubble"));
      li.dataset.seq = S.lastSeq + 0.5; // after what is shown, before what follows
      li.setAttribute("aria-busy", "true");
      place(li, S.lastSeq + 0.5);
    }
    const stick = nearBottom();
    li.lastChild.textContent = f.content;
    scrollDown(stick);
  }

  const streaming = (id) => id && ui.log.querySelector(`li.streaming[data-id="${CSS.escape(id)}"]`);

  const POLITE = {
    rate_limited: "You're sending messages quickly. We'll send yours in a moment.",
    too_large: "That message is too long to send.",
    invalid_message: "That message couldn't be sent.",
    dialog_error: "Sorry, the bot ran into a problem. Please try again.",
    unavailable: "The chat is restarting. We'll reconnect you.",
    internal: "Something went wrong on our side. Please try again.",
  };

  function error(f) {
    S.lastError = f;
    // Without a client_id these come just before a close, which says it better.
    if (["unauthorized", "forbidden", "not_found", "rate_limited"].includes(f.code) && !f.client_id) return;
    const it = f.client_id && P.find(f.client_id);
    if (it && f.code === "rate_limited") {
      setTimeout(() => transmit(it), Math.max(1000, f.retry_after_ms || 0));
    } else if (it) { // the server will never take this one: show it as not sent
      return fail(it, POLITE[f.code] || "please try again.");
    }
    if (f.code !== "invalid_request") note(POLITE[f.code] || "Something went wrong. Please try again.", true);
  }

  // ---- Sending ----------------------------------------------------------

  // send sends text and the attachments att (already uploaded: their ids
  // go with the message, and stay in the pending entry for a re-send).
  function send(text, att = []) {
    if (!text.trim() && !att.length) return false;
    typingAt = 0; // the server ends the indicator with the message
    const it = { cid: newId(), text, owner: owner(), sid: S.sid };
    if (att.length) it.att = att;
    P.save([...P.all(), it]);
    showPending(it);
    if (S.stopped) fail(it, S.stopped);
    suggest([]); // answered (the server clears them too); no double sends
    transmit(it);
    return true;
  }

  // fail shows a message the server will never take as not sent, and why.
  function fail(it, why) {
    P.drop(it.cid);
    const li = ui.log.querySelector(`[data-cid="${CSS.escape(it.cid)}"]`);
    if (li) { li.className = "msg user failed"; li.querySelector(".meta").replaceWith(meta("Not sent: " + why)); }
  }

  // Typing: active:true when the box gets text, again every 3 s while it
  // changes (the server forgets it after 5 s), active:false when emptied.
  let typingAt = 0;
  function typing() {
    const on = !!ui.box.value.trim();
    if (!S.ready || (on ? Date.now() - typingAt < 3000 : !typingAt)) return;
    typingAt = on ? Date.now() : 0;
    S.ws.send(JSON.stringify({ type: "typing", active: on }));
  }

  const sentAt = new Map(); // client_id → when it last went out on a socket
  function transmit(it) {
    if (S.ready && S.ws && S.ws.readyState === WebSocket.OPEN && P.find(it.cid)) {
      const f = { type: "message", content: it.text, client_id: it.cid };
      if (it.att) f.attachments = it.att.map((a) => a.id);
      S.ws.send(JSON.stringify(f));
      sentAt.set(it.cid, Date.now());
    }
  }
  // An acknowledgement can be lost with a connection that has not noticed
  // it is dead yet: send again what has waited 10 s. The same client_id
  // makes that safe (the server answers with the stored message).
  setInterval(() => {
    for (const it of P.mine()) if (Date.now() - (sentAt.get(it.cid) || 0) > 10000) transmit(it);
  }, 5000);

  function showPending(it) {
    let li = ui.log.querySelector(`[data-cid="${CSS.escape(it.cid)}"]`);
    if (!li) {
      li = el("li", "msg user pending");
      li.dataset.cid = it.cid;
      li.append(meta(), bubble(it.text, it.att));
      ui.log.append(li);
    }
    li.querySelector(".meta").replaceWith(meta(S.ready ? "Sending…" : "Will send when back online"));
    scrollDown(true);
  }

  // ---- Rendering --------------------------------------------------------

  // bubble is a message's text and its attachments, drawn by files.js.
  function bubble(text, att) {
    const b = el("div", "bubble", text);
    if (att && att.length) {
      const box = el("div", "atts");
      if (!text.trim()) b.classList.add("files-only");
      b.append(box);
      files().then((f) => f.show(box, att, cred));
    }
    return b;
  }

  // fill starts a message's item over: the sender's avatar (bot and agents),
  // name and time. Messages of one sender less than 5 minutes apart form a
  // group (see group).
  function fill(li, m, ts) {
    const who = senderName(m);
    li.dataset.who = m.sender === "agent" ? "agent:" + who : m.sender;
    li.dataset.ts = Date.parse(ts);
    li.replaceChildren(meta(who, ts));
    if (m.sender !== "user") li.prepend(avatar(el("span"), who));
  }

  // avatar shows a name's initials on a colour of its own.
  function avatar(a, name) {
    a.className = "av";
    a.setAttribute("aria-hidden", "true");
    a.textContent = name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0]).join("").toUpperCase();
    let h = 0;
    for (const c of name) h = (h * 31 + c.codePointAt(0)) % 360;
    a.style.setProperty("--hue", h);
    return a;
  }

  // group marks a message that goes on its sender's group: the same sender
  // as the message above, less than 5 minutes later. Its name, time and
  // avatar are not repeated on screen (a screen reader still reads them).
  function group(li) {
    if (!li || !li.classList.contains("msg")) return;
    const p = li.previousElementSibling, solo = (e) => /pending|failed/.test(e.className);
    li.classList.toggle("cont", !!p && p.classList.contains("msg") && !solo(p) && !solo(li) &&
      p.dataset.who === li.dataset.who && li.dataset.ts - p.dataset.ts < 300000);
  }

  function meta(who, ts) {
    const p = el("p", "meta");
    if (ts) {
      p.append(el("b", null, who), " · ");
      const d = new Date(ts), t = el("time", null, fmtTime(d));
      t.dateTime = ts;
      p.append(t);
    } else {
      p.append(el("b", null, "You"), " · " + (who || "Sending…"));
    }
    return p;
  }

  function fmtTime(d) {
    const opt = { hour: "numeric", minute: "2-digit" }; // 9:05, not 09:05
    return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString([], opt)
      : d.toLocaleString([], { month: "short", day: "numeric", ...opt });
  }

  // place puts a message in seq order, above the pending ones (their place
  // is not known until the server acknowledges them).
  function place(li, seq) {
    let after = ui.log.lastElementChild;
    while (after && (after.classList.contains("pending") || after.classList.contains("failed") || +after.dataset.seq > seq || (after === li))) {
      after = after.previousElementSibling;
    }
    const stick = nearBottom();
    const next = li.nextElementSibling;
    if (after) after.after(li); else ui.log.prepend(li);
    group(li);
    group(li.nextElementSibling);
    group(next); // where it came from (a pending message moves up)
    scrollDown(stick || li.classList.contains("user"));
  }

  function note(text, warn) {
    const li = el("li", "note" + (warn ? " warn" : ""), text);
    li.dataset.seq = S.lastSeq;
    ui.log.append(li);
    scrollDown(true);
  }

  const nearBottom = () => ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
  const scrollDown = (force) => { if (force || nearBottom()) ui.log.scrollTop = ui.log.scrollHeight; };

  function suggest(list) {
    const hadFocus = ui.suggestions.contains(document.activeElement);
    ui.suggestions.replaceChildren(...list.map((s) => {
      const b = el("button", null, s);
      b.type = "button";
      b.onclick = () => { send(s); ui.box.focus(); };
      return b;
    }));
    if (hadFocus) ui.box.focus(); // the focused button is gone: keep focus somewhere useful
    fade();
  }
  function fade() {
    const s = ui.suggestions;
    s.classList.toggle("more", s.scrollWidth - s.scrollLeft - s.clientWidth > 4);
    s.classList.toggle("back", s.scrollLeft > 4);
  }

  function showTyping(on, sender, user) {
    const who = sender === "agent" ? S.agent || "Agent" : sender === "user" ? (user || "Someone") : botName(S.botId);
    ui.typingText.textContent = who + " is typing…";
    ui.typing.classList.toggle("on", !!on);
  }

  function setConn(text, down) {
    ui.conn.textContent = text;
    ui.conn.classList.toggle("online", !down && text === "Online");
    // Pending bubbles say whether they are on their way.
    if (down) for (const it of P.mine()) showPending(it);
  }

  const botName = (id) => (S.bots.find((b) => b.id === id) || {}).name || (id ? id[0].toUpperCase() + id.slice(1) : "Parley");
  function setTitle() {
    ui.title.textContent = botName(S.botId);
    if (!embed) document.title = botName(S.botId) + " · Parley";
  }
  const senderName = (m) => (m.sender === "user" ? "You" : m.sender === "agent" ? m.sender_name || "Agent" : botName(S.botId));
  // markRead marks the visitor's messages someone else (an agent) has read.
  const markRead = (seq) => ui.log.querySelectorAll(".msg.user[data-seq]").forEach((li) => { if (+li.dataset.seq <= seq) li.classList.add("read"); });

  // resetView empties the transcript for another conversation.
  function resetView() {
    S.seen.clear();
    S.lastSeq = 0;
    S.sid = null;
    S.agent = "";
    ui.log.querySelectorAll("li:not(.intro)").forEach((li) => li.remove());
    if (F) F.then((f) => { f.forget(); tray?.clear(); });
    ui.log.removeAttribute("aria-busy");
    suggest([]);
    showTyping(false);
  }

  // showSaved shows, before connecting, the conversation that will be
  // resumed and the messages still waiting to be sent in it.
  function showSaved() {
    S.sid = (store.get(skey()) || {}).sid || null;
    for (const it of P.mine()) showPending(it);
  }

  function forgetConversation(why) {
    const old = S.sid;
    store.set(skey(), null);
    resetView();
    P.move(old, null); // deliver them in the new conversation
    if (why) note(why);
    showSaved();
  }

  // ---- Logged-in mode ---------------------------------------------------

  async function api(path, opt = {}) {
    const headers = {};
    if (S.token) headers.Authorization = "Bearer " + S.token;
    if (opt.body) headers["Content-Type"] = "application/json";
    const r = await fetch(path, { ...opt, headers });
    if (!r.ok) throw Object.assign(new Error(path + ": " + r.status), { status: r.status });
    return r.json();
  }

  // claims decodes (does not verify: the server does) a JWT's payload.
  function claims(token) {
    try {
      const bin = atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"));
      const p = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
      return p && p.sub ? p : null;
    } catch { return null; }
  }

  function setUser(token) {
    const c = token && claims(token);
    disconnect();
    resetView();
    S.token = c ? token : null;
    S.user = c;
    S.stopped = false;
    S.attempt = 0;
    if (!embed) store.set("parley:token", S.token);
    // Embedded, the chat stays one column: the host site has its own account UI.
    ui.app.classList.toggle("auth", !!c && !embed);
    ui.side.hidden = !c || embed;
    ui.who.hidden = !c || embed;
    ui.who.textContent = c ? "Signed in as " + (c.name || c.sub) : "";
    ui.loginOpen.hidden = !!c || embed;
    ui.logout.hidden = !c || embed;
    ui.login.hidden = true;
    ui.loginOpen.setAttribute("aria-expanded", "false");
    ui.convs.replaceChildren();
    if (c) fillBots();
    showSaved();
    connect();
  }

  async function authFailed() {
    if (embed && !S.reasked) { // the host page may have a fresher token
      S.reasked = true;
      return setUser(await askHostForToken());
    }
    setUser(null);
    note("Your login has expired. Please log in again.", true);
  }

  async function loadBots() {
    try { S.bots = (await api("/api/bots")).bots || []; } catch { return; }
    if (S.botId) setTitle();
    for (const b of ui.log.querySelectorAll(".msg.bot .meta b")) b.textContent = botName(S.botId);
    for (const a of ui.log.querySelectorAll(".msg.bot .av")) avatar(a, botName(S.botId));
    fillBots();
  }

  function fillBots() {
    ui.bot.replaceChildren(...S.bots.map((b) => {
      const o = el("option", null, b.name);
      o.value = b.id;
      o.selected = S.bot ? b.id === S.bot : b.default;
      return o;
    }));
  }

  let listTimer = 0;
  const loadConversationsSoon = () => { clearTimeout(listTimer); listTimer = setTimeout(loadConversations, 1500); };

  async function loadConversations() {
    clearTimeout(listTimer);
    let list;
    try { list = (await api("/api/conversations?limit=50")).conversations || []; } catch { return; }
    ui.convs.replaceChildren(...list.map((c) => {
      const b = el("button");
      b.type = "button";
      const t = el("time", null, c.last_activity ? fmtTime(new Date(c.last_activity)) : "");
      const bot = c.bot_name || c.bot_id; // a titled conversation shows its title, then the bot
      b.append(el("b", null, c.title ? c.title + " · " + bot : bot), t, el("span", null, c.last_message == null ? "No messages yet" : c.last_message || "Sent a file"));
      if (c.session_id === S.sid) b.setAttribute("aria-current", "true");
      b.onclick = () => openConversation(c.bot_id, c.session_id);
      const li = el("li");
      li.append(b);
      return li;
    }));
  }

  function openConversation(bot, sid) {
    ui.app.classList.remove("side-open");
    ui.menu.setAttribute("aria-expanded", "false");
    if (sid === S.sid) return ui.box.focus();
    disconnect();
    resetView();
    S.bot = bot;
    fillBots();
    store.set(skey(), sid ? { sid } : null);
    S.attempt = 0;
    showSaved();
    connect();
    ui.box.focus();
  }

  // Read marks let the user's other devices (and the list) know what was seen.
  let readTimer = 0;
  function scheduleRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (document.visibilityState === "visible" && S.ready) S.ws.send(JSON.stringify({ type: "read", seq: S.lastSeq }));
    }, 800);
  }

  // ---- Attachments ---------------------------------------------------------
  // files.js (shared with the support console) is loaded on first use: a
  // file picked, dropped or pasted, or a message that carries one.

  let F = null, tray = null;
  const files = () => (F ||= import("./files.js"));
  // cred: a logged-in user's token, or a visitor's conversation and resume token.
  const cred = () => (S.token ? { headers: { Authorization: "Bearer " + S.token } }
    : { query: new URLSearchParams({ session_id: S.sid || "", resume_token: (store.get(skey()) || {}).rt || "" }) + "" });

  async function attach(list) {
    if (!list.length) return;
    const f = await files();
    tray ||= new f.Tray(ui.tray, cred);
    tray.add(list);
  }

  // ---- Embedded in the widget's iframe -----------------------------------

  let tokenWaiter = null;
  function askHostForToken() {
    return new Promise((resolve) => {
      tokenWaiter = resolve;
      parent.postMessage({ type: "parley:token-request" }, host);
      setTimeout(() => resolve(null), 5000); // no answer: carry on anonymously
    });
  }

  function fromHost(e) {
    if (e.source !== parent || e.origin !== host || !e.data) return;
    if (e.data.type === "parley:token" && tokenWaiter) { tokenWaiter(e.data.token || null); tokenWaiter = null; }
    if (e.data.type === "parley:focus") ui.box.focus();
  }

  // setAccent applies ?accent= and picks readable text on it.
  function setAccent(c) {
    if (!c || !CSS.supports("color", c)) return;
    const root = document.documentElement.style;
    root.setProperty("--accent", c);
    const probe = el("i");
    probe.style.color = c;
    document.body.append(probe);
    const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g).map(Number);
    probe.remove();
    root.setProperty("--on-accent", 0.299 * r + 0.587 * g + 0.114 * b > 160 ? "#111" : "#fff");
  }

  // ---- Wiring -------------------------------------------------------------

  ui.composer.addEventListener("submit", (e) => {
    e.preventDefault();
    if (tray?.busy) tray.say("Wait for the files to finish uploading, then send.");
    else if (send(ui.box.value, tray ? tray.ready() : [])) { ui.box.value = ""; grow(); tray?.clear(); }
    ui.box.focus();
  });
  ui.attach.onclick = () => ui.file.click();
  ui.file.onchange = () => { attach([...ui.file.files]); ui.file.value = ""; ui.box.focus(); };
  ui.box.addEventListener("paste", (e) => { // an image copied to the clipboard
    const list = [...e.clipboardData.files];
    if (list.length) { e.preventDefault(); attach(list); }
  });
  // Files dragged over the conversation: it is outlined while they are over it.
  let drags = 0;
  const dragging = (e) => e.dataTransfer && [...e.dataTransfer.types].includes("Files");
  ui.chat.addEventListener("dragenter", (e) => { if (dragging(e)) ui.chat.classList.toggle("dropping", ++drags > 0); });
  ui.chat.addEventListener("dragleave", (e) => { if (dragging(e)) ui.chat.classList.toggle("dropping", --drags > 0); });
  addEventListener("dragover", (e) => { if (dragging(e)) e.preventDefault(); }); // and a file dropped beside it is not opened
  addEventListener("drop", (e) => {
    if (!dragging(e)) return;
    e.preventDefault();
    drags = 0;
    ui.chat.classList.remove("dropping");
    if (ui.chat.contains(e.target)) attach([...e.dataTransfer.files]);
  });
  // Enter sends, Shift+Enter is a new line (and Enter that ends an IME
  // composition is not a send).
  ui.box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); ui.composer.requestSubmit(); }
  });
  document.addEventListener("keydown", (e) => {
    // Escape closes the widget, unless it closes an image shown over the chat.
    if (e.key === "Escape" && embed && host && !document.querySelector("dialog[open]")) parent.postMessage({ type: "parley:close" }, host);
  });
  const grow = () => { ui.box.style.height = "auto"; ui.box.style.height = ui.box.scrollHeight + 2 + "px"; };
  ui.box.addEventListener("input", () => { grow(); typing(); });

  ui.loginOpen.onclick = () => {
    ui.login.hidden = !ui.login.hidden;
    ui.loginOpen.setAttribute("aria-expanded", String(!ui.login.hidden));
    (ui.login.hidden ? ui.box : ui.token).focus();
  };
  ui.login.addEventListener("submit", async (e) => {
    e.preventDefault();
    const t = ui.token.value.trim();
    const say = (msg) => { ui.loginMsg.textContent = msg; ui.loginMsg.classList.add("bad"); };
    if (!claims(t)) return say("That doesn't look like a token (three parts separated by dots).");
    S.token = t;
    try { await api("/api/ws-ticket", { method: "POST" }); } catch (err) {
      S.token = null;
      return say(err.status === 401 ? "That token was not accepted (expired, or signed with another secret)." : "Can't reach the server; try again.");
    }
    ui.token.value = "";
    setUser(t);
    ui.box.focus();
  });
  ui.logout.onclick = () => { setUser(null); ui.box.focus(); };
  ui.bot.onchange = () => openConversation(ui.bot.value, (store.get("parley:session:" + owner() + ":" + ui.bot.value) || {}).sid);
  ui.new.onclick = async () => {
    try {
      const c = await api("/api/conversations/start", { method: "POST", body: JSON.stringify({ bot_id: ui.bot.value }) });
      openConversation(c.bot_id, c.session_id);
    } catch { note("Couldn't start a new conversation. Please try again.", true); }
  };
  ui.suggestions.addEventListener("scroll", fade, { passive: true });
  addEventListener("resize", fade);
  ui.menu.onclick = () => {
    const open = ui.app.classList.toggle("side-open");
    ui.menu.setAttribute("aria-expanded", String(open));
  };

  addEventListener("online", () => { if (!S.ws && !S.stopped) connect(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (!S.ws && !S.stopped) connect();
    else if (S.token) scheduleRead();
  });

  async function start() {
    loadBots();
    if (embed) {
      ui.close.hidden = false;
      ui.close.onclick = () => parent.postMessage({ type: "parley:close" }, host);
      ui.loginOpen.hidden = true;
      setAccent(params.get("accent"));
      const greeting = params.get("greeting");
      if (greeting) ui.log.prepend(el("li", "intro", greeting));
      if (host) addEventListener("message", fromHost);
      if (host) parent.postMessage({ type: "parley:ready" }, host);
      return setUser(host && params.get("auth") === "1" ? await askHostForToken() : null);
    }
    setUser(store.get("parley:token"));
  }

  start();
  ui.box.focus();
})();
