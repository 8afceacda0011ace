// API keys: create (the key is shown once), list, revoke.
import { h, clear, field, alertBox, fmtDate } from "./dom.js";
import { api } from "./api.js";
import { setTitle, focusHeading } from "./main.js";

export function keysPage(main) {
  setTitle("API keys");
  const list = h("tbody");
  const status = h("div", { "aria-live": "polite" });
  const more = h("button.secondary", { type: "button", hidden: true }, "Show older keys");
  let cursor = null;
  const shown = h("div", { "aria-live": "polite" });
  const name = h("input", { type: "text", name: "key-name", maxLength: 100, value: "My script" });
  main.append(h("h1", "API keys"),
    h("p", "Scripts and the zapdoc command line can use an API key instead of signing in (ZAPDOC_API_KEY)."),
    h("form.card", {
      onsubmit: async (e) => {
        e.preventDefault();
        clear(status);
        try {
          const key = await api("POST", "/v1/api-keys", { name: name.value.trim() || "API key" });
          const box = h("input#new-key", { type: "text", readOnly: true, value: key.key, "aria-label": "Your new API key" });
          clear(shown, h("div.alert.info", { role: "status" },
            h("p", h("strong", "Copy your key now: it is shown only once.")), box,
            h("button.secondary", { type: "button", onclick: () => navigator.clipboard?.writeText(key.key).then(() => status.append(alertBox("Copied.", "info"))) }, "Copy")));
          box.select();
          load();
        } catch (err) {
          status.append(alertBox(err.message));
        }
      },
    }, h("h2", "Create a key"), field("Name", name), h("button.primary", { type: "submit" }, "Create key")),
    shown, status,
    h("section.card", h("h2", "Your keys"), h("div.scroll", h("table.table",
      h("caption.visually-hidden", "Your API keys"),
      h("thead", h("tr", ["Name", "Key", "Created", "Last used", ""].map((c) => h("th", { scope: "col" }, c)))), list)), more));
  focusHeading();
  // a page of keys (newest first); "Show older keys" follows the cursor, load() starts again from the top
  const load = async (next = null) => {
    try {
      const data = await api("GET", `/v1/api-keys?limit=20${next ? `&cursor=${encodeURIComponent(next)}` : ""}`);
      const rows = data.api_keys.map((k) => h("tr",
        h("td", k.name), h("td", h("code", k.prefix ? `${k.prefix}…` : k.id)), h("td", fmtDate(k.created_at)), h("td", fmtDate(k.last_used_at) || "never"),
        h("td", k.revoked_at ? h("span.muted", `revoked ${fmtDate(k.revoked_at)}`) : h("button.link.danger", {
          type: "button", "aria-label": `Revoke the key ${k.name}`,
          onclick: async () => {
            if (!confirm(`Revoke the key "${k.name}"? Scripts using it stop working.`)) return;
            try {
              await api("DELETE", `/v1/api-keys/${k.id}`);
              load();
            } catch (err) {
              status.append(alertBox(err.message));
            }
          },
        }, "Revoke"))));
      if (next) list.append(...rows);
      else clear(list, rows.length ? rows : h("tr", h("td", { colspan: 5 }, "No keys yet.")));
      cursor = data.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      status.append(alertBox(err.message));
    }
  };
  more.addEventListener("click", () => load(cursor));
  load();
  return () => {};
}
