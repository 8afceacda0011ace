// New job: drop PDFs, zips and folders; pick a template or edit fields (saved lists too); upload with
// progress. The job is created with "hold": intake counts the pages and nothing is charged until the
// user confirms the cost on the job page.
import { h, clear, field, alertBox, fmtBytes, plural } from "./dom.js";
import { api, uploadFile } from "./api.js";
import { setTitle, focusHeading } from "./main.js";

const TYPES = ["text", "number", "amount", "currency", "date", "email", "phone", "list", "table"];
const COLUMN_TYPES = TYPES.filter((t) => t !== "table" && t !== "list");
const ACCEPT = /\.(pdf|zip)$/i;

export function newJobPage(main, params) {
  setTitle("New job");
  let files = []; // {file, name}
  let fields = [];
  let templates = { builtin: [], saved: [] };
  let chosen = ""; // "builtin:<name>" | "saved:<id>" | "" (custom)
  let running = null; // uploads in flight: {aborts, cancelled}
  let ready = false; // the templates have loaded (uploading before would send no fields)

  const status = h("div", { "aria-live": "polite" });
  const fileList = h("ul.files", { "aria-label": "Files to upload" });
  const skipped = h("div", { "aria-live": "polite" });
  // Real buttons open the (visually hidden, unfocusable) file inputs: keyboard and mouse alike.
  const picker = h("input.visually-hidden", { type: "file", multiple: true, accept: ".pdf,.zip,application/pdf,application/zip", tabindex: "-1", "aria-hidden": "true" });
  const folderPicker = h("input.visually-hidden", { type: "file", multiple: true, webkitdirectory: true, tabindex: "-1", "aria-hidden": "true" });
  const drop = h("div.drop", { role: "group", "aria-labelledby": "drop-title" },
    h("p#drop-title", h("strong", "Drop PDFs, zips or folders here")),
    h("p.muted", "or"),
    h("div.row.center",
      h("button.secondary", { type: "button", onclick: () => picker.click() }, "Choose files"), picker,
      h("button.secondary", { type: "button", onclick: () => folderPicker.click() }, "Choose a folder"), folderPicker),
  );

  const addFiles = (list) => {
    const rejected = [];
    for (const { file, name } of list) {
      if (!ACCEPT.test(name)) rejected.push(name);
      else if (!files.some((f) => f.name === name && f.file.size === file.size)) files.push({ file, name });
    }
    clear(skipped, rejected.length ? alertBox(`Skipped (not a PDF or zip): ${rejected.join(", ")}`, "warn") : null);
    renderFiles();
  };
  picker.addEventListener("change", () => {
    addFiles([...picker.files].map((f) => ({ file: f, name: f.name })));
    picker.value = "";
  });
  folderPicker.addEventListener("change", () => {
    addFiles([...folderPicker.files].map((f) => ({ file: f, name: f.webkitRelativePath || f.name })));
    folderPicker.value = "";
  });
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    addFiles(await droppedFiles(e.dataTransfer));
  });

  function renderFiles() {
    clear(fileList, files.map((f, i) => {
      const bar = h("progress", { max: 1, value: 0, "aria-label": `Upload of ${f.name}` });
      f.bar = bar;
      f.state = h("span.state", "ready");
      return h("li",
        h("span.name", f.name), h("span.muted", fmtBytes(f.file.size)), bar, f.state,
        h("button.link", {
          type: "button", "aria-label": `Remove ${f.name}`, disabled: !!running,
          onclick: () => {
            files.splice(i, 1);
            renderFiles();
          },
        }, "Remove"));
    }));
    submit.disabled = !files.length || !!running || !ready;
    summary.textContent = files.length
      ? `${plural(files.length, "file")}, ${fmtBytes(files.reduce((n, f) => n + f.file.size, 0))}. The pages are counted before anything is charged.`
      : "No files yet.";
  }

  // ---------------------------------------------------------------- template and fields
  const templateSelect = h("select", { name: "template" });
  const editor = h("div.fields");
  const saveName = h("input", { type: "text", name: "list-name", maxLength: 100 });
  const listStatus = h("div", { "aria-live": "polite" });

  const fillTemplates = () => {
    clear(templateSelect,
      h("option", { value: "" }, "Custom fields"),
      h("optgroup", { label: "Templates" }, templates.builtin.map((t) => h("option", { value: `builtin:${t.name}` }, `${t.name} — ${t.description}`))),
      templates.saved.length ? h("optgroup", { label: "My field lists" }, templates.saved.map((t) => h("option", { value: `saved:${t.id}` }, t.name))) : null);
    templateSelect.value = chosen;
  };
  const selected = () => {
    const [kind, key] = chosen.split(":");
    if (kind === "builtin") return templates.builtin.find((t) => t.name === key);
    if (kind === "saved") return templates.saved.find((t) => t.id === key);
    return null;
  };
  templateSelect.addEventListener("change", () => {
    chosen = templateSelect.value;
    const t = selected();
    fields = t ? structuredClone(t.fields) : fields.length ? fields : [{ name: "", type: "text", description: "" }];
    saveName.value = chosen.startsWith("saved:") && t ? t.name : "";
    renderEditor();
  });

  function renderEditor() {
    const saved = chosen.startsWith("saved:");
    clear(editor,
      h("ol.field-list", fields.map((f, i) => fieldRow(f, i))),
      h("div.row",
        h("button.secondary", { type: "button", onclick: () => { fields.push({ name: "", type: "text", description: "" }); markCustom(); renderEditor(); focusLast(); } }, "Add a field")),
      h("fieldset.saved",
        h("legend", "My field lists"),
        field(saved ? "Name of this list" : "Save these fields as", saveName),
        h("div.row",
          h("button.secondary", { type: "button", onclick: saveList }, saved ? "Save changes" : "Save as a new list"),
          saved ? h("button.link.danger", { type: "button", onclick: deleteList }, "Delete this list") : null),
        listStatus));
  }
  const focusLast = () => editor.querySelector(".field-list > li:last-child input")?.focus();
  const markCustom = () => {
    if (chosen.startsWith("builtin:")) {
      chosen = "";
      templateSelect.value = "";
    }
  };

  function fieldRow(f, i) {
    const name = h("input", { type: "text", value: f.name, required: true, maxLength: 100, oninput: () => { f.name = name.value; markCustom(); } });
    const type = h("select", { onchange: () => { f.type = type.value; if (f.type === "table" && !f.columns?.length) f.columns = [{ name: "description", type: "text" }]; markCustom(); renderEditor(); } },
      TYPES.map((t) => h("option", { value: t, selected: t === f.type }, t)));
    const desc = h("input", { type: "text", value: f.description || "", maxLength: 300, oninput: () => { f.description = desc.value; markCustom(); } });
    const move = (d) => {
      const j = i + d;
      if (j < 0 || j >= fields.length) return;
      [fields[i], fields[j]] = [fields[j], fields[i]];
      markCustom();
      renderEditor();
      editor.querySelectorAll(".field-list > li")[j]?.querySelector(`button[data-move="${d}"]`)?.focus();
    };
    const label = f.name || `field ${i + 1}`;
    return h("li.field-row",
      h("div.grid3", field("Name", name), field("Type", type), field("Description", desc)),
      f.type === "table" ? columnsEditor(f) : null,
      h("div.row.small",
        h("button.link", { type: "button", "data-move": "-1", "aria-label": `Move ${label} up`, disabled: i === 0, onclick: () => move(-1) }, "↑ Up"),
        h("button.link", { type: "button", "data-move": "1", "aria-label": `Move ${label} down`, disabled: i === fields.length - 1, onclick: () => move(1) }, "↓ Down"),
        h("button.link.danger", { type: "button", "aria-label": `Remove ${label}`, onclick: () => { fields.splice(i, 1); markCustom(); renderEditor(); } }, "Remove")));
  }

  function columnsEditor(f) {
    return h("fieldset.columns", h("legend", `Line-item columns of ${f.name || "this table"}`),
      h("ol", (f.columns || []).map((c, j) => {
        const cname = h("input", { type: "text", value: c.name, maxLength: 100, oninput: () => { c.name = cname.value; markCustom(); } });
        const ctype = h("select", { onchange: () => { c.type = ctype.value; markCustom(); } }, COLUMN_TYPES.map((t) => h("option", { value: t, selected: t === c.type }, t)));
        return h("li.row", field("Column", cname), field("Type", ctype),
          h("button.link.danger", { type: "button", "aria-label": `Remove column ${c.name || j + 1}`, onclick: () => { f.columns.splice(j, 1); markCustom(); renderEditor(); } }, "Remove"));
      })),
      h("button.link", { type: "button", onclick: () => { (f.columns ||= []).push({ name: "", type: "text" }); markCustom(); renderEditor(); } }, "Add a column"));
  }

  const cleanFields = () => fields
    .filter((f) => f.name.trim())
    .map((f) => ({
      name: f.name.trim(), type: f.type, description: (f.description || "").trim(),
      ...(f.type === "table" ? { columns: (f.columns || []).filter((c) => c.name.trim()).map((c) => ({ name: c.name.trim(), type: c.type })) } : {}),
    }));

  async function saveList() {
    clear(listStatus);
    const name = saveName.value.trim();
    if (!name) return listStatus.append(alertBox("Give the list a name first."));
    try {
      if (chosen.startsWith("saved:")) {
        const id = chosen.slice(6);
        await api("PUT", `/v1/templates/${id}`, { name, fields: cleanFields() });
        listStatus.append(alertBox(`Saved "${name}".`, "info"));
      } else {
        const created = await api("POST", "/v1/templates", { name, fields: cleanFields() });
        chosen = `saved:${created.id}`;
        listStatus.append(alertBox(`Saved as "${name}".`, "info"));
      }
      templates = await api("GET", "/v1/templates");
      fillTemplates();
      const note = listStatus.firstChild;
      renderEditor();
      listStatus.append(note);
    } catch (err) {
      listStatus.append(alertBox(err.message));
    }
  }

  async function deleteList() {
    const t = selected();
    if (!t || !confirm(`Delete the field list "${t.name}"?`)) return;
    try {
      await api("DELETE", `/v1/templates/${t.id}`);
      chosen = "";
      templates = await api("GET", "/v1/templates");
      fillTemplates();
      renderEditor();
      listStatus.append(alertBox(`Deleted "${t.name}".`, "info"));
    } catch (err) {
      clear(listStatus, alertBox(err.message));
    }
  }

  // ---------------------------------------------------------------- submit: create, upload
  const summary = h("p.muted", { "aria-live": "polite" });
  const submit = h("button.primary", { type: "submit", disabled: true }, "Upload and count pages");
  const cancelBtn = h("button.secondary", { type: "button", hidden: true }, "Cancel upload");

  const form = h("form", {
    onsubmit: async (e) => {
      e.preventDefault();
      clear(status);
      const body = { files: files.map((f) => ({ name: f.name, size: f.file.size, content_type: /\.zip$/i.test(f.name) ? "application/zip" : "application/pdf" })), hold: true };
      const t = selected();
      if (chosen.startsWith("builtin:") && t) body.template = t.name;
      else {
        body.fields = cleanFields();
        if (!body.fields.length) return status.append(alertBox("Add at least one field with a name, or pick a template."));
      }
      running = { aborts: [], cancelled: false, job: null };
      renderFiles();
      cancelBtn.hidden = false;
      try {
        const job = await api("POST", "/v1/jobs", body);
        running.job = job.id;
        await Promise.all(job.files.map((spec, i) => {
          const f = files[i];
          f.state.textContent = "uploading";
          const { promise, abort } = uploadFile(spec.upload, f.file, (p) => { f.bar.value = p; });
          running.aborts.push(abort);
          return promise.then(() => { f.state.textContent = "uploaded"; }, (err) => { f.state.textContent = "failed"; throw err; });
        }));
        location.hash = `#/jobs/${job.id}`;
      } catch (err) {
        const jobId = running?.job;
        if (jobId) api("POST", `/v1/jobs/${jobId}/cancel`).catch(() => {});
        for (const abort of running?.aborts || []) abort();
        status.append(alertBox(running?.cancelled ? "Upload cancelled: nothing was charged." : `${err.message}${jobId ? " — the job was cancelled and nothing was charged." : ""}`, running?.cancelled ? "info" : "error"));
        running = null;
        cancelBtn.hidden = true;
        renderFiles();
      }
    },
  },
    h("h1", "New job"),
    h("section.card", { "aria-labelledby": "files-h" }, h("h2#files-h", "1. Your documents"), drop, skipped, fileList, summary),
    h("section.card", { "aria-labelledby": "fields-h" }, h("h2#fields-h", "2. What to extract"),
      field("Template or field list", templateSelect, "Pick a template, one of your lists, or build your own fields below."), editor),
    h("section.card", { "aria-labelledby": "go-h" }, h("h2#go-h", "3. Upload"),
      h("p", "After the upload ZapDoc counts the pages and shows you the cost. Nothing is charged until you confirm."),
      status, h("div.row", submit, cancelBtn)),
  );
  cancelBtn.addEventListener("click", () => {
    if (!running) return;
    running.cancelled = true;
    for (const abort of running.aborts) abort();
  });
  main.append(form);

  api("GET", "/v1/templates").then((data) => {
    templates = data;
    chosen = params.get("template") ? `builtin:${params.get("template")}` : "builtin:invoice";
    fillTemplates();
    fields = structuredClone(selected()?.fields || [{ name: "", type: "text", description: "" }]);
    renderEditor();
    ready = true;
    renderFiles();
  }, (err) => status.append(alertBox(err.message)));
  renderFiles();
  focusHeading();
  return () => {
    for (const abort of running?.aborts || []) abort();
  };
}

// Files of a drop, walking dropped folders (webkitGetAsEntry) so a folder of PDFs works.
async function droppedFiles(dt) {
  const entries = [...(dt.items || [])].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...dt.files].map((f) => ({ file: f, name: f.name }));
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      out.push({ file, name: prefix + file.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      let batch;
      do {
        batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      } while (batch.length);
    }
  };
  for (const entry of entries) await walk(entry, "");
  return out;
}

