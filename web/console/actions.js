// The actions on the conversation shown: assign it to me, switch its bot
// on or off, resolve it with a note. Each is one REST call answering with
// the conversation, which the Conversation takes as its new row.
import { api, me } from "./api.js";
import { $ } from "./dom.js";

const ui = { assign: $("assign"), bot: $("bot"), resolve: $("resolve"), note: $("note"), msg: $("action-msg") };

const WHY = {
  0: "Can't reach the server; try again.",
  403: "You may not do that with this conversation (it may have left the queue, or be someone else's).",
  404: "This conversation no longer exists.",
  429: "Too many requests; try again in a moment.",
};

// initActions wires the buttons. current() is the Conversation shown;
// done(conv) runs after each change (to refresh the queue).
export function initActions(current, done) {
  const path = (c, tail = "") => `/api/conversations/${encodeURIComponent(c.sid)}${tail}`;
  // act runs call(conv) → the conversation's new row, then after(conv).
  async function act(what, call, after = () => {}) {
    const c = current();
    if (!c) return;
    ui.msg.textContent = "";
    try {
      c.update(await call(c));
      after(c);
      ui.msg.textContent = what;
      done(c);
    } catch (e) {
      ui.msg.textContent = WHY[e.status] || "That didn't work: " + e.message;
      c.update({}); // draw the row as it was (the bot switch goes back)
    }
  }

  ui.assign.onclick = () => act("You joined the conversation.",
    (c) => api(path(c, "/assign"), { method: "POST", body: { agent: me().user } }),
    (c) => { c.follow(); $("reply").focus(); }); // the button is gone: the reply is next
  ui.bot.onchange = () => act(ui.bot.checked ? "The bot answers again." : "The bot is off: only people answer.",
    (c) => api(path(c, "/bots"), { method: "POST", body: { enabled: ui.bot.checked } }));
  ui.resolve.addEventListener("submit", (e) => {
    e.preventDefault();
    act("Resolved.",
      (c) => api(path(c), { method: "PATCH", body: { support_status: "resolved", note: ui.note.value.trim() } }),
      (c) => { ui.note.value = ""; c.unfollow(); $("log").focus(); }); // it left the queue: nothing more to say in it
  });
}
