/**
 * `node dist/bench/fuzz.js [--n 10000] [--seed 1] [--loader csv|formula] [--limit-ms 10000]`: seeded fuzzing
 * of the panel reader (CSV bytes → feols) and the formula parser (formula text → feols), in process, with
 * a per-input time limit (issue #14). Prints per loader: inputs, accepted, clear errors, crashes, hangs,
 * seconds, and the first findings (index → replay with the same seed). Exit 1 when anything crashed or hung.
 */
import { fuzz } from "./fuzz-run.js";
import type { Loader } from "./fuzz-lib.js";
import { peakRssMb } from "./util.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const n = Number(flag("n", "10000"));
const seed = Number(flag("seed", "1"));
const limit = Number(flag("limit-ms", "10000"));
const loaders: Loader[] = flag("loader", "") ? [flag("loader", "") as Loader] : ["csv", "formula"];
let bad = 0;
for (const loader of loaders) {
  const c = await fuzz(loader, seed, n, limit);
  bad += c.crashes + c.hangs;
  console.log(`${loader.padEnd(8)} inputs ${c.inputs}  accepted ${c.ok}  clear errors ${c.errors}  crashes ${c.crashes}  hangs ${c.hangs}  ${c.seconds.toFixed(1)} s  peak RSS ${peakRssMb().toFixed(0)} MB`);
  for (const f of c.findings) console.log(`  #${f.index} ${f.kind}: ${f.message}`);
}
process.exitCode = bad ? 1 : 0;
