// Signing in: the agent pastes a JWT or an API key. The console tries it
// on the queue before keeping it, so that a wrong token, a user's token
// or an unreachable server is said at once, in words.
import { api, claims, remember } from "./api.js";
import { $ } from "./dom.js";

const ui = { form: $("signin"), cred: $("cred"), uidRow: $("uid-row"), uid: $("uid"), msg: $("signin-msg") };

const REFUSED = {
  0: "Can't reach the server; try again.",
  401: "That token or key was not accepted: expired, revoked, or made for another server.",
  403: "This account may not work the support desk: the console is for the agent and admin roles.",
};

// credential turns what was pasted into {secret, jwt, user, name, role}.
function credential(secret, uid) {
  const c = claims(secret);
  if (c) return { secret, jwt: true, user: c.sub, name: c.name || c.sub, role: c.role || "user" };
  return { secret, jwt: false, user: uid, name: uid, role: "" };
}

// initSignin wires the form; signedIn() runs once a credential is kept.
export function initSignin(signedIn) {
  // An API key does not name its user: ask for the id beside it.
  ui.cred.addEventListener("input", () => {
    const key = ui.cred.value.trim() !== "" && !claims(ui.cred.value.trim());
    ui.uidRow.hidden = !key;
    ui.uid.required = key;
  });
  ui.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const c = credential(ui.cred.value.trim(), ui.uid.value.trim());
    try {
      await api("/api/support/conversations?limit=1", { c });
    } catch (err) {
      ui.msg.textContent = REFUSED[err.status] || "The server answered: " + err.message;
      ui.msg.classList.add("bad");
      return ui.cred.focus();
    }
    ui.cred.value = ui.uid.value = "";
    remember(c);
    signedIn();
  });
}

// showSignin shows the form (with why, when there is something to say).
export function showSignin(why) {
  ui.form.hidden = false;
  if (why) { ui.msg.textContent = why; ui.msg.classList.add("bad"); }
  ui.cred.focus();
}

export const hideSignin = () => { ui.form.hidden = true; };
