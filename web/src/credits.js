// Credits: the balance, the ledger, and "Buy credits" through Stripe Checkout (the local Checkout
// stand-in on the local stack). Coming back from Checkout, the page waits for the webhook's credit.
import { h, clear, alertBox, fmtDate, plural } from "./dom.js";
import { api } from "./api.js";
import { setTitle, focusHeading, refreshBalance } from "./main.js";

// Ledger entries by their key: grant:..., debit:<job>, refund:<job>:<document>, purchase:<session>, revoke:...
const KINDS = { grant: "Free credits", debit: "Job", refund: "Refund of a failed document", purchase: "Purchase", revoke: "Refunded purchase" };

function money(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

function ledgerWhat(e) {
  const [kind, job] = String(e.key || "").split(":");
  const words = KINDS[kind] || e.reason || e.key;
  return (kind === "debit" || kind === "refund") && job ? h("a", { href: `#/jobs/${job}` }, words) : words;
}

export function creditsPage(main, params) {
  setTitle("Credits");
  let stopped = false;
  let timer = null;
  const balance = h("p.big#balance", "…");
  const ledger = h("tbody");
  const packs = h("div.packs");
  const status = h("div", { "aria-live": "polite" });
  const back = h("div");
  const job = params.get("job") || sessionStorage.getItem("zapdoc.job") || "";
  if (params.get("job")) sessionStorage.setItem("zapdoc.job", params.get("job"));
  main.append(h("h1", "Credits"),
    status,
    h("section.card", { "aria-labelledby": "bal-h" }, h("h2#bal-h", "Balance"), balance, h("p.muted", "One credit extracts one page. Pages of documents that fail are refunded."), back),
    h("section.card", { "aria-labelledby": "buy-h" }, h("h2#buy-h", "Buy credits"), packs),
    h("section.card", { "aria-labelledby": "led-h" }, h("h2#led-h", "History of your credits"),
      h("div.scroll", h("table.table",
        h("caption.visually-hidden", "Credit changes, newest first"),
        h("thead", h("tr", ["When", "What", "Change", "Balance after"].map((c) => h("th", { scope: "col" }, c)))),
        ledger))));
  focusHeading();

  const showMe = (me) => {
    balance.textContent = plural(me.balance, "credit");
    clear(ledger, me.ledger.map((e) => h("tr",
      h("td", fmtDate(e.at)),
      h("td", ledgerWhat(e)),
      h("td", { class: e.delta < 0 ? "neg" : "pos" }, e.delta > 0 ? `+${e.delta}` : String(e.delta)),
      h("td", String(e.balance_after ?? "")))));
    clear(back, job ? h("p", h("a.button.primary#back-to-job", { href: `#/jobs/${encodeURIComponent(job)}`, onclick: () => sessionStorage.removeItem("zapdoc.job") }, "Back to your job")) : null);
  };

  const load = async () => {
    try {
      const [me, list] = await Promise.all([api("GET", "/v1/me"), api("GET", "/v1/packs")]);
      if (stopped) return;
      showMe(me);
      clear(packs, list.packs.map((p) => h("div.pack",
        h("h3", plural(p.credits, "credit")),
        h("p.price", money(p.amount, p.currency)),
        h("button.primary", {
          type: "button", "aria-label": `Buy ${p.credits} credits for ${money(p.amount, p.currency)}`,
          onclick: async (e) => {
            e.target.disabled = true;
            clear(status);
            try {
              const session = await api("POST", "/v1/checkout", { pack: p.id }, { headers: { "Idempotency-Key": crypto.randomUUID() } });
              sessionStorage.setItem("zapdoc.balanceBefore", String(me.balance));
              location.assign(session.url);
            } catch (err) {
              status.append(alertBox(err.message));
              e.target.disabled = false;
            }
          },
        }, "Buy"))));
      return me;
    } catch (err) {
      clear(status, alertBox(err.message));
      return null;
    }
  };

  const outcome = params.get("checkout");
  load().then((me) => {
    if (outcome === "cancelled") status.append(alertBox("Checkout was cancelled: nothing was charged.", "info"));
    if (outcome !== "success" || !me) return;
    const before = Number(sessionStorage.getItem("zapdoc.balanceBefore") ?? me.balance - 1);
    const note = alertBox("Payment received. Adding your credits…", "info");
    status.append(note);
    const started = Date.now();
    const wait = async () => {
      if (stopped) return;
      const now = await api("GET", "/v1/me").catch(() => null);
      if (now && now.balance > before) {
        showMe(now);
        refreshBalance();
        sessionStorage.removeItem("zapdoc.balanceBefore");
        note.textContent = `Thank you! Your balance is now ${plural(now.balance, "credit")}.`;
        return;
      }
      if (Date.now() - started > 60000) {
        note.textContent = "Your payment went through; the credits are taking longer than usual. Reload this page in a minute.";
        return;
      }
      timer = setTimeout(wait, 1000);
    };
    wait();
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
