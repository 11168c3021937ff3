/**
 * `node dist/bench/fuzz.js [--n 10000] [--seed 1] [--loader csv,formula,patents-csv,patents-parquet,patents-xml,spec]
 * [--limit-ms 10000]`: seeded fuzzing of the panel reader (CSV bytes → feols), the formula parser (formula text →
 * feols), the patents reader (CSV, Parquet, USPTO XML → `patents panel`) and the spec loader, in process, with
 * a per-input time limit (issue #14). Prints per loader: inputs, accepted, clear errors, crashes, hangs,
 * seconds, and the first findings (index → replay with the same seed); `--messages` adds the most frequent kinds of
 * refusal. Exit 1 when anything crashed, hung or gave a message that does not name the input file.
 */
import { fuzz } from "./fuzz-run.js";
import { LOADERS, type Loader } from "./fuzz-lib.js";
import { peakRssMb } from "./util.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const n = Number(flag("n", "10000"));
const seed = Number(flag("seed", "1"));
const limit = Number(flag("limit-ms", "10000"));
const only = flag("loader", "");
if (only && !only.split(",").every((l) => (LOADERS as readonly string[]).includes(l))) {
  console.error(`--loader must be a comma list of ${LOADERS.join(", ")}`);
  process.exit(2);
}
const loaders: Loader[] = only ? (only.split(",") as Loader[]) : [...LOADERS];
let bad = 0;
for (const loader of loaders) {
  const c = await fuzz(loader, seed, n, limit);
  bad += c.crashes + c.hangs + c.unclear;
  console.log(
    `${loader.padEnd(16)} inputs ${c.inputs}  accepted ${c.ok}  clear errors ${c.errors}  unclear ${c.unclear}  crashes ${c.crashes}  hangs ${c.hangs}  ${c.seconds.toFixed(1)} s  peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  for (const f of c.findings) console.log(`  #${f.index} ${f.kind}: ${f.message}`);
  if (args.includes("--messages")) {
    const top = Object.entries(c.messages).sort((a, b) => b[1] - a[1]);
    console.log(`  ${top.length} kinds of refusal; the most frequent:`);
    for (const [m, k] of top.slice(0, Number(flag("messages-top", "25")))) console.log(`  ${String(k).padStart(6)}  ${m}`);
  }
}
process.exitCode = bad ? 1 : 0;
