// Takes the screenshots in docs/ of the chat page (desktop and mobile
// width) and the widget, each with a short conversation, in light mode:
//
//   go build -o /tmp/parley ./cmd/parley
//   cd web/e2e && PARLEY_BIN=/tmp/parley node screenshots.mjs [OUT_DIR]
//
// OUT_DIR defaults to docs/. PARLEY_SHOTS=all adds dark-mode, logged-in
// and widget views (not in the README; for checking the design).
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { hostServer, launch, msg, say, startServer, token } from "./helpers.mjs";

const out = process.argv[2] || fileURLToPath(new URL("../../docs/", import.meta.url));
const all = process.env.PARLEY_SHOTS === "all";
const server = await startServer({ args: ["--allowed-origins", "127.0.0.1:*"] }); // the widget view's host page
const browser = await launch();

// A short conversation: the greeting, a name, one menu choice.
async function converse(page) {
  await msg(page, "bot", "What's your name?").waitFor();
  await say(page, "Ada");
  await page.getByRole("button", { name: "About Parley", exact: true }).click();
  await page.locator("#log .msg.bot .bubble", { hasText: "Parley runs bots" }).waitFor();
  await page.getByRole("button", { name: "About Parley", exact: true }).waitFor();
  await page.mouse?.move(0, 0); // no hover highlight in the picture
}

async function shot(name, viewport, opts = {}, setup = converse) {
  const context = await browser.newContext({ viewport, colorScheme: "light", ...opts });
  const page = await context.newPage();
  await page.goto(opts.url || server.url);
  await setup(page);
  await page.screenshot({ path: join(out, name) });
  console.log("wrote", join(out, name));
  await context.close();
}

try {
  await shot("screenshot-desktop.png", { width: 1280, height: 800 });
  await shot("screenshot-mobile.png", { width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const host = await hostServer({
    "/": `<!doctype html><title>Shop</title><body style="font:18px system-ui;margin:3rem"><h1>Example shop</h1><p>Any page, one script tag.</p>
      <script src="${server.url}/widget.js" data-greeting="Questions? We're here." async></script>`,
  });
  await shot("screenshot-widget.png", { width: 1280, height: 800 }, { url: host.url + "/" }, async (page) => {
    await page.getByRole("button", { name: "Chat with us" }).click();
    await converse(page.frameLocator("iframe"));
  });
  await host.close();
  if (all) {
    await shot("dark-desktop.png", { width: 1280, height: 800 }, { colorScheme: "dark" });
    await shot("dark-mobile.png", { width: 390, height: 844 }, { colorScheme: "dark", isMobile: true });
    let users = 0;
    const logIn = async (page) => {
      const jwt = await token(server, "user" + ++users, "Ada Lovelace");
      await page.evaluate((t) => localStorage.setItem("parley:token", JSON.stringify(t)), jwt);
      await page.reload();
      await converse(page);
    };
    await shot("user-desktop.png", { width: 1280, height: 800 }, {}, logIn);
    await shot("user-mobile.png", { width: 390, height: 844 }, { isMobile: true }, async (page) => {
      await logIn(page);
      await page.getByRole("button", { name: "Chats" }).click();
    });
  }
} finally {
  await browser.close();
  await server.stop("SIGTERM");
}
