// ZapDoc web app: hash routes #/new, #/jobs, #/jobs/<id>, #/credits, #/keys (CONVENTIONS.md).
import { h, clear, field, alertBox } from "./dom.js";
import {
  startAuth, currentUser, signIn, signUp, signInGoogle, logOut, authMessage, refreshVerification,
  resendVerification, localVerificationLink, resetPassword, config,
} from "./auth.js";
import { api } from "./api.js";
import { newJobPage } from "./newjob.js";
import { jobPage, historyPage } from "./jobs.js";
import { creditsPage } from "./credits.js";
import { keysPage } from "./keys.js";

const main = document.getElementById("main");
let stopPage = null; // each page may return a cleanup (stop polling, abort uploads)

export function setTitle(title) {
  document.title = `${title} — ZapDoc`;
}

export async function refreshBalance() {
  try {
    const me = await api("GET", "/v1/me");
    document.getElementById("nav-balance").textContent = String(me.balance);
    return me;
  } catch {
    return null;
  }
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [pathPart, query = ""] = raw.split("?");
  return { parts: pathPart.split("/").filter(Boolean), params: new URLSearchParams(query) };
}

async function render() {
  if (stopPage) {
    stopPage();
    stopPage = null;
  }
  const user = currentUser();
  const nav = document.getElementById("nav");
  nav.hidden = !(user && user.emailVerified);
  const { parts, params } = parseHash();
  for (const a of nav.querySelectorAll("a")) {
    const here = a.getAttribute("href") === `#/${parts[0] || "new"}`;
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  clear(main);
  if (!user) return signInPage();
  if (!user.emailVerified) return verifyPage(user);
  refreshBalance();
  const [page, id] = parts;
  if (!page || page === "new") stopPage = newJobPage(main, params);
  else if (page === "jobs" && id) stopPage = jobPage(main, id, params);
  else if (page === "jobs") stopPage = historyPage(main, params);
  else if (page === "credits") stopPage = creditsPage(main, params);
  else if (page === "keys") stopPage = keysPage(main);
  else {
    setTitle("Not found");
    main.append(h("h1", "Page not found"), h("p", h("a", { href: "#/new" }, "Start a new job")));
  }
}

// Move focus to the new page's heading so keyboard and screen-reader users land on it.
export function focusHeading() {
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: false });
  }
}

function signInPage() {
  setTitle("Sign in");
  let mode = "signin";
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true, minLength: 6 });
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button.primary", { type: "submit" }, "Sign in");
  const heading = h("h1", "Sign in to ZapDoc");
  const toggle = h("button.link", { type: "button" }, "New here? Create an account");
  const setMode = (m) => {
    mode = m;
    heading.textContent = m === "signin" ? "Sign in to ZapDoc" : "Create your ZapDoc account";
    submit.textContent = m === "signin" ? "Sign in" : "Create account";
    toggle.textContent = m === "signin" ? "New here? Create an account" : "Have an account? Sign in";
    password.autocomplete = m === "signin" ? "current-password" : "new-password";
  };
  toggle.addEventListener("click", () => setMode(mode === "signin" ? "signup" : "signin"));
  const form = h("form.card", {
    onsubmit: async (e) => {
      e.preventDefault();
      clear(status);
      submit.disabled = true;
      try {
        if (mode === "signin") await signIn(email.value.trim(), password.value);
        else await signUp(email.value.trim(), password.value);
      } catch (err) {
        status.append(alertBox(authMessage(err)));
        submit.disabled = false;
      }
    },
  },
    heading,
    h("p.muted", "Turn PDFs into a clean Excel workbook. New accounts get free credits to try it."),
    field("Email", email),
    field("Password", password, "At least 6 characters."),
    status,
    h("div.row", submit, toggle),
    h("p", h("button.link", {
      type: "button",
      onclick: async () => {
        clear(status);
        if (!email.value) return status.append(alertBox("Type your email first, then ask for a reset link."));
        try {
          await resetPassword(email.value.trim());
          status.append(alertBox("A password reset link is on its way to your inbox.", "info"));
        } catch (err) {
          status.append(alertBox(authMessage(err)));
        }
      },
    }, "Forgot your password?")),
    config?.googleSignIn ? h("div.or", h("span", "or")) : null,
    config?.googleSignIn ? h("button.secondary.wide", {
      type: "button",
      onclick: async () => {
        clear(status);
        try {
          await signInGoogle();
        } catch (err) {
          status.append(alertBox(authMessage(err)));
        }
      },
    }, "Continue with Google") : null,
  );
  main.append(form);
  focusHeading();
}

function verifyPage(user) {
  setTitle("Verify your email");
  const status = h("div", { "aria-live": "polite" });
  const local = h("div");
  main.append(h("section.card",
    h("h1", "Verify your email"),
    h("p", "We sent a verification link to ", h("strong", user.email), ". Your workbooks are sent to this address, so it must be yours."),
    local,
    status,
    h("div.row",
      h("button.primary", {
        type: "button",
        onclick: async () => {
          clear(status);
          try {
            if (await refreshVerification()) render();
            else status.append(alertBox("Your email is not verified yet: open the link, then try again.", "warn"));
          } catch (err) {
            status.append(alertBox(authMessage(err)));
          }
        },
      }, "I have verified my email"),
      h("button.secondary", {
        type: "button",
        onclick: async () => {
          clear(status);
          try {
            await resendVerification();
            status.append(alertBox("A new link is on its way.", "info"));
            showLocal();
          } catch (err) {
            status.append(alertBox(authMessage(err)));
          }
        },
      }, "Send the link again"),
      h("button.link", { type: "button", onclick: () => logOut() }, "Use another account"),
    ),
  ));
  // The link is made a moment after sign-up (sendEmailVerification): look again for a few seconds.
  const showLocal = async (tries = 15) => {
    const link = await localVerificationLink(user.email).catch(() => null);
    if (!link && tries > 1 && config?.authEmulator && main.contains(local)) {
      setTimeout(() => showLocal(tries - 1), 700);
      return;
    }
    if (link) {
      clear(local, h("div.alert.info", { role: "note" },
        h("p", h("strong", "Local stack: "), "no email is sent here. Open the link the Auth emulator made:"),
        h("p", h("a#verify-link", { href: link, target: "_blank", rel: "noopener" }, "Verify my email (local link)"))));
    }
  };
  showLocal();
  focusHeading();
}

document.getElementById("signout").addEventListener("click", async () => {
  await logOut();
  location.hash = "#/new";
});
window.addEventListener("hashchange", render);

startAuth(() => render()).catch((err) => {
  clear(main, alertBox(`ZapDoc could not start: ${err.message || err}`));
});
