// The chat page as an anonymous visitor uses it: greeting, replies,
// suggestions, keyboard, reload, polite errors, and the page's budget.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, msg, open, say, startServer, transcript } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("greeting, reply, suggestion click, typing indicator, reload", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser);
  await page.addInitScript(() => { // layout shifts not caused by the user
    window.shifts = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifts += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(server.url);

  // The message box is the first visible text field, and has the focus.
  const first = await page.evaluate(() => {
    const fields = [...document.querySelectorAll("textarea, input")].filter((e) =>
      (e.tagName === "TEXTAREA" || ["text", "search", "email", "url", "tel", "password", ""].includes(e.getAttribute("type") ?? "")) &&
      e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden");
    return { first: fields[0]?.id, focused: document.activeElement?.id };
  });
  assert.deepEqual(first, { first: "box", focused: "box" });

  // The greeting, with sender and time on each message.
  await msg(page, "bot", "What's your name?").waitFor();
  const hello = msg(page, "bot", "Hello! I'm Parley's welcome bot.");
  assert.equal(await hello.locator(".meta b").textContent(), "Welcome");
  assert.match(await hello.locator("time").getAttribute("datetime"), /^\d{4}-\d\d-\d\dT/);

  // A reply typed with the keyboard alone: Enter sends, the box empties and keeps the focus.
  await page.keyboard.type("Ada");
  await page.keyboard.press("Enter");
  await msg(page, "user", "Ada").waitFor();
  await msg(page, "bot", "Nice to meet you, Ada!").waitFor();
  assert.equal(await page.locator("#box").inputValue(), "");
  assert.equal(await page.evaluate(() => document.activeElement.id), "box");

  // Suggestions are buttons named exactly by their text; a click sends the text.
  for (const s of ["Order status", "Talk to support"]) await page.getByRole("button", { name: s, exact: true }).waitFor();
  await page.evaluate(() => { // catch the typing indicator however briefly it shows
    window.typingSeen = false;
    new MutationObserver(() => { window.typingSeen ||= document.getElementById("typing").classList.contains("on"); })
      .observe(document.getElementById("typing"), { attributes: true });
  });
  await page.getByRole("button", { name: "About Parley", exact: true }).click();
  await msg(page, "user", "About Parley").waitFor();
  await page.locator("#log .msg.bot .bubble", { hasText: "Parley runs bots written as small Lua scripts" }).waitFor();
  assert.equal(await page.evaluate(() => window.typingSeen), true, "the typing indicator showed");
  await page.locator("#typing:not(.on)").waitFor({ state: "attached" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "box", "focus returns to the box");
  await page.getByRole("button", { name: "About Parley", exact: true }).waitFor(); // the next menu

  // Messages, the typing indicator and suggestions came and went: nothing moved.
  assert.equal(await page.evaluate(() => window.shifts), 0, "no layout shift");

  // Reload: the same conversation, the same transcript, nothing twice.
  const sid = () => page.evaluate(() => JSON.parse(localStorage.getItem("parley:session:anon:default")).sid);
  const before = await transcript(page);
  const sidBefore = await sid();
  assert.equal(before.length, 8);
  await page.reload();
  // The suggestions in force follow the whole backlog, so once they are
  // back the replay is complete.
  await page.getByRole("button", { name: "About Parley", exact: true }).waitFor();
  assert.deepEqual(await transcript(page), before);
  assert.equal(await sid(), sidBefore);
  const ids = await page.locator("#log .msg").evaluateAll((lis) => lis.map((li) => li.dataset.id));
  assert.equal(new Set(ids).size, ids.length);

  // And the conversation goes on.
  await say(page, "Order status");
  await page.locator("#log .msg.bot .bubble", { hasText: "Our support bot checks orders" }).waitFor();
  assert.deepEqual(page.problems, []);
});

test("keyboard: tab order, visible focus ring; errors are polite", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url);
  await msg(page, "bot", "What's your name?").waitFor();

  // From the box, Tab reaches the send button, and focus rings are visible.
  await page.keyboard.press("Tab");
  const ring = await page.evaluate(() => {
    const e = document.activeElement;
    return { id: e.id, outline: getComputedStyle(e).outlineStyle };
  });
  assert.deepEqual(ring, { id: "send", outline: "solid" });
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "box");

  // Shift+Enter is a new line, not a send.
  await page.keyboard.type("Grace");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("Hopper");
  assert.equal(await page.locator("#box").inputValue(), "Grace\nHopper");
  await page.keyboard.press("Enter");
  await msg(page, "user", "Grace\nHopper").waitFor();

  // A message the server refuses (over 32 KiB) is marked as not sent, in words.
  await page.locator("#box").fill("x".repeat(33 * 1024));
  await page.keyboard.press("Enter");
  const failed = page.locator("#log .msg.failed");
  await failed.waitFor();
  const text = await failed.locator(".meta").textContent();
  assert.match(text, /Not sent: That message is too long to send\./);
  assert.doesNotMatch(await page.locator("#log").textContent(), /too_large|invalid_message/);
  assert.deepEqual(page.problems, []);
});

test("the page and the widget load in under 50 KB, one CSS and one deferred JS", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const sizes = {};
  for (const f of ["/", "/chat.css", "/chat.js", "/widget.js", "/favicon.svg"]) {
    const r = await fetch(server.url + f);
    assert.equal(r.status, 200, f);
    sizes[f] = (await r.arrayBuffer()).byteLength;
  }
  const total = Object.values(sizes).reduce((a, b) => a + b);
  t.diagnostic(`sizes ${JSON.stringify(sizes)} total ${total} bytes`);
  assert.ok(total < 50 * 1024, `page + widget are ${total} bytes`);

  const html = await (await fetch(server.url)).text();
  assert.equal(html.match(/<link rel="stylesheet"/g).length, 1);
  assert.deepEqual(html.match(/<script[^>]*>/g), ['<script src="chat.js" defer>']);

  // Everything the browser fetches for the page counts too.
  const page = await open(browser);
  let fetched = 0;
  page.on("response", async (r) => { if (!r.url().includes("/ws")) fetched += (await r.body()).length; });
  await page.goto(server.url, { waitUntil: "networkidle" });
  assert.ok(fetched < 50 * 1024, `the page fetched ${fetched} bytes`);
});
