/**
 * Are two `keytech demo` output folders the same run? (issue #17: "demo results.json identical apart from
 * timings"). Compares results.json value by value, ignoring only the fields that time or locate a run or
 * hash the code: `seconds` (per block), `key` / `block_key` (block cache keys: they hash the code
 * fingerprint) and `path` (where the spec was); then byte-compares every file under tables/, data/ and
 * figures/ and work/analysis_panel.csv, and reports whether report.html differs (it shows the seconds).
 *
 *   node dist/bench/demo-compare.js DIR_A DIR_B
 *
 * Exit status 0 when everything compared is identical, 1 otherwise (each difference is printed).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  console.error("usage: node dist/bench/demo-compare.js DIR_A DIR_B");
  process.exit(2);
}
const IGNORED = new Set(["seconds", "key", "block_key", "path"]);
const diffs: string[] = [];
let leaves = 0;

function walk(x: unknown, y: unknown, p: string): void {
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) diffs.push(`${p}: length ${x.length} vs ${y.length}`);
    for (let i = 0; i < Math.min(x.length, y.length); i++) walk(x[i], y[i], `${p}/${i}`);
    return;
  }
  if (x && y && typeof x === "object" && typeof y === "object" && !Array.isArray(x) && !Array.isArray(y)) {
    const kx = Object.keys(x),
      ky = Object.keys(y);
    if (kx.join("\u0000") !== ky.join("\u0000")) diffs.push(`${p}: keys [${kx.join(", ")}] vs [${ky.join(", ")}]`);
    for (const k of kx) {
      if (IGNORED.has(k) || !(k in y)) continue;
      walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${p}/${k}`);
    }
    return;
  }
  leaves++;
  // numbers compared as JSON text: the same bits print the same shortest round-trip digits
  if (JSON.stringify(x) !== JSON.stringify(y)) diffs.push(`${p}: ${JSON.stringify(x)?.slice(0, 80)} vs ${JSON.stringify(y)?.slice(0, 80)}`);
}

walk(JSON.parse(readFileSync(join(a, "results.json"), "utf8")), JSON.parse(readFileSync(join(b, "results.json"), "utf8")), "results.json");
console.log(`results.json: ${leaves} values compared (ignoring ${[...IGNORED].join(", ")}), ${diffs.length} differences`);

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}
let nFiles = 0;
for (const sub of ["tables", "data", "figures", "work/analysis_panel.csv"]) {
  const fa = statSync(join(a, sub), { throwIfNoEntry: false })?.isDirectory() ? files(join(a, sub)) : [join(a, sub)];
  const fb = new Set((statSync(join(b, sub), { throwIfNoEntry: false })?.isDirectory() ? files(join(b, sub)) : [join(b, sub)]).map((f) => relative(b, f)));
  for (const f of fa) {
    const rel = relative(a, f);
    nFiles++;
    if (!fb.has(rel) || !existsSync(join(b, rel))) {
      diffs.push(`${rel}: only in ${a}`);
      continue;
    }
    fb.delete(rel);
    if (!readFileSync(f).equals(readFileSync(join(b, rel)))) diffs.push(`${rel}: bytes differ`);
  }
  for (const rel of fb) diffs.push(`${rel}: only in ${b}`);
}
console.log(`files: ${nFiles} under tables/, data/, figures/ and work/analysis_panel.csv byte-compared`);
const ra = readFileSync(join(a, "report.html"), "utf8"),
  rb = readFileSync(join(b, "report.html"), "utf8");
console.log(`report.html: ${ra === rb ? "identical" : "differs (not counted: it shows the run's seconds and paths)"}`);
for (const d of diffs) console.log(`  DIFF ${d}`);
console.log(diffs.length ? `${diffs.length} differences` : "identical apart from timings, cache keys and paths");
process.exit(diffs.length ? 1 : 0);
