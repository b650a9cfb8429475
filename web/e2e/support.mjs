// Helpers of the support console's browser tests.
import assert from "node:assert/strict";
import { token } from "./helpers.mjs";

/** Signs in on /support with a JWT or an API key (and the user id beside a key). */
export async function signIn(page, secret, uid) {
  await page.getByLabel("Access token or API key").fill(secret);
  if (uid) await page.getByLabel("Your user id").fill(uid);
  await page.getByLabel("Access token or API key").press("Enter");
}

/** Starts a conversation of user with the welcome bot over REST; its id. */
export async function startConversation(server, user, text) {
  const r = await call(server, await token(server, user), "POST", "/api/conversations/start", { bot_id: "welcome", initial_message: text });
  return r.session_id;
}

/**
 * Puts a conversation in the support queue as an admin would: PATCH
 * support_status waiting: a conversation in the queue without a bot's
 * TRANSFER.
 */
export async function queueAsAdmin(server, sid) {
  await call(server, await token(server, "root", "Root", "admin"), "PATCH", "/api/conversations/" + sid, { support_status: "waiting" });
}

/** One REST call as jwt; fails the test unless it succeeds; the answer. */
export async function call(server, jwt, method, path, body) {
  const r = await fetch(server.url + path, {
    method, body: JSON.stringify(body),
    headers: { Authorization: "Bearer " + jwt, "Content-Type": "application/json" },
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

/** A GET /api/support/stats answer, in the endpoint's shape (docs/support.md, "Statistics"). */
export const STATS = {
  since: "2025-03-01T00:00:00Z",
  conversations: 7,
  by_status: { open: 2, waiting: 1, resolved: 4, closed: 0 },
  by_agent: { ada: { assigned: 3, open: 1, resolved: 2 }, bea: { assigned: 1, open: 1, resolved: 0 } },
  first_response_seconds: { p50: 90, p90: 600 },
  resolution_seconds: { p50: 1800, p90: 4000 },
};
