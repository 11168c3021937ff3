/**
 * `keytech demo` benchmark (issue #17, goal: whole demo ≤ 8 s at the reference size). Runs the demo in a
 * fresh child process under `/usr/bin/time -v` and prints, per run: wall seconds, CPU seconds (user + sys,
 * every thread of the process), peak RSS, the 1-minute load average before and after, and the split by
 * stage: the twin-run truth, the study (and each block's seconds from results.json), the rest (world
 * writing, report), parsed from the demo's own progress lines.
 *
 *   node dist/bench/demo.js [--runs 1] [--quick] [--out DIR] [--root PKG] [--prof DIR]
 *
 * `--root PKG` runs another build of keytech (a folder holding dist/src/cli/main.js, e.g. a copy of main's
 * build) — for before/after figures on the same machine; `--prof DIR` adds `--cpu-prof --cpu-prof-dir DIR`.
 * The output folder (default: a temp folder) is removed unless `--out` is given.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
};
const runs = Number(opt("--runs") ?? 1);
const quick = args.includes("--quick");
const root = resolve(opt("--root") ?? fileURLToPath(new URL("../..", import.meta.url)));
const main = join(root, "dist/src/cli/main.js");
if (!existsSync(main)) throw new Error(`no ${main} (build first)`);
const prof = opt("--prof");

interface BlockRec {
  id: string;
  seconds: number;
  cached: boolean;
}

for (let run = 1; run <= runs; run++) {
  const out = opt("--out") ? resolve(opt("--out")!) + (runs > 1 ? `-${run}` : "") : mkdtempSync(join(tmpdir(), "keytech-bench-demo-"));
  rmSync(out, { recursive: true, force: true });
  const timeFile = join(tmpdir(), `keytech-bench-demo-time-${process.pid}-${run}.txt`);
  const load0 = loadavg()[0]!;
  const nodeArgs = [...(prof ? ["--cpu-prof", "--cpu-prof-dir", prof] : []), main, "demo", "--out", out, ...(quick ? ["--quick"] : [])];
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", "-o", timeFile, process.execPath, ...nodeArgs], { encoding: "utf8", maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  const load1 = loadavg()[0]!;
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`demo exited with ${r.status}`);
  }
  const tv = readFileSync(timeFile, "utf8");
  rmSync(timeFile, { force: true });
  const field = (label: string): number => Number(new RegExp(`${label}: ([\\d.]+)`).exec(tv)?.[1] ?? NaN);
  const user = field("User time \\(seconds\\)"),
    sys = field("System time \\(seconds\\)"),
    rssMb = field("Maximum resident set size \\(kbytes\\)") / 1024;
  const err = r.stderr;
  const num = (re: RegExp): number => Number(re.exec(err)?.[1] ?? NaN);
  const truthS = num(/twin-run truth: .*\(([\d.]+) s\)/);
  const studyS = num(/^done in ([\d.]+) s:/m);
  const totalS = num(/demo finished in ([\d.]+) s/);
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
    sample: { rows: number };
    blocks: BlockRec[];
    truth: { sample: { patents: number } };
  };
  console.log(
    `run ${run}/${runs}${quick ? " (--quick)" : ""}: ${root}\n` +
      `  size: ${res.sample.rows} county-years, ${res.truth.sample.patents} patents (world) + 4 twin worlds\n` +
      `  wall ${wall.toFixed(2)} s (demo's own clock ${totalS.toFixed(2)} s), CPU ${(user + sys).toFixed(2)} s (user ${user.toFixed(2)} + sys ${sys.toFixed(2)}), ` +
      `peak RSS ${rssMb.toFixed(0)} MB, load average ${load0.toFixed(2)} → ${load1.toFixed(2)}`,
  );
  const fin = /demo finished in [\d.]+ s \((.*?); spec:/.exec(err)?.[1];
  const waited = /^waited ([\d.]+) s for truth/m.exec(err)?.[1];
  console.log(
    `  stages: twin-run truth ready at ${truthS.toFixed(2)} s, study ${studyS.toFixed(2)} s${waited ? ` (of which ${waited} s waiting for the truth)` : ""}` +
      (fin ? `; ${fin}` : `; world + report ${(totalS - truthS - studyS).toFixed(2)} s (truth, then study, in turn)`),
  );
  const blocks = res.blocks
    .slice()
    .sort((a, b) => b.seconds - a.seconds)
    .map((b) => `${b.id} ${b.seconds.toFixed(2)}${b.cached ? " (cached)" : ""}`);
  const sum = res.blocks.reduce((a, b) => a + b.seconds, 0);
  console.log(`  blocks (Σ ${sum.toFixed(2)} s): ${blocks.join(", ")}`);
  if (!opt("--out")) rmSync(out, { recursive: true, force: true });
}
