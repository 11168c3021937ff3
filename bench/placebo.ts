/**
 * Counterfactual-pilot placebo speed on a panel of the seed's size: 435 units × 22 years, 24 pilots in
 * cohorts 2013/2014/2017, one control; 1,000 replications (goal: < 2 s of estimation time).
 * Each draw also gets its cluster-robust SE and t (studentised p).
 * Usage: node dist/bench/placebo.js [--reps 1000] [--unbalanced]
 */
import { loadavg } from "node:os";
import { Rng } from "../src/core/rng.js";
import { placeboPilots, type PilotPanel } from "../src/inference/placebo-pilots.js";
import { simulatePilotPanel } from "../test/inference/placebo/sim.js";
import { peakRssMb, timed } from "./util.js";

const k = process.argv.indexOf("--reps");
const reps = k >= 0 ? Number(process.argv[k + 1]) : 1000;
let p: PilotPanel = simulatePilotPanel(42, { tau: 0.3 });
if (process.argv.includes("--unbalanced")) {
  const rows = [...Array(p.y.length).keys()].filter((r) => r % 37 !== 5);
  p = {
    ...p,
    unit: Int32Array.from(rows, (r) => p.unit[r]!),
    time: Int32Array.from(rows, (r) => p.time[r]!),
    y: Float64Array.from(rows, (r) => p.y[r]!),
    x: p.x.map((c) => ({ name: c.name, values: Float64Array.from(rows, (r) => c.values[r]!) })),
  };
}
console.log(`panel: ${p.nUnits} units × ${p.nTimes} periods, ${p.y.length} rows, 24 pilots (3 cohorts), 1 control; ${reps} replications`);
const c0 = process.cpuUsage();
const r = await timed(`placebo pilots (${reps} reps, uniform draws)`, () => placeboPilots(p, new Rng(1), { replications: reps }));
console.log(
  `  β̂ ${r.value.estimate.toFixed(4)} (cluster se ${r.value.stdError.toFixed(4)}, t ${r.value.tStat.toFixed(3)}), placebo sd ${r.value.sd.toFixed(4)}, p ${r.value.pValue}, studentised p ${r.value.pValueT}, balanced ${r.value.balanced}`,
);
await timed(`placebo pilots (${reps} reps, rank strata)`, () => placeboPilots(p, new Rng(1), { replications: reps, strata: "rank", pool: "all" }));
const c = process.cpuUsage(c0);
console.log(
  `CPU (both runs) ${((c.user + c.system) / 1e6).toFixed(3)} s; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}; peak RSS ${peakRssMb().toFixed(0)} MB`,
);
