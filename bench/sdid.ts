/**
 * Synthetic DID speed: one estimate and a 200-replication placebo SE on a simulated panel of
 * 1,020 units × 30 periods (1,000 controls, 20 treated, 20 pre + 10 post periods; a 3-factor
 * interactive model with unit and time effects). R synthdid 0.0.9 needs 3.3 s and 345 s here
 * (goal ≥ 50×: ≤ 0.066 s and ≤ 6.9 s).
 *
 * Prints, for each step, wall seconds and process CPU seconds (all threads, workers included):
 * - the first estimate in this process (cold JIT: what one CLI call pays, without Node start-up and
 *   without reading the data; see bench/sdid-cli.ts for the whole command);
 * - the best of --repeat warm estimates;
 * - the placebo SE with --workers threads (default: all cores) and with one thread, checking that
 *   the draws are bit-identical.
 * Usage: node dist/bench/sdid.js [--units 1020] [--periods 30] [--treated 20] [--reps 200] [--workers W] [--repeat 5]
 */
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { Rng } from "../src/core/rng.js";
import { sdid } from "../src/estimators/sdid/sdid.js";
import { sdidSeParallel } from "../src/inference/sdid-variance.js";
import { simulatePanel } from "./sdid-sim.js";
import { peakRssMb } from "./util.js";

function arg(name: string, def: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : def;
}

/** Wall and CPU seconds (user + system, all threads of this process) of fn. */
async function measure<T>(label: string, fn: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(`${label.padEnd(52)} wall ${wall.toFixed(3)} s   CPU ${cpu.toFixed(3)} s   peak RSS ${peakRssMb().toFixed(0)} MB`);
  return { value, wall, cpu };
}

const N = arg("units", 1020);
const T = arg("periods", 30);
const N1 = arg("treated", 20);
const reps = arg("reps", 200);
const workers = arg("workers", availableParallelism());
const p = simulatePanel(N, T, N1, 10, 7);
console.log(
  `panel: ${N} units (${N1} treated) × ${T} periods (10 post); placebo replications ${reps}; ${availableParallelism()} cores; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);

const cold = await measure("sdid: first estimate in this process (cold JIT)", () => sdid(p));
let warm = cold;
for (let k = 0; k < arg("repeat", 5); k++) {
  const again = await measure("sdid: one estimate (warm)", () => sdid(p));
  if (again.wall < warm.wall) warm = again;
}
console.log(`  estimate ${warm.value.estimate.toFixed(6)} (true effect 2); FW iterations ${warm.value.iterations.join("/")}`);
const fit = warm.value;
const par = await measure(`sdid: placebo SE, ${reps} reps, ${workers} threads`, () =>
  sdidSeParallel("placebo", p, fit, new Rng(1), { replications: reps, workers }),
);
const one = await measure(`sdid: placebo SE, ${reps} reps, 1 thread`, () => sdidSeParallel("placebo", p, fit, new Rng(1), { replications: reps, workers: 1 }));
const identical = Buffer.compare(Buffer.from(par.value.draws.buffer), Buffer.from(one.value.draws.buffer)) === 0;
console.log(`  SE ${par.value.se.toFixed(6)}; draws with ${workers} threads and 1 thread bit-identical: ${identical}`);
const f = (x: number) => `${x.toFixed(0)}×`;
console.log(
  `speed-up vs R (3.3 s one estimate, 345 s placebo), wall: cold ${f(3.3 / cold.wall)}, warm ${f(3.3 / warm.wall)}, placebo ${workers} threads ${f(345 / par.wall)}, 1 thread ${f(345 / one.wall)}`,
);
console.log(
  `load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}; peak RSS ${peakRssMb().toFixed(0)} MB`,
);
if (!identical) process.exitCode = 1;
