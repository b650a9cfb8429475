// Attachments on the chat page and in the support console (web/files.js):
// the attach button, paste, drag and drop, the progress bar, previews seen
// by another browser of the same user and by an agent, audio and file
// links, the lightbox, errors in words, and a pending message with a
// picture that survives a reload.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { flakyNetwork, launch, msg, open, pdf, png, startServer, token, wav } from "./helpers.mjs";
import { queueAsAdmin, signIn } from "./support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The chat page, logged in as jwt (the token kept as the page keeps it), with the greeting shown. */
async function loggedIn(server, jwt) {
  const page = await open(browser, server.url);
  await page.evaluate((t) => localStorage.setItem("parley:token", JSON.stringify(t)), jwt);
  await page.reload();
  await msg(page, "bot", "What's your name?").waitFor();
  return page;
}

/** Picks files with the page's attach button (a real file chooser). */
async function pick(page, files, button = page.getByRole("button", { name: "Attach files" })) {
  const chooser = page.waitForEvent("filechooser");
  await button.click();
  await (await chooser).setFiles(files);
}

/** Waits until the image in locator has loaded (natural width > 0); its src. */
async function loaded(img) {
  await img.waitFor();
  await img.evaluate((i) => new Promise((ok, fail) => {
    if (i.complete && i.naturalWidth > 0) return ok();
    i.addEventListener("load", () => (i.naturalWidth > 0 ? ok() : fail(new Error("no width"))), { once: true });
    i.addEventListener("error", () => fail(new Error("the image did not load: " + i.src)), { once: true });
  }));
  return img.getAttribute("src");
}

/** Files in a DataTransfer in the page, for paste and drop events. */
const transfer = (page, files) => page.evaluateHandle((fs) => {
  const dt = new DataTransfer();
  for (const f of fs) dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
  return dt;
}, files.map((f) => ({ name: f.name, type: f.mimeType, bytes: [...f.buffer] })));

const blue = { name: "blue.png", mimeType: "image/png", buffer: png(64, 48) };
const green = { name: "green.png", mimeType: "image/png", buffer: png(40, 40, [20, 160, 60]) };

test("logged in: attach a picture with the button; another browser of the user sees it; the lightbox", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const jwt = await token(server, "ada", "Ada Lovelace");
  const a = await loggedIn(server, jwt);
  const b = await loggedIn(server, jwt);

  // The upload is held back: the tray shows the file with a progress bar,
  // and Send waits for it, saying so.
  let release;
  const held = new Promise((r) => { release = r; });
  await a.route("**/api/uploads", async (route) => { await held; await route.continue(); });
  await pick(a, [blue]);
  await a.getByRole("progressbar", { name: "Uploading blue.png" }).waitFor();
  await a.locator("#box").press("Enter");
  await a.locator(".tray-msg", { hasText: "Wait for the files to finish uploading, then send." }).waitFor();
  assert.equal(await a.locator("#log .msg.user").count(), 0);
  release();
  await a.locator(".tray-file .size").waitFor(); // uploaded: its size instead of the bar
  assert.equal(await a.getByRole("progressbar").count(), 0);

  // A message with a picture and no text.
  await a.locator("#box").press("Enter");
  await a.locator(".tray-file").waitFor({ state: "detached" });
  for (const p of [a, b]) {
    const src = await loaded(p.locator("#log .msg.user:not(.pending) .thumb img"));
    assert.match(src, /^blob:/, "read with the token, shown through a blob: URL");
    assert.equal(await p.locator("#log .msg.user .thumb img").getAttribute("alt"), "blue.png");
  }

  // The thumbnail is a button: Enter opens the lightbox, Escape closes it
  // and the focus goes back to the thumbnail.
  const thumb = b.getByRole("button", { name: "Open image blue.png" });
  await thumb.focus();
  await b.keyboard.press("Enter");
  const box = b.getByRole("dialog", { name: "blue.png" });
  await box.waitFor();
  await loaded(box.locator("img"));
  await b.keyboard.press("Escape");
  await box.waitFor({ state: "hidden" });
  assert.equal(await b.evaluate(() => document.activeElement.getAttribute("aria-label")), "Open image blue.png");
  assert.deepEqual([...a.problems, ...b.problems], []);
});

test("a visitor: paste a picture, drop audio and a PDF; a player, a download link, no bubble left pending", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url);
  await msg(page, "bot", "What's your name?").waitFor();

  // An image pasted into the box goes to the tray; the message carries it and text.
  await page.locator("#box").evaluate((box, dt) => box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true })),
    await transfer(page, [blue]));
  await page.locator(".tray-file .size").waitFor();
  await page.locator("#box").fill("Ada");
  await page.locator("#box").press("Enter");
  const sent = msg(page, "user", "Ada");
  await sent.waitFor();
  const src = await loaded(sent.locator(".thumb img"));
  assert.match(src, /^\/api\/uploads\/[^?]+\?session_id=[^&]+&resume_token=./, "a visitor's file is read with the conversation's resume token");

  // Files dropped on the conversation: outlined while over it.
  const files = await transfer(page, [{ name: "hello.wav", mimeType: "audio/wav", buffer: wav() }, { name: "order.pdf", mimeType: "application/pdf", buffer: pdf() }]);
  await page.locator("#log").dispatchEvent("dragenter", { dataTransfer: files });
  await page.locator("#chat.dropping").waitFor();
  await page.locator("#log").dispatchEvent("drop", { dataTransfer: files });
  assert.equal(await page.locator("#chat.dropping").count(), 0);
  await page.locator(".tray-file .size").nth(1).waitFor();
  await page.locator("#box").press("Enter");
  const audio = page.locator("#log .msg.user:not(.pending) audio[controls]");
  await audio.waitFor();
  assert.equal(await audio.getAttribute("aria-label"), "hello.wav");
  await page.waitForFunction(() => document.querySelector("#log audio").duration > 0); // its metadata loaded: playable
  const link = page.locator("#log .msg.user a.file");
  assert.equal(await link.getAttribute("download"), "order.pdf");
  assert.match(await link.textContent(), /^order\.pdf\d+ B$/);
  const got = await link.evaluate(async (a) => { const r = await fetch(a.href); return [r.status, r.headers.get("content-type")]; });
  assert.deepEqual(got, [200, "application/pdf"]);
  assert.equal(await page.locator("#log .pending").count(), 0);
  assert.deepEqual(page.problems, []);
});

