// Small DOM and formatting helpers shared by the console's modules.

export const $ = (id) => document.getElementById(id);

export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

// time is a <time> of an RFC 3339 timestamp: the time today, else the day too.
export function time(ts) {
  const d = new Date(ts), opt = { hour: "numeric", minute: "2-digit" }; // 9:05, not 09:05
  const t = el("time", null, d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString([], opt)
    : d.toLocaleString([], { month: "short", day: "numeric", ...opt }));
  t.dateTime = ts;
  return t;
}

// duration says a number of seconds the way a person would.
export function duration(s) {
  if (s == null || !isFinite(s)) return "–";
  if (s < 60) return Math.round(s) + " s";
  if (s < 3600) return Math.round(s / 60) + " min";
  if (s < 86400) return (s / 3600).toFixed(1) + " h";
  return (s / 86400).toFixed(1) + " d";
}

// ago is how long ago an RFC 3339 timestamp was.
export const ago = (ts) => (Date.now() - Date.parse(ts) < 60000 ? "just now" : duration((Date.now() - Date.parse(ts)) / 1000) + " ago");

export const newId = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
