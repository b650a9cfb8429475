// The agent's credential and the console's calls to /api.
//
// The credential is a JWT (sent as Authorization: Bearer) or an API key
// (X-API-Key), kept in sessionStorage under parley:support: it lasts as
// long as the tab, so a console left on a shared machine forgets it when
// closed. It never goes in a URL; sockets get single-use tickets.

const KEY = "parley:support";

// cred is {secret, jwt, user, name, role}, or null when signed out.
let cred = null;
let onRefused = () => {};

export const me = () => cred;

export function loadCredential() {
  try { cred = JSON.parse(sessionStorage.getItem(KEY)); } catch { cred = null; }
  return cred;
}

export function remember(c) {
  cred = c;
  try { c ? sessionStorage.setItem(KEY, JSON.stringify(c)) : sessionStorage.removeItem(KEY); } catch { /* memory only */ }
}

// whenRefused sets what to do when the server refuses the credential
// (401): it expired or was revoked.
export const whenRefused = (fn) => { onRefused = fn; };

// claims decodes (does not verify: the server does) a JWT's payload.
export function claims(token) {
  try {
    const bin = atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"));
    const p = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
    return p && p.sub ? p : null;
  } catch { return null; }
}

// APIError carries the HTTP status and the server's error code.
export class APIError extends Error {
  constructor(status, code, message) {
    super(message || code || "HTTP " + status);
    this.status = status;
    this.code = code;
  }
}

// auth is the header that carries credential c (JWT or API key).
export const auth = (c = cred) => (c ? { [c.jwt ? "Authorization" : "X-API-Key"]: (c.jwt ? "Bearer " : "") + c.secret } : {});

// api calls path with the credential (or with c, to try one before
// keeping it) and returns the JSON answer, or throws an APIError.
export async function api(path, { method = "GET", body, c = cred } = {}) {
  const headers = auth(c);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new APIError(0, "network", "Can't reach the server.");
  }
  const data = await r.json().catch(() => null);
  if (r.ok) return data;
  if (r.status === 401 && c === cred && cred) onRefused();
  throw new APIError(r.status, data && data.error, data && data.message);
}
