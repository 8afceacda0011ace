// Build the web app into ../shared/zapdoc/webapp (served by the api function from the API's origin):
// one hashed ES module bundle plus lazily loaded chunks, a hashed stylesheet, index.html pointing at them,
// and .br/.gz copies of every text file. `make web` runs it (npm ci first).
import { build } from "esbuild";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const out = path.resolve(here, "../shared/zapdoc/webapp");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, "assets"), { recursive: true });

const result = await build({
  entryPoints: { app: path.join(here, "src/main.js"), style: path.join(here, "src/styles.css") },
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  outdir: path.join(out, "assets"),
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  metafile: true,
  legalComments: "linked",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = outputs.find((f) => /^app-.*\.js$/.test(f));
const css = outputs.find((f) => /^style-.*\.css$/.test(f));
for (const stray of outputs.filter((f) => /^style-.*\.js$/.test(f))) fs.rmSync(path.join(out, "assets", stray));
const icon = fs.readFileSync(path.join(here, "src/icon.svg"));
fs.writeFileSync(path.join(out, "assets/icon.svg"), icon);
const html = fs.readFileSync(path.join(here, "index.html"), "utf8").replace("%JS%", js).replace("%CSS%", css);
fs.writeFileSync(path.join(out, "index.html"), html);

const files = [];
const walk = (dir) => {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(out);
const manifest = { entry: js, style: css, files: {} };
for (const file of files) {
  const data = fs.readFileSync(file);
  const rel = path.relative(out, file);
  const gz = gzipSync(data, { level: 9 });
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  if (/\.(js|css|html|svg|txt|json)$/.test(file)) {
    fs.writeFileSync(file + ".gz", gz);
    fs.writeFileSync(file + ".br", br);
  }
  manifest.files[rel] = {
    bytes: data.length, gzip: gz.length, brotli: br.length,
    sha256: createHash("sha256").update(data).digest("hex").slice(0, 16),
  };
}
fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify(manifest, null, 2));
const first = ["index.html", `assets/${js}`, `assets/${css}`].reduce((n, f) => n + manifest.files[f].gzip, 0);
console.log(`web: built ${files.length} files into ${path.relative(process.cwd(), out)}; entry ${js}, ${first} bytes gzip (html+js+css)`);
