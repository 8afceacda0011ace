// The job page (live status, cost confirmation, per-file reasons, download and a preview of the
// Results sheet) and the history of jobs.
import { h, clear, alertBox, fmtDate, plural } from "./dom.js";
import { api } from "./api.js";
import { setTitle, focusHeading, refreshBalance } from "./main.js";

const STATUS_WORDS = {
  awaiting_files: "Uploading and counting pages",
  awaiting_confirmation: "Waiting for your confirmation",
  running: "Extracting",
  assembling: "Building your workbook",
  delivered: "Delivered",
  rejected: "Not processed",
  cancelled: "Cancelled",
};
const DOC_WORDS = { pending: "in progress", done: "extracted", failed: "failed", rejected: "not processed" };
const TERMINAL = new Set(["delivered", "rejected", "cancelled"]);

export function jobPage(main, id) {
  setTitle("Job");
  let timer = null;
  let stopped = false;
  let previewShown = false;
  let confirming = false;
  const heading = h("h1", "Job");
  const statusLine = h("p.status", { role: "status", "aria-live": "polite" });
  const costBox = h("div");
  const facts = h("dl.facts");
  const filesBox = h("div");
  const downloadBox = h("div");
  const previewBox = h("div");
  const errorBox = h("div", { "aria-live": "assertive" });
  main.append(h("section", heading, statusLine, errorBox, costBox, downloadBox, h("div.card", h("h2", "Progress"), facts), filesBox, previewBox));
  focusHeading();

  async function poll() {
    if (stopped) return;
    let job;
    try {
      job = await api("GET", `/v1/jobs/${encodeURIComponent(id)}`);
      clear(errorBox);
    } catch (err) {
      if (err.status === 404) {
        clear(main, h("h1", "Job not found"), h("p", "There is no job with this link in your account."), h("p", h("a", { href: "#/jobs" }, "See your jobs")));
        focusHeading();
        return;
      }
      clear(errorBox, alertBox(err.message));
      timer = setTimeout(poll, 3000);
      return;
    }
    show(job);
    if (!TERMINAL.has(job.status)) timer = setTimeout(poll, job.status === "awaiting_confirmation" ? 4000 : 1000);
  }

  function show(job) {
    const p = job.progress;
    heading.textContent = `Job ${job.template ? `· ${job.template}` : ""} · ${fmtDate(job.created_at)}`;
    setTitle(`Job ${STATUS_WORDS[job.status] || job.status}`);
    statusLine.replaceChildren(h(`span.badge.s-${job.status}`, STATUS_WORDS[job.status] || job.status), job.reason ? ` — ${job.reason}` : "");
    clear(facts,
      fact("Files arrived", `${p.files_arrived} of ${p.files_declared}`),
      fact("Documents extracted", `${p.documents_finished} of ${p.documents}`),
      fact("Pages", String(p.pages)),
      fact("Credits charged", String(job.credits.charged)),
      fact("Credits refunded", String(job.credits.refunded)));
    if (job.status === "awaiting_confirmation") showCost(job);
    else if (!confirming) clear(costBox);
    clear(filesBox, h("div.card", h("h2", "Files"), h("table.table",
      h("caption.visually-hidden", "Documents of this job and their status"),
      h("thead", h("tr", h("th", { scope: "col" }, "Document"), h("th", { scope: "col" }, "Pages"), h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Reason"))),
      h("tbody", rows(job)))));
    if (job.download && !previewShown) {
      previewShown = true;
      clear(downloadBox, h("div.card.ok",
        h("h2", "Your workbook is ready"),
        h("p", h("a.button.primary#download", { href: job.download.url, download: `zapdoc-${id}.xlsx` }, "Download the workbook (.xlsx)")),
        h("p.muted", `The link works until ${fmtDate(job.download.expires_at)}; it was also emailed to you.`)));
      showPreview(job.download.url);
      refreshBalance();
    }
    if (TERMINAL.has(job.status)) refreshBalance();
  }

  function rows(job) {
    const out = [];
    const byFile = new Map();
    for (const d of job.documents) {
      if (!byFile.has(d.file_id)) byFile.set(d.file_id, []);
      byFile.get(d.file_id).push(d);
    }
    for (const f of job.files) {
      const docs = byFile.get(f.file_id) || [];
      if (!f.arrived || !docs.length) {
        out.push(h("tr", h("th", { scope: "row" }, f.name), h("td", ""), h("td", f.arrived ? "arrived" : "waiting for the upload"), h("td", "")));
        continue;
      }
      for (const d of docs) {
        out.push(h(`tr.d-${d.status}`, h("th", { scope: "row" }, d.name), h("td", d.pages ?? ""), h("td", DOC_WORDS[d.status] || d.status), h("td", d.reason || "")));
      }
    }
    return out;
  }

  async function showCost(job) {
    if (confirming) return;
    const me = await api("GET", "/v1/me").catch(() => null);
    if (confirming || !me) return;
    const cost = job.quote ?? 0;
    const after = me.balance - cost;
    const short = after < 0;
    const note = h("div", { "aria-live": "polite" });
    const confirmBtn = h("button.primary#confirm", {
      type: "button", disabled: short,
      onclick: async () => {
        confirming = true;
        confirmBtn.disabled = true;
        clear(note);
        try {
          await api("POST", `/v1/jobs/${id}/confirm`, { credits: cost });
          clear(costBox, alertBox(`Confirmed: ${plural(cost, "credit")} charged. Extraction has started.`, "info"));
          refreshBalance();
        } catch (err) {
          note.append(alertBox(err.message));
          confirmBtn.disabled = false;
        } finally {
          confirming = false;
          clearTimeout(timer);
          poll();
        }
      },
    }, `Confirm and pay ${plural(cost, "credit")}`);
    const key = JSON.stringify([cost, me.balance]);
    if (costBox.dataset.key === key) return;
    costBox.dataset.key = key;
    clear(costBox, h("section.card.cost", { "aria-labelledby": "cost-h" },
      h("h2#cost-h", "Before we charge"),
      h("p.big", `This job costs ${plural(cost, "credit")}`, h("span.muted", ` (${plural(cost, "page")} to extract; files that cannot be read are free)`)),
      h("dl.facts", fact("Your balance", String(me.balance)), fact("Balance after this job", String(after))),
      short ? alertBox(`You need ${plural(-after, "more credit")}. Buy a pack, then come back to confirm: your files wait here.`, "warn") : null,
      note,
      h("div.row",
        confirmBtn,
        short ? h("a.button.primary", { href: `#/credits?job=${encodeURIComponent(id)}` }, "Buy credits") : null,
        h("button.secondary", {
          type: "button",
          onclick: async () => {
            try {
              await api("POST", `/v1/jobs/${id}/cancel`);
              clear(costBox);
              poll();
            } catch (err) {
              note.append(alertBox(err.message));
            }
          },
        }, "Cancel the job"))));
  }

  async function showPreview(url) {
    clear(previewBox, h("div.card", h("h2", "Preview"), h("p.muted", "Reading the workbook…")));
    try {
      const resp = await fetch(url);
      if (!resp.ok) throw new Error(`the workbook could not be fetched (${resp.status})`);
      const bytes = new Uint8Array(await resp.arrayBuffer());
      // Save from memory: the link keeps its file name (a cross-origin link would ignore "download").
      const link = document.getElementById("download");
      if (link) link.href = URL.createObjectURL(new Blob([bytes], { type: resp.headers.get("Content-Type") || "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
      const { readSheet } = await import("./xlsx.js");
      const rowsData = readSheet(bytes, "Results", 11);
      const [head, ...body] = rowsData;
      clear(previewBox, h("div.card", h("h2", "Preview of the Results sheet"),
        h("div.scroll", { tabindex: "0", role: "region", "aria-label": "Preview of the first rows" },
          h("table.table.preview#preview",
            h("caption.visually-hidden", "First rows of the Results sheet"),
            h("thead", h("tr", (head || []).map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", body.map((r) => h("tr", (head || []).map((_, i) => h("td", r[i] ?? ""))))))),
        h("p.muted", `${plural(body.length, "row")} shown; the workbook also has Line items, Evidence and Summary sheets.`)));
    } catch (err) {
      clear(previewBox, alertBox(`No preview: ${err.message}. The download still works.`, "warn"));
    }
  }

  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function fact(label, value) {
  return h("div", h("dt", label), h("dd", value));
}

export function historyPage(main) {
  setTitle("History");
  const list = h("tbody");
  const more = h("button.secondary", { type: "button", hidden: true }, "Show older jobs");
  const status = h("div", { "aria-live": "polite" });
  let cursor = null;
  main.append(h("h1", "Your jobs"), h("div.card",
    h("div.scroll", h("table.table",
      h("caption.visually-hidden", "Your jobs, newest first"),
      h("thead", h("tr", ["Created", "Template", "Status", "Charged", "Refunded", ""].map((c) => h("th", { scope: "col" }, c)))),
      list)),
    status, more));
  focusHeading();
  const load = async () => {
    clear(status);
    try {
      const data = await api("GET", `/v1/jobs?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      if (!data.jobs.length && !cursor) status.append(h("p", "No jobs yet. ", h("a", { href: "#/new" }, "Start one")));
      for (const j of data.jobs) {
        list.append(h("tr",
          h("td", h("a", { href: `#/jobs/${j.id}` }, fmtDate(j.created_at))),
          h("td", j.template || "custom fields"),
          h("td", h(`span.badge.s-${j.status}`, STATUS_WORDS[j.status] || j.status)),
          h("td", String(j.credits.charged)), h("td", String(j.credits.refunded)),
          h("td", j.status === "delivered" ? h("button.link", {
            type: "button", "aria-label": `Download the workbook of the job of ${fmtDate(j.created_at)}`,
            onclick: async () => {
              try {
                const full = await api("GET", `/v1/jobs/${j.id}`);
                if (full.download) location.assign(full.download.url);
              } catch (err) {
                status.append(alertBox(err.message));
              }
            },
          }, "Download") : "")));
      }
      cursor = data.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      status.append(alertBox(err.message));
    }
  };
  more.addEventListener("click", load);
  load();
  return () => {};
}
