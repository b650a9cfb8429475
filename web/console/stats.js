// The stats panel: GET /api/support/stats, counts by support status and
// by agent, and the p50/p90 of the time to a first answer and to a
// resolution. A server without the endpoint (404) says so.
import { api } from "./api.js";
import { $, duration, el } from "./dom.js";

const box = $("stats");

export async function loadStats() {
  let s;
  try {
    s = await api("/api/support/stats");
  } catch (e) {
    box.replaceChildren(el("p", "hint", e.status === 404 ? "Stats are not available on this server."
      : e.status === 403 ? "Stats are for agents and admins." : "Couldn't load the stats: " + e.message));
    return;
  }
  const by = s.by_status || {};
  box.replaceChildren(
    list("By status", ["waiting", "open", "resolved", "closed"].map((k) => [k[0].toUpperCase() + k.slice(1), by[k] ?? 0])),
    list("By agent", Object.entries(s.by_agent || {}).map(([k, v]) => [k, count(v)]), "No agent has conversations yet."),
    list("Times", [
      ["First response p50", duration(s.first_response_seconds?.p50)], ["First response p90", duration(s.first_response_seconds?.p90)],
      ["Resolution p50", duration(s.resolution_seconds?.p50)], ["Resolution p90", duration(s.resolution_seconds?.p90)],
    ]));
}

// count shows a number as it is, and an object of numbers as "k n, k n".
const count = (v) => (v && typeof v === "object" ? Object.entries(v).map(([k, n]) => k + " " + n).join(", ") : String(v));

function list(title, pairs, empty) {
  const sec = el("div", "stat");
  sec.append(el("h3", null, title));
  if (!pairs.length) { sec.append(el("p", "hint", empty)); return sec; }
  const dl = el("dl");
  for (const [k, v] of pairs) dl.append(el("dt", null, k), el("dd", null, String(v)));
  sec.append(dl);
  return sec;
}
