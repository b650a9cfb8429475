// Parley chat widget. One tag puts a chat bubble on any allowed site:
//
//   <script src="https://parley.example/widget.js" async></script>
//
// The bubble opens an <iframe> of the Parley page (/?embed=1) served from
// Parley's own origin, so the chat's socket and storage are Parley's and
// the host page's scripts and styles cannot reach into it. A logged-in
// host passes a token through postMessage (origins checked both ways).
// Options (data-*) are listed in docs/web.md.
(() => {
  "use strict";
  const me = document.currentScript;
  if (!me || window.__parleyWidget) return; // loaded twice: keep the first
  window.__parleyWidget = true;
  const ds = me.dataset;
  const origin = new URL(me.src, location.href).origin;
  const api = (window.ParleyWidget = window.ParleyWidget || {});
  const tokenFn = () => {
    const f = (ds.tokenCallback && window[ds.tokenCallback]) || api.token;
    return typeof f === "function" ? f : null;
  };
  const accent = ds.accent && CSS.supports("color", ds.accent) ? ds.accent : "#2458d6";
  const ink = (() => { // black or white, whichever reads better on the accent
    const probe = document.createElement("i");
    probe.style.color = accent;
    document.documentElement.append(probe);
    const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g).map(Number);
    probe.remove();
    return 0.299 * r + 0.587 * g + 0.114 * b > 160 ? "#111" : "#fff";
  })();
  const side = ds.position === "left" ? "left" : "right";
  const label = ds.label || "Chat with us";

  // A shadow root keeps the host page's CSS off the bubble, and ours off the page.
  const root = document.createElement("div");
  root.setAttribute("data-parley-widget", "");
  const shadow = root.attachShadow({ mode: "open" });
  const css = `
    :host { all: initial; }
    button { position: fixed; ${side}: 20px; bottom: 20px; z-index: 2147483646; width: 56px; height: 56px;
      border: 0; border-radius: 50%; background: ${accent}; color: ${ink}; cursor: pointer; display: grid; place-items: center;
      box-shadow: 0 6px 20px rgba(0,0,0,.25); transition: transform .15s; }
    button:hover { transform: scale(1.06); }
    button:focus-visible { outline: 3px solid ${accent}; outline-offset: 3px; }
    svg { width: 28px; height: 28px; fill: currentColor; }
    .dot { position: absolute; top: 4px; right: 4px; width: 12px; height: 12px; border-radius: 50%; background: #e53e3e; border: 2px solid #fff; }
    .panel { position: fixed; ${side}: 20px; bottom: 88px; z-index: 2147483647; width: 380px; height: min(640px, calc(100vh - 108px));
      border-radius: 16px; overflow: hidden; box-shadow: 0 12px 40px rgba(0,0,0,.3); background: #fff; }
    iframe { width: 100%; height: 100%; border: 0; display: block; }
    @media (prefers-color-scheme: dark) { .panel { background: #101318; } }
    @media (max-width: 480px) { .panel { inset: 0; width: auto; height: auto; border-radius: 0; } }
    @media (prefers-reduced-motion: reduce) { button { transition: none; } }`;
  try {
    const sheet = new CSSStyleSheet(); // not subject to the host page's style-src
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(Object.assign(document.createElement("style"), { textContent: css }));
  }
  const svg = (d) => `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${d}"/></svg>`;
  const chatIcon = svg("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2h-9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  const closeIcon = svg("M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z");
  const bubble = document.createElement("button");
  bubble.type = "button";
  bubble.innerHTML = chatIcon;
  bubble.setAttribute("aria-label", label);
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "parley-panel");
  const panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "parley-panel";
  panel.hidden = true;
  shadow.append(panel, bubble);

  // ready: the chat page in the frame has loaded and said so. Until then
  // the frame holds about:blank, of the host's origin, and a message posted
  // to Parley's origin would be dropped with a console warning.
  let frame = null, ready = false;
  function ensureFrame() { // made on first open: a page that never chats pays for one small script
    if (frame) return;
    const q = new URLSearchParams({ embed: "1", origin: location.origin });
    if (ds.bot) q.set("bot", ds.bot);
    if (ds.accent) q.set("accent", ds.accent);
    if (ds.greeting) q.set("greeting", ds.greeting);
    if (tokenFn()) q.set("auth", "1");
    frame = document.createElement("iframe");
    frame.title = ds.title || "Chat";
    frame.src = origin + "/?" + q;
    panel.append(frame);
  }

  function toggle(open) {
    open = open == null ? panel.hidden : open;
    if (open) ensureFrame();
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    bubble.innerHTML = open ? closeIcon : chatIcon; // also drops the unread dot
    if (open) { frame.focus(); if (ready) frame.contentWindow.postMessage({ type: "parley:focus" }, origin); }
    else bubble.focus();
  }
  bubble.addEventListener("click", () => toggle());

  addEventListener("message", async (e) => {
    if (!frame || e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
    const t = e.data.type;
    if (t === "parley:close") toggle(false);
    else if (t === "parley:ready") {
      ready = true;
      if (!panel.hidden) frame.contentWindow.postMessage({ type: "parley:focus" }, origin);
    }
    else if (t === "parley:token-request") {
      let token = null;
      try { token = tokenFn() && (await tokenFn()()); } catch { /* no token: anonymous */ }
      frame.contentWindow.postMessage({ type: "parley:token", token: token || null }, origin);
    } else if (t === "parley:message" && panel.hidden && !shadow.querySelector(".dot")) {
      bubble.append(Object.assign(document.createElement("span"), { className: "dot" }));
    }
  });

  api.open = () => toggle(true);
  api.close = () => toggle(false);
  api.toggle = () => toggle();

  const mount = () => {
    document.body.append(root);
    if (ds.open === "true") toggle(true);
  };
  document.body ? mount() : addEventListener("DOMContentLoaded", mount);
})();