test("uploads refused: too large, too many, a type not allowed, each said in words", async (t) => {
  const server = await startServer({ args: ["--upload-max-size", "1KB", "--upload-max-files", "2"] });
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser, server.url);
  await msg(page, "bot", "What's your name?").waitFor();
  const said = page.locator(".tray-msg");

  await pick(page, [{ name: "big.png", mimeType: "image/png", buffer: Buffer.concat([png(8, 8), Buffer.alloc(3000)]) }]);
  await said.getByText("big.png is too large to send: the limit is 1 KB per file.").waitFor();
  await pick(page, [blue, green, { ...blue, name: "blue2.png" }]);
  await said.getByText("Too many files at once: at most 2 at a time.").waitFor();
  await pick(page, [{ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just text") }]);
  await said.getByText("notes.txt can't be sent: files of this kind are not allowed here.").waitFor();
  assert.equal(await page.locator(".tray-file").count(), 0, "refused files leave the tray");
  assert.doesNotMatch(await said.textContent(), /too_large|unsupported_type|413|415/);
});

test("a pending message with a picture survives a reload, and is sent once with the same upload", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const page = await open(browser);
  const net = await flakyNetwork(page);
  await page.goto(server.url);
  await msg(page, "bot", "What's your name?").waitFor();
  await pick(page, [blue]);
  await page.locator(".tray-file .size").waitFor();

  net.down();
  await page.locator("#conn", { hasText: /Reconnecting|Offline/ }).waitFor();
  await page.locator("#box").fill("Ada");
  await page.locator("#box").press("Enter");
  await page.locator("#log .msg.pending", { hasText: "Will send when back online" }).waitFor();
  const [pending] = await page.evaluate(() => JSON.parse(localStorage.getItem("parley:pending")));
  assert.equal(pending.text, "Ada");
  assert.equal(pending.att.length, 1);

  await page.reload(); // still offline
  const kept = page.locator("#log .msg.pending");
  await loaded(kept.locator(".thumb img"));
  net.up();
  const sent = msg(page, "user", "Ada");
  await sent.waitFor();
  await loaded(sent.locator(".thumb img"));
  assert.equal(await page.evaluate(() => localStorage.getItem("parley:pending")), null);
  await msg(page, "bot", "Nice to meet you, Ada!").waitFor();

  // Stored once, with the upload that was pending.
  await page.reload();
  await msg(page, "bot", "Nice to meet you, Ada!").waitFor();
  assert.equal(await msg(page, "user", "Ada").count(), 1);
  assert.ok((await loaded(msg(page, "user", "Ada").locator(".thumb img"))).includes(pending.att[0].id));
});

test("the console: an agent sees the picture a user sent, and sends one back", async (t) => {
  const server = await startServer();
  t.after(() => server.stop("SIGTERM"));
  const user = await loggedIn(server, await token(server, "vic", "Victor Hugo"));
  await pick(user, [blue]);
  await user.locator(".tray-file .size").waitFor();
  await user.locator("#box").fill("my parcel");
  await user.locator("#box").press("Enter");
  await msg(user, "user", "my parcel").waitFor();
  const sid = await user.evaluate(() => JSON.parse(localStorage.getItem("parley:session:u:vic:default")).sid);
  await queueAsAdmin(server, sid);

  // The agent previews the conversation: the picture is there.
  const agent = await open(browser, server.url + "/support");
  await signIn(agent, await token(server, "ada", "Ada Agent", "agent"));
  await agent.getByRole("list", { name: "Conversations" }).getByRole("button", { name: /^vic/ }).click();
  const log = agent.getByRole("list", { name: "Messages" });
  const theirs = log.locator(".msg.user", { hasText: "my parcel" });
  assert.match(await loaded(theirs.locator(".thumb img")), /^blob:/);
  assert.equal(await agent.getByRole("button", { name: "Attach files" }).isDisabled(), true, "no files before joining");

  // Enter on the thumbnail opens it; Escape closes it and refocuses the thumbnail.
  await agent.getByRole("button", { name: "Open image blue.png" }).focus();
  await agent.keyboard.press("Enter");
  await loaded(agent.getByRole("dialog", { name: "blue.png" }).locator("img"));
  await agent.keyboard.press("Escape");
  await agent.getByRole("dialog").waitFor({ state: "hidden" });
  assert.equal(await agent.evaluate(() => document.activeElement.getAttribute("aria-label")), "Open image blue.png");

  // Assigned, the agent attaches a picture and sends it without text; the user sees it.
  await agent.getByRole("button", { name: "Assign to me" }).click();
  await agent.locator("#conv-conn", { hasText: "Live" }).waitFor();
  await pick(agent, [green]);
  await agent.locator(".tray-file .size").waitFor();
  await agent.locator("#reply").press("Enter");
  await loaded(log.locator(".msg.agent:not(.pending) .thumb img"));
  const back = user.locator("#log .msg.agent .thumb img");
  assert.match(await loaded(back), /^blob:/);
  assert.equal(await back.getAttribute("alt"), "green.png");
  assert.deepEqual([...user.problems, ...agent.problems], []);
});
