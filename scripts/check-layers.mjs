#!/usr/bin/env node
// Enforces the one-direction flow of src/: a folder may import only from folders at or below its level,
//   core < data < patents < formula < estimators < inference < analyses < report < study < sim < cli
// no file-level import cycle anywhere (Tarjan's strongly connected components over the relative imports,
// type-only imports included), and no dynamic import() whose argument is not a string literal (a computed
// specifier escapes both tsc and this check).
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { join, resolve, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ORDER = ["core", "data", "patents", "formula", "estimators", "inference", "analyses", "report", "study", "sim", "cli"];
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const bad = [];
/** file → the src files it imports (relative specifiers resolved to .ts) */
const graph = new Map();

function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".ts")) check(p);
  }
}
function layerOf(file) {
  const top = relative(src, file).split(/[\\/]/)[0];
  return ORDER.indexOf(top);
}
/** Comments removed (strings kept), so that prose mentioning import(x) is not code. */
function stripComments(text) {
  return text.replace(/("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m, str) =>
    str ? m : m.startsWith("/*") ? m.replace(/[^\n]/g, " ") : "",
  );
}
function lineOf(text, index) {
  return text.slice(0, index).split("\n").length;
}
function resolveTs(file, spec) {
  const target = resolve(dirname(file), spec);
  const ts = target.replace(/\.js$/, ".ts");
  if (existsSync(ts)) return ts;
  if (existsSync(target) && statSync(target).isFile()) return target;
  return null;
}
function check(file) {
  const text = stripComments(readFileSync(file, "utf8"));
  const from = layerOf(file);
  const rel = relative(root, file);
  if (from < 0) {
    bad.push(`${rel}: folder is not a known layer (${ORDER.join(", ")})`);
    return;
  }
  const deps = new Set();
  const re =
    /(?:^|[^\w.$])(?:import|export)\s[^'"`;]*?from\s*["'](\.[^"']+)["']|(?:^|[^\w.$])import\s*["'](\.[^"']+)["']|(?:^|[^\w.$])import\(\s*["'](\.[^"']+)["']\s*\)/g;
  let m;
  while ((m = re.exec(text))) {
    const spec = m[1] ?? m[2] ?? m[3];
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(src)) continue;
    const to = layerOf(target);
    if (to > from) bad.push(`${rel} imports ${spec} (${ORDER[to]} is above ${ORDER[from]})`);
    const ts = resolveTs(file, spec);
    if (ts) deps.add(ts);
  }
  // dynamic import(): the argument must be one string literal
  const dyn = /(?:^|[^\w.$])import\s*\(\s*([^)]*)\)/g;
  while ((m = dyn.exec(text))) {
    const arg = m[1].trim();
    if (!/^(["'])[^"'`]*\1$/.test(arg))
      bad.push(`${rel}:${lineOf(text, m.index + 1)}: dynamic import(${arg.slice(0, 40)}) with a computed specifier: use a static import (or a string literal)`);
  }
  graph.set(file, deps);
}

/** Tarjan's strongly connected components; every component with more than one file (or a self-import) is a cycle. */
function cycles() {
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    onStack = new Set(),
    stack = [],
    out = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? new Set()).has(v)) out.push(comp.map((f) => relative(root, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

walk(src);
const cyc = cycles();
for (const c of cyc) bad.push(`import cycle of ${c.length} files: ${c.join(" ↔ ")}`);
if (bad.length) {
  console.error("layer check failed (lower layers must not import higher ones; no cycles; no computed dynamic imports):\n  " + bad.join("\n  "));
  process.exit(1);
}
console.error(`layers ok (${ORDER.join(" < ")}); ${graph.size} files, 0 import cycles, no computed dynamic imports`);
