// /widget.js on another site: a page from an allowed origin gets a working
// chat bubble (anonymous, or logged in through the token callback); a page
// from any other origin cannot embed the chat (CSP frame-ancestors).
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { hostServer, launch, msg, open, png, startServer, token } from "./helpers.mjs";

let browser, parley, allowed, other;
const pages = {};
before(async () => {
  browser = await launch();
  allowed = await hostServer(pages); // another port: another origin
  other = await hostServer(pages);
  parley = await startServer({ args: ["--allowed-origins", `127.0.0.1:${allowed.port}`] });
  const jwt = await token(parley, "ada", "Ada Lovelace");
  const widget = `<script src="${parley.url}/widget.js" data-greeting="Questions? We're here." data-accent="#0f766e" async></script>`;
  pages["/anon.html"] = `<!doctype html><title>Shop</title><h1>A shop</h1>${widget}`;
  // README.md's example, as written there but for the server's address.
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const example = readme.match(/```html\n(<script src="https:\/\/parley\.example\/widget\.js"[^\n]*)\n```/)[1];
  pages["/readme.html"] = `<!doctype html><title>Shop</title><h1>A shop</h1>${example.replace("https://parley.example", parley.url)}`;
  pages["/private.html"] = `<!doctype html><title>Shop</title><h1>A shop</h1><script src="${parley.url}/widget.js" data-bot="echo" async></script>`;
  pages["/user.html"] = `<!doctype html><title>Shop</title><h1>My account</h1>
    <script>window.ParleyWidget = { token: async () => ${JSON.stringify(jwt)} };</script>
    <script src="${parley.url}/widget.js" data-bot="echo" data-position="left" data-open="true" async></script>`;
});
after(async () => {
  await browser?.close();
  await parley?.stop("SIGTERM");
  await allowed?.close();
  await other?.close();
});

const chatFrame = (page) => page.frameLocator('iframe[title="Chat"]');

test("the widget on an allowed origin: open the bubble, chat, close with Escape", async () => {
  const page = await open(browser, allowed.url + "/anon.html");
  const bubble = page.getByRole("button", { name: "Chat with us" });
  await bubble.click();
  const chat = chatFrame(page);
  await chat.getByText("Questions? We're here.").waitFor();
  await msg(chat, "bot", "What's your name?").waitFor();

  // The message box has the focus: typing goes straight in.
  await chat.locator("#box:focus").waitFor();
  await page.keyboard.type("Ada");
  await page.keyboard.press("Enter");
  await msg(chat, "bot", "Nice to meet you, Ada!").waitFor();
  await chat.getByRole("button", { name: "About Parley", exact: true }).click();
  await chat.locator("#log .msg.bot .bubble", { hasText: "Parley runs bots" }).waitFor();

  // The accent colour reached the page in the frame.
  const accent = await chat.locator("#send").evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(accent, "rgb(15, 118, 110)");

  // Escape closes the panel and gives the focus back to the bubble.
  await page.keyboard.press("Escape");
  await page.locator("iframe").waitFor({ state: "hidden" });
  assert.equal(await bubble.getAttribute("aria-expanded"), "false");
  assert.equal(await page.evaluate(() => document.querySelector("[data-parley-widget]").shadowRoot.activeElement?.getAttribute("aria-label")), "Chat with us");
  assert.deepEqual(page.problems, []);
});

test("open on load, on the left, with the host page's token: a logged-in chat with a private bot", async () => {
  const page = await open(browser, allowed.url + "/user.html");
  const chat = chatFrame(page); // data-open: no click needed
  await chat.locator("#box").waitFor();
  const bubble = await page.getByRole("button", { name: "Chat with us" }).boundingBox();
  assert.ok(bubble.x < 100, `the bubble is on the left (x = ${bubble.x})`);
  // Anonymous visitors may talk only to the default bot: an echo proves the token got through.
  await chat.locator("#box").fill("ping");
  await chat.locator("#box").press("Enter");
  await msg(chat, "bot", "ping").waitFor();
  assert.equal(await chat.locator("#title").textContent(), "Echo");
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.warnings, [], "nothing posted before the frame was ready");
});

test("README's example works for a visitor, with no console warning on open", async () => {
  const page = await open(browser, allowed.url + "/readme.html");
  await page.getByRole("button", { name: "Chat with us" }).click();
  const chat = chatFrame(page);
  await msg(chat, "bot", "What's your name?").waitFor();
  await chat.locator("#box:focus").waitFor(); // the focus message arrived, once the frame was ready
  await page.keyboard.type("Ada");
  await page.keyboard.press("Enter");
  await msg(chat, "bot", "Nice to meet you, Ada!").waitFor();
  // Closed and opened again: the focus goes straight back in.
  await page.keyboard.press("Escape");
  await page.locator("iframe").waitFor({ state: "hidden" });
  await page.getByRole("button", { name: "Chat with us" }).click();
  await chat.locator("#box:focus").waitFor();
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.warnings, []);
});

test("in the widget, Escape closes a picture's lightbox first, then the panel", async () => {
  const page = await open(browser, allowed.url + "/readme.html");
  await page.getByRole("button", { name: "Chat with us" }).click();
  const chat = chatFrame(page);
  await msg(chat, "bot", "What's your name?").waitFor();
  const chooser = page.waitForEvent("filechooser");
  await chat.getByRole("button", { name: "Attach files" }).click();
  await (await chooser).setFiles({ name: "dot.png", mimeType: "image/png", buffer: png(20, 20) });
  await chat.locator(".tray-file .size").waitFor();
  await chat.locator("#box").press("Enter");
  const thumb = chat.getByRole("button", { name: "Open image dot.png" });
  await thumb.click();
  await chat.getByRole("dialog", { name: "dot.png" }).waitFor();
  await page.keyboard.press("Escape");
  await chat.getByRole("dialog").waitFor({ state: "hidden" });
  assert.equal(await page.locator("iframe").isVisible(), true, "the panel stays open");
  await page.keyboard.press("Escape");
  await page.locator("iframe").waitFor({ state: "hidden" });
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.warnings, []);
});

test("a visitor on a widget with a bot that needs a login is told so, and nothing stays pending", async () => {
  const page = await open(browser, allowed.url + "/private.html");
  await page.getByRole("button", { name: "Chat with us" }).click();
  const chat = chatFrame(page);
  await chat.locator("#log .note.warn", { hasText: "This chat is for signed-in users. Please sign in on this site, then open the chat again." }).waitFor();
  await chat.locator("#conn", { hasText: "Not connected" }).waitFor();
  await chat.locator("#box").fill("Where is my order?");
  await chat.locator("#box").press("Enter");
  const failed = chat.locator("#log .msg.failed", { hasText: "Where is my order?" });
  await failed.waitFor();
  assert.equal(await failed.locator(".meta").textContent(), "You · Not sent: please sign in on this site first.");
  assert.equal(await chat.locator("#log .pending").count(), 0);
});

test("a page from an origin that is not allowed cannot embed the chat", async () => {
  const page = await open(browser);
  const refused = page.waitForEvent("console", (m) => /frame-ancestors/.test(m.text()));
  await page.goto(other.url + "/anon.html");
  await page.getByRole("button", { name: "Chat with us" }).click();
  await refused;
  const frame = await (await page.locator("iframe").elementHandle()).contentFrame();
  assert.equal(await frame.locator("#box").count(), 0);
  assert.doesNotMatch(frame.url(), /^http:\/\/127\.0\.0\.1/);
});
