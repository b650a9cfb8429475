// Parley's minimal chat page: an anonymous visitor talks to the default
// bot over /ws. The session id and resume token are kept in localStorage,
// so a reload resumes the conversation from the last seq seen.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const log = $("log"), box = $("box"), sugg = $("suggestions"), typing = $("typing"), status = $("status");
  const store = window.localStorage;
  let sock = null, lastSeq = 0, backoff = 500;
  const seen = new Set();

  function connect() {
    const q = new URLSearchParams();
    const sid = store.getItem("parley.session"), tok = store.getItem("parley.resume");
    if (sid && tok) { q.set("session_id", sid); q.set("resume_token", tok); q.set("after", String(lastSeq)); }
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    sock = new WebSocket(proto + "//" + location.host + "/ws?" + q);
    sock.onmessage = (ev) => handle(JSON.parse(ev.data));
    sock.onopen = () => { backoff = 500; status.textContent = "connected"; };
    sock.onclose = (ev) => {
      status.textContent = "disconnected; reconnecting…";
      if (ev.code === 4003 || ev.code === 4004) { store.removeItem("parley.session"); store.removeItem("parley.resume"); lastSeq = 0; }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  function handle(f) {
    switch (f.type) {
      case "status":
        if (f.status === "connected") {
          store.setItem("parley.session", f.session_id);
          if (f.resume_token) store.setItem("parley.resume", f.resume_token);
        }
        break;
      case "message": addMessage(f); break;
      case "typing": typing.hidden = !f.active; break;
      case "suggestion": showSuggestions(f.suggestions || []); break;
      case "error": addLine("error", f.message || f.code); break;
    }
  }

  function addMessage(m) {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    lastSeq = Math.max(lastSeq, m.seq);
    if (m.sender !== "user") typing.hidden = true;
    const li = addLine(m.sender, m.content);
    const meta = document.createElement("small");
    meta.textContent = m.sender + " · " + new Date(m.timestamp).toLocaleTimeString();
    li.prepend(meta);
  }

  function addLine(cls, text) {
    const li = document.createElement("li");
    li.className = cls;
    li.append(document.createTextNode(text));
    log.append(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  function showSuggestions(list) {
    sugg.replaceChildren(...list.map((s) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = s;
      b.onclick = () => send(s);
      return b;
    }));
  }

  function send(text) {
    if (!text.trim() || !sock || sock.readyState !== WebSocket.OPEN) return;
    const id = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random();
    sock.send(JSON.stringify({ type: "message", content: text, client_id: id }));
  }

  $("composer").addEventListener("submit", (ev) => {
    ev.preventDefault();
    send(box.value);
    box.value = "";
    box.focus();
  });
  connect();
  box.focus();
})();
