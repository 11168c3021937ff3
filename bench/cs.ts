/**
 * Callaway–Sant'Anna benchmark: `did cs` (dr, never-treated, no covariates, analytic SEs) with all four
 * aggregations on seeded simulated balanced panels of 10k, 100k and 1M units × 20 periods.
 * Usage: node dist/bench/cs.js [units…] [--bootstrap B] [--cli] [--unbalanced P]
 *   --cli: from a CSV file through the data layer to JSON (R did 2.1.2: 3.9 s at 10k, 68 s at 100k)
 *   --unbalanced P: drop each row with probability P (seeded) and estimate with --allow-unbalanced (the
 *   repeated-cross-section DRDID estimators, influence functions summed by unit)
 */
import { Rng } from "../src/core/rng.js";
import { csAnalysis } from "../src/analyses/cs.js";
import type { LongPanelInput } from "../src/estimators/cs/cs-panel.js";
import { timed, peakRssMb } from "./util.js";
import { createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { didPanelSpec } from "../src/cli/commands/did-cs.js";
import { readDidPanel } from "../src/data/panel.js";
import { longPanelInput } from "../src/analyses/cs.js";
import { resultToJson } from "../src/core/result.js";

async function writeCsv(path: string, d: LongPanelInput): Promise<void> {
  const out = createWriteStream(path);
  const chunk: string[] = ["id,year,g,y"];
  for (let r = 0; r < d.y.length; r++) {
    chunk.push(`${d.unit[r]},${d.time[r]},${d.cohort[r]},${d.y[r]}`);
    if (chunk.length >= 100000) {
      if (!out.write(chunk.join("\n") + "\n")) await new Promise<void>((res) => out.once("drain", () => res()));
      chunk.length = 0;
    }
  }
  out.write(chunk.join("\n") + "\n");
  await new Promise<void>((res) => out.end(res));
}

/** Staggered panel: cohorts 2005..2018 and never treated, unit and time effects, dynamic effects. */
export function simulatePanel(nUnits: number, T: number, seed: number): LongPanelInput {
  const rng = new Rng(seed);
  const N = nUnits * T;
  const y = new Float64Array(N),
    unit = new Int32Array(N),
    time = new Int32Array(N),
    cohort = new Int32Array(N);
  const t0 = 2000;
  const cohorts = [0, 0, 0];
  for (let g = t0 + 5; g < t0 + T - 1; g++) cohorts.push(g);
  let r = 0;
  for (let i = 0; i < nUnits; i++) {
    const g = cohorts[rng.int(cohorts.length)]!;
    const a = rng.normal();
    for (let t = 0; t < T; t++, r++) {
      const yr = t0 + t;
      const eff = g > 0 && yr >= g ? 0.5 + 0.1 * (yr - g) : 0;
      y[r] = a + 0.05 * t + eff + rng.normal();
      unit[r] = i + 1;
      time[r] = yr;
      cohort[r] = g;
    }
  }
  return { names: { y: "y", unit: "id", time: "year", cohort: "g" }, y, unit, time, cohort };
}

/** Drop each row with probability p (rows of one unit may all go: the unit then leaves the panel). */
export function attrite(d: LongPanelInput, p: number, seed: number): LongPanelInput {
  const rng = new Rng(seed);
  const keep: number[] = [];
  for (let r = 0; r < d.y.length; r++) if (rng.uniform() >= p) keep.push(r);
  const pickF = (a: ArrayLike<number>) => Float64Array.from(keep, (r) => a[r]!);
  const pickI = (a: ArrayLike<number>) => Int32Array.from(keep, (r) => a[r]!);
  return { ...d, y: pickF(d.y), unit: pickI(d.unit as ArrayLike<number>), time: pickI(d.time), cohort: pickI(d.cohort) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flagValue = (f: string): number | undefined => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : undefined);
  const B = flagValue("--bootstrap") ?? 0;
  const pMiss = flagValue("--unbalanced");
  const valueIdx = new Set(["--bootstrap", "--unbalanced"].filter((f) => args.includes(f)).map((f) => args.indexOf(f) + 1));
  const sizes = args.filter((a, k) => !a.startsWith("--") && !valueIdx.has(k)).map(Number);
  const cli = args.includes("--cli");
  for (const n of sizes.length ? sizes : [10_000, 100_000, 1_000_000]) {
    let data = simulatePanel(n, 20, 42);
    if (pMiss !== undefined) data = attrite(data, pMiss, 43);
    console.log(
      `units ${n} × 20 periods (${data.y.length} rows${pMiss !== undefined ? `, unbalanced: ${(100 * pMiss).toFixed(0)}% of rows dropped at random` : ""}), dr, never-treated, 4 aggregations${B ? `, bootstrap ${B}` : ", analytic SEs"}`,
    );
    if (cli) {
      // the whole command: CSV read through the data layer (DuckDB), estimation, JSON serialisation
      const file = join(tmpdir(), `keytech-bench-cs-${n}.csv`);
      await writeCsv(file, data);
      const c0 = process.cpuUsage();
      await timed(`  did cs ${n} (CSV → JSON)`, async () => {
        const panel = await readDidPanel(didPanelSpec({ data: file, y: "y", unit: "id", time: "year", cohort: "g" }));
        const input = longPanelInput(panel),
          inputs = panel.inputs;
        return resultToJson(csAnalysis(input, { bootstrap: B, seed: 1, inputs, allowUnbalanced: pMiss !== undefined })).length;
      });
      const c1 = process.cpuUsage(c0);
      console.log(`  CPU time ${((c1.user + c1.system) / 1e6).toFixed(3)} s (main thread + DuckDB threads)`);
      continue;
    }
    const c0 = process.cpuUsage();
    const { value } = await timed(`  did cs ${n}`, () => csAnalysis(data, { bootstrap: B, seed: 1, allowUnbalanced: pMiss !== undefined }));
    const c1 = process.cpuUsage(c0);
    console.log(`  CPU time ${((c1.user + c1.system) / 1e6).toFixed(3)} s (wall time above is inflated when other processes share the cores)`);
    console.log(
      `  simple ATT ${value.estimates[0]!.estimate?.toFixed(5)} (${value.estimates[0]!.std_error?.toFixed(5)}), cells ${(value.att_gt as unknown[]).length}, peak RSS ${peakRssMb().toFixed(0)} MB`,
    );
  }
}

void main();
