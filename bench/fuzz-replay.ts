/**
 * `node dist/bench/fuzz-replay.js --loader L [--seed 1] (--index N | --from A --to B [--grep RE]) [--dir DIR]`:
 * replay fuzz inputs (bench/fuzz.ts) in this process and print each one's outcome and message; the inputs stay
 * in DIR (default: a new temp folder, printed) for a closer look. `--grep` keeps the inputs whose message matches.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basePanel, LOADERS, runInput, type Loader } from "./fuzz-lib.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const loader = flag("loader", "") as Loader;
if (!LOADERS.includes(loader)) {
  console.error(`--loader must be one of ${LOADERS.join(", ")}`);
  process.exit(2);
}
const seed = Number(flag("seed", "1"));
const from = Number(flag("index", flag("from", "0")));
const to = args.includes("--index") ? from + 1 : Number(flag("to", String(from + 1)));
const grep = args.includes("--grep") ? new RegExp(flag("grep", "")) : null;
const dir = flag("dir", "") || mkdtempSync(join(tmpdir(), `keytech-replay-${loader}-`));
writeFileSync(join(dir, "base.csv"), basePanel());
process.env.KEYTECH_NO_PROGRESS = "1";
console.log(`inputs in ${dir}`);
for (let i = from; i < to; i++) {
  const r = await runInput(loader, seed, i, dir, Buffer.from(basePanel()));
  if (grep && !grep.test(r.message)) continue;
  console.log(`#${i} ${r.outcome}: ${r.message}`);
}
