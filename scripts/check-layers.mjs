#!/usr/bin/env node
// Enforces the one-direction flow of src/: a folder may import only from folders at or below its level.
//   core < data < patents < formula < estimators < inference < study < analyses < report < cli
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

// analyses: new analyses land in src/analyses (issue #15); until study/analyses moves there too, it sits above study.
const ORDER = ["core", "data", "patents", "formula", "estimators", "inference", "study", "analyses", "report", "cli"];
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const bad = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".ts")) check(p);
  }
}
function layerOf(file) {
  const top = relative(src, file).split(/[\\/]/)[0];
  return ORDER.indexOf(top);
}
function check(file) {
  const text = readFileSync(file, "utf8");
  const from = layerOf(file);
  if (from < 0) { bad.push(`${relative(root, file)}: folder is not a known layer (${ORDER.join(", ")})`); return; }
  const re = /(?:import|export)[^'"]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;
  let m;
  while ((m = re.exec(text))) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(src)) continue;
    const to = layerOf(target);
    if (to > from) bad.push(`${relative(root, file)} imports ${spec} (${ORDER[to]} is above ${ORDER[from]})`);
  }
}
walk(src);
if (bad.length) {
  console.error("layer violations (lower layers must not import higher ones):\n  " + bad.join("\n  "));
  process.exit(1);
}
console.error(`layers ok (${ORDER.join(" < ")})`);
