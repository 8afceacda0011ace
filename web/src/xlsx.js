// Read the first rows of one sheet of an .xlsx in the browser (loaded lazily, only for the preview):
// unzip with fflate, parse the sheet XML with the browser's DOMParser.
import { unzipSync, strFromU8 } from "fflate";

const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

function xml(files, name) {
  const data = files[name];
  return data ? new DOMParser().parseFromString(strFromU8(data), "application/xml") : null;
}

function colIndex(ref) {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, "")) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function readSheet(bytes, sheetName, maxRows) {
  const files = unzipSync(bytes, { filter: (f) => f.name.startsWith("xl/") && f.name.endsWith(".xml") || f.name.endsWith(".rels") });
  const book = xml(files, "xl/workbook.xml");
  const rels = xml(files, "xl/_rels/workbook.xml.rels");
  const sheets = [...book.getElementsByTagName("sheet")];
  const sheet = sheets.find((s) => s.getAttribute("name") === sheetName) || sheets[0];
  const rid = sheet.getAttributeNS(NS_REL, "id") || sheet.getAttribute("r:id");
  const rel = [...rels.getElementsByTagName("Relationship")].find((r) => r.getAttribute("Id") === rid);
  let target = rel.getAttribute("Target");
  target = target.startsWith("/") ? target.slice(1) : `xl/${target}`;
  const shared = xml(files, "xl/sharedStrings.xml");
  const strings = shared ? [...shared.getElementsByTagName("si")].map((si) => [...si.getElementsByTagName("t")].map((t) => t.textContent).join("")) : [];
  const doc = xml(files, target);
  const rows = [];
  for (const row of doc.getElementsByTagName("row")) {
    if (rows.length >= maxRows) break;
    const cells = [];
    for (const c of row.getElementsByTagName("c")) {
      const type = c.getAttribute("t");
      const v = c.getElementsByTagName("v")[0]?.textContent ?? "";
      let value = v;
      if (type === "s") value = strings[Number(v)] ?? "";
      else if (type === "inlineStr") value = [...c.getElementsByTagName("t")].map((t) => t.textContent).join("");
      else if (type === "b") value = v === "1" ? "TRUE" : "FALSE";
      cells[colIndex(c.getAttribute("r") || "A1")] = value;
    }
    rows.push(cells);
  }
  return rows;
}
