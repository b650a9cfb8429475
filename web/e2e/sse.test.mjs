// Server-Sent Events in a browser: EventSource cannot send headers, so it
// opens a conversation's stream with a ticket from POST /api/ws-ticket.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, open, startServer, token } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("EventSource with a ticket receives a conversation's events", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const jwt = await token(server, "eve", "Eve");
  const page = await open(browser, server.url);

  const sid = await page.evaluate(async (jwt) => {
    const call = async (method, path, body) => {
      const r = await fetch(path, {
        method, headers: { Authorization: "Bearer " + jwt, "Content-Type": "application/json" },
        body: body && JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status}`);
      return r.json();
    };
    const conv = await call("POST", "/api/conversations/start", { bot_id: "echo", initial_message: "first" });
    const { ticket } = await call("POST", "/api/ws-ticket");
    window.events = [];
    const es = new EventSource(`/api/conversations/${conv.conversation_id}/events?ticket=${ticket}&after=0`);
    for (const type of ["status", "message"]) {
      es.addEventListener(type, (e) => window.events.push({ type, id: e.lastEventId, frame: JSON.parse(e.data) }));
    }
    await new Promise((resolve, reject) => { es.onopen = resolve; es.onerror = reject; });
    await call("POST", `/api/conversations/${conv.conversation_id}/messages`, { content: "second" });
    return conv.conversation_id;
  }, jwt);

  // first (replayed after=0), its echo, second and its echo, live.
  await page.waitForFunction(() => window.events.filter((e) => e.type === "message").length >= 4);
  const events = await page.evaluate(() => window.events);
  assert.equal(events[0].type, "status");
  assert.equal(events[0].frame.status, "connected");
  assert.equal(events[0].frame.session_id, sid);
  const msgs = events.filter((e) => e.type === "message");
  assert.deepEqual(msgs.map((e) => [e.id, e.frame.seq, e.frame.sender, e.frame.content]), [
    ["1", 1, "user", "first"], ["2", 2, "bot", "first"], ["3", 3, "user", "second"], ["4", 4, "bot", "second"],
  ]);
  assert.deepEqual(page.problems, []);
});
