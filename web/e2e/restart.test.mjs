// Flaky networks and restarts: the page reconnects, resumes with
// after=<last seq>, and delivers what was typed meanwhile exactly once.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { flakyNetwork, launch, msg, open, say, startServer, transcript } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const count = (page, sender, text) => msg(page, sender, text).count();

test("server restart: the page reconnects and the conversation continues", async (t) => {
  let server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url);
  await msg(page, "bot", "What's your name?").waitFor();
  await say(page, "Ada");
  await page.getByRole("button", { name: "Order status", exact: true }).waitFor();

  // A crash: the page notices and keeps trying.
  await server.stop("SIGKILL");
  await page.locator("#conn", { hasText: /Reconnecting|Offline/ }).waitFor();

  // Typed while the server is down: shown as pending, kept in localStorage.
  await say(page, "Order status");
  await page.locator("#log .msg.pending", { hasText: "Order status" }).waitFor();
  assert.match(await page.locator("#log .msg.pending .meta").textContent(), /Will send when back online/);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("parley:pending")));
  assert.deepEqual(stored.map((p) => p.text), ["Order status"]);

  // The same port and data dir again: the page resumes, sends it once, and the bot answers.
  server = await startServer({ data: server.data, port: server.port });
  await msg(page, "user", "Order status").waitFor();
  await page.locator("#log .msg.bot .bubble", { hasText: "Our support bot checks orders" }).waitFor();
  await page.locator("#conn.online").waitFor();

  // After the restart, a new message and its reply.
  await page.getByRole("button", { name: "About Parley", exact: true }).click();
  await page.locator("#log .msg.bot .bubble", { hasText: "Parley runs bots" }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("parley:pending")), null);

  // The server stored the offline message once: a fresh replay shows it once.
  const shown = await transcript(page);
  await page.reload();
  await page.getByRole("button", { name: "About Parley", exact: true }).waitFor();
  assert.deepEqual(await transcript(page), shown);
  assert.equal(await count(page, "user", "Order status"), 1);
  assert.equal(await count(page, "user", "About Parley"), 1);
  assert.deepEqual(page.problems.filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket/.test(p)), []);
});

// A connection can die with a message on its way up (never stored) or
// with its acknowledgement on the way down (stored, but the page doesn't
// know). Either way the page keeps it as pending across a reload and sends
// it again with the same client_id: stored once, shown once.
for (const [lost, drop] of [
  ["the message", (dir, f) => dir === "up" && f.type === "message"],
  ["its acknowledgement", (dir, f) => dir === "down" && f.type === "message" && f.sender === "user"],
]) {
  test(`a reload after losing ${lost}: sent again, stored and shown once`, async (t) => {
    const server = await startServer();
    t.after(() => server.stop("SIGTERM"));
    const page = await open(browser);
    const net = await flakyNetwork(page);
    await page.goto(server.url);
    await msg(page, "bot", "What's your name?").waitFor();
    net.lose = drop;
    await say(page, "Lin");
    await page.locator("#log .msg.pending", { hasText: "Lin" }).waitFor();
    assert.match(await page.locator("#log .msg.pending .meta").textContent(), /Sending/);
    if (lost === "its acknowledgement") await msg(page, "bot", "Nice to meet you, Lin!").waitFor(); // it was stored

    net.lose = () => false;
    await page.reload();
    await msg(page, "user", "Lin").waitFor();
    await msg(page, "bot", "Nice to meet you, Lin!").waitFor();
    await page.getByRole("button", { name: "About Parley", exact: true }).waitFor();
    // The re-send's answer (the stored message again) has arrived once
    // the pending list is empty; it must not show twice.
    await page.waitForFunction(() => localStorage.getItem("parley:pending") === null);
    assert.equal(await count(page, "user", "Lin"), 1);
    assert.equal(await count(page, "bot", "Nice to meet you, Lin!"), 1);
    assert.equal(await page.locator("#log .msg.pending").count(), 0);
  });
}
