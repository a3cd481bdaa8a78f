// List every npm package that ended up in the bundle (from esbuild's metafile) with its version and licence,
// and gather their licence texts, so the vendored file carries what the MIT licences ask for.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const [metafile, out] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(metafile, "utf8"));
const names = new Set();
for (const input of Object.keys(meta.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) names.add(m[1]);
}
const rows = [];
const texts = [];
for (const name of [...names].sort()) {
  const dir = join("node_modules", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const licence = typeof pkg.license === "string" ? pkg.license : (pkg.license && pkg.license.type) || "UNKNOWN";
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  if (!file) throw new Error(`${name} ${pkg.version} ships no licence file`);
  rows.push(`| ${name} | ${pkg.version} | ${licence} |`);
  texts.push(`${name} ${pkg.version} (${licence})\n${"=".repeat(60)}\n${readFileSync(join(dir, file), "utf8").trim()}\n`);
}
const size = readFileSync(join(out, "editor.js")).length;
writeFileSync(join(out, "VENDORED.md"), `# Vendored into editor.js

\`editor.js\` (${size} bytes) is \`web/editor.js\` bundled with esbuild by \`web/refresh.sh\` from these npm
packages (the versions of \`web/package-lock.json\`); their licence texts are in \`LICENSES.txt\`.

| package | version | licence |
|---|---|---|
${rows.join("\n")}
`);
writeFileSync(join(out, "LICENSES.txt"), texts.join("\n"));
console.log(`${rows.length} packages, editor.js ${size} bytes`);
