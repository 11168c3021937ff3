/**
 * What a user sees: `keytech did sdid` on a CSV of the bench panel (1,020 units × 30 periods), wall
 * seconds of the whole command minus the wall seconds of `node -e ""` (Node start-up), for
 * `--se none` (one estimate: reading, reshaping, cold-JIT estimate, JSON) and `--se placebo --reps
 * 200` (goals: R 3.3 s and 345 s ÷ 50), and `keytech --version` (loading the CLI's modules, which
 * the two include). Each is run --repeat times; the minimum is reported.
 * Usage: node dist/bench/sdid-cli.js [--repeat 3] [--reps 200]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { simulatePanel } from "./sdid-sim.js";

function arg(name: string, def: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : def;
}
const repeat = arg("repeat", 3);
const reps = arg("reps", 200);
const main = resolve(dirname(fileURLToPath(import.meta.url)), "../src/cli/main.js");
const p = simulatePanel(1020, 30, 20, 10, 7);
const dir = mkdtempSync(join(tmpdir(), "kt-sdid-bench-"));
const csv = join(dir, "panel.csv");
const lines = ["unit,year,y,d"];
for (let i = 0; i < p.N; i++) for (let t = 0; t < p.T; t++) lines.push(`u${i},${2000 + t},${p.Y[i * p.T + t]},${i >= p.N0 && t >= p.T0 ? 1 : 0}`);
writeFileSync(csv, lines.join("\n") + "\n");

/** Minimum wall seconds and the child's CPU seconds (user + sys) over `repeat` runs. */
function run(args: string[]): { wall: number; cpu: number; rssMb: number } {
  let best = { wall: Infinity, cpu: 0, rssMb: 0 };
  for (let k = 0; k < repeat; k++) {
    const t0 = performance.now();
    const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, ...args], { encoding: "utf8" });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`failed: ${args.join(" ")}\n${r.stderr}`);
    const [u, s, m] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    if (wall < best.wall) best = { wall, cpu: u! + s!, rssMb: m! / 1024 };
  }
  return best;
}
console.log(
  `CSV ${p.N} units × ${p.T} periods; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
const node = run(["-e", ""]);
console.log(`node start-up (node -e "")                 wall ${node.wall.toFixed(3)} s`);
const load = run([main, "--version"]);
console.log(`keytech --version (CLI module loading)     wall ${load.wall.toFixed(3)} s (minus start-up ${(load.wall - node.wall).toFixed(3)} s)`);
const base = [main, "did", "sdid", "--data", csv, "--y", "y", "--unit", "unit", "--time", "year", "--treat", "d", "--json"];
const one = run([...base, "--se", "none"]);
console.log(
  `keytech did sdid --se none                 wall ${one.wall.toFixed(3)} s (minus start-up ${(one.wall - node.wall).toFixed(3)} s)   CPU ${one.cpu.toFixed(2)} s   peak RSS ${one.rssMb.toFixed(0)} MB`,
);
const pl = run([...base, "--se", "placebo", "--reps", String(reps)]);
console.log(
  `keytech did sdid --se placebo --reps ${reps}   wall ${pl.wall.toFixed(3)} s (minus start-up ${(pl.wall - node.wall).toFixed(3)} s)   CPU ${pl.cpu.toFixed(2)} s   peak RSS ${pl.rssMb.toFixed(0)} MB`,
);
console.log(
  `vs R: one estimate ${(3.3 / (one.wall - node.wall)).toFixed(0)}×, placebo ${(345 / (pl.wall - node.wall)).toFixed(0)}× (whole command incl. CSV reading, minus Node start-up); load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
