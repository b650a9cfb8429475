// The queue: GET /api/support/conversations, one support status at a time
// (the tabs), optionally only those assigned to the agent or to nobody,
// in the API's order (least recent activity first: the longest waiting on
// top). It refreshes every 5 s while the page is visible, and soon after
// a frame or an action says something changed, but at most every 3 s:
// the list endpoint allows 30 calls a minute per user. A tab or a filter
// picked by the agent refreshes at once.
import { api, me } from "./api.js";
import { $, ago, el } from "./dom.js";

const POLL = 5000, GAP = 3000;
const ui = { tabs: $("tabs"), filter: $("agent-filter"), count: $("queue-count"), rows: $("rows") };
const Q = { status: "waiting", timer: 0, due: 0, last: 0, gen: 0, running: false, current: "", unread: new Set(), opts: null };

// initQueue wires the tabs and the filter. opts.open(row) opens a row;
// opts.rows(rows) hears every page fetched.
export function initQueue(opts) {
  Q.opts = opts;
  const tabs = [...ui.tabs.querySelectorAll("[role=tab]")];
  const pick = (tab) => {
    for (const t of tabs) {
      t.setAttribute("aria-selected", String(t === tab));
      t.tabIndex = t === tab ? 0 : -1;
    }
    Q.status = tab.dataset.status;
    refresh();
  };
  for (const t of tabs) t.onclick = () => pick(t);
  // Arrow keys move between the tabs, as in any tab list.
  ui.tabs.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(document.activeElement), d = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: tabs.length - 1 - i }[e.key];
    if (i < 0 || d === undefined) return;
    e.preventDefault();
    const t = tabs[(i + d + tabs.length) % tabs.length];
    t.focus();
    pick(t);
  });
  ui.filter.onchange = refresh;
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") refreshSoon(0); });
}

export function startQueue() { Q.running = true; refresh(); }
export function stopQueue() { Q.running = false; clearTimeout(Q.timer); Q.timer = 0; ui.rows.replaceChildren(); Q.unread.clear(); }

// refreshSoon refreshes after delay, or as soon as the gap allows. An
// answer on its way is dropped: it may be from before the change.
export function refreshSoon(delay = 300) {
  if (!Q.running) return;
  Q.gen++;
  const due = Math.max(Date.now() + delay, Q.last + GAP);
  if (Q.timer && Q.due <= due) return; // one is due sooner
  clearTimeout(Q.timer);
  Q.due = due;
  Q.timer = setTimeout(refresh, due - Date.now());
}

export function setCurrent(sid) { Q.current = sid; Q.unread.delete(sid); mark(); }
export function markUnread(sid) { if (sid !== Q.current) { Q.unread.add(sid); mark(); } }

async function refresh() {
  if (!Q.running) return;
  clearTimeout(Q.timer);
  Q.timer = 0;
  Q.last = Date.now();
  const gen = ++Q.gen; // an answer to an older question (another tab) is dropped
  const q = new URLSearchParams({ status: Q.status, limit: "50" });
  const agent = ui.filter.value === "me" ? me().user : ui.filter.value;
  if (agent) q.set("agent", agent);
  let page, wait = POLL;
  try {
    page = await api("/api/support/conversations?" + q);
  } catch (e) {
    ui.count.textContent = e.status === 429 ? "Refreshing too often; waiting a little." : "Couldn't load the queue: " + e.message;
    wait = e.status === 429 ? 15000 : POLL;
  }
  if (!Q.running || gen !== Q.gen) return;
  if (page) draw(page);
  if (document.visibilityState === "visible") refreshSoon(wait);
}

function draw(page) {
  const focused = document.activeElement && document.activeElement.dataset.sid;
  ui.rows.replaceChildren(...page.conversations.map(row));
  if (focused) ui.rows.querySelector(`[data-sid="${CSS.escape(focused)}"]`)?.focus();
  const shown = page.conversations.length;
  ui.count.textContent = `${page.total} ${Q.status}` + (shown < page.total ? ` (the first ${shown} shown)` : "");
  mark();
  Q.opts.rows(page.conversations);
}

function row(c) {
  const b = el("button", "row-btn");
  b.type = "button";
  b.dataset.sid = c.id;
  const who = c.assigned_agent ? (c.assigned_agent === me().user ? "Assigned to you" : "Assigned to " + c.assigned_agent) : "Not assigned";
  b.append(el("b", null, c.title || c.user_id), el("span", "ago", c.last_activity ? ago(c.last_activity) : ""),
    el("span", "last", c.last_message == null ? "No messages yet" : c.last_message || "Sent a file"), el("span", "agent", who), el("span", "dot"));
  b.onclick = () => Q.opts.open(c);
  const li = el("li");
  li.append(b);
  return li;
}

// mark shows which row is open and which have news.
function mark() {
  for (const b of ui.rows.querySelectorAll("button[data-sid]")) {
    const sid = b.dataset.sid;
    b.toggleAttribute("aria-current", sid === Q.current);
    if (sid === Q.current) b.setAttribute("aria-current", "true");
    b.classList.toggle("unread", Q.unread.has(sid));
    b.querySelector(".dot").textContent = Q.unread.has(sid) ? "new messages" : "";
  }
}
