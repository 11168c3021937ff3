/**
 * Staggered-DID benchmark for the imputation (BJS) and stacked (WFH-weighted, window −3:2) estimators,
 * with their clustered SEs, on in-memory balanced panels: units × 20 periods, 30% never treated, the rest
 * adopting in periods 5..16, heterogeneous dynamic effects, one covariate.
 * Usage: node dist/bench/staggered.js [units…]   (default: 100000)
 * Prints wall seconds, CPU seconds of this process (meaningful when the machine is shared) and peak RSS.
 */
import { Rng } from "../src/core/rng.js";
import { gatherI, imputationFit } from "../src/estimators/imputation.js";
import { stackedFit } from "../src/estimators/stacked.js";
import { computeVcov, coefTable } from "../src/inference/vcov.js";
import { peakRssMb, timed } from "./util.js";

/** timed() plus the CPU seconds (user + system) the step used. */
async function timedCpu(label: string, fn: () => void): Promise<void> {
  const c0 = process.cpuUsage();
  await timed(label, fn);
  const c = process.cpuUsage(c0);
  console.log(`${"".padEnd(48)} cpu ${((c.user + c.system) / 1e6).toFixed(3)} s`);
}

const T = 20;

function panel(units: number) {
  const r = new Rng(20251125);
  const n = units * T;
  const unit = new Int32Array(n),
    time = new Float64Array(n),
    cohort = new Float64Array(n);
  const x = new Float64Array(n),
    y = new Float64Array(n);
  let i = 0;
  for (let u = 0; u < units; u++) {
    const a = r.normal();
    const g = r.uniform() < 0.3 ? 0 : 5 + r.int(12);
    for (let t = 1; t <= T; t++, i++) {
      unit[i] = u;
      time[i] = t;
      cohort[i] = g;
      x[i] = r.normal() + 0.05 * t;
      const tau = g > 0 && t >= g ? (1 + 0.2 * (t - g)) * (g % 3 === 0 ? 2 : 1) : 0;
      y[i] = a + 0.1 * t + 0.5 * x[i]! + tau + r.normal();
    }
  }
  return { y, unit, nUnits: units, time, cohort, x: [{ name: "x", values: x }] };
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((v) => v > 0);
for (const units of sizes.length ? sizes : [100_000]) {
  const p = panel(units);
  console.log(`\n${units} units × ${T} periods = ${p.y.length} rows (data built, peak RSS ${peakRssMb().toFixed(0)} MB)`);
  await timedCpu("imputation: ATT + 16 horizons, conservative SEs", () => {
    const f = imputationFit(p);
    console.log(`  ATT ${f.estimates[0]!.estimate.toFixed(4)} (${f.estimates[0]!.std_error.toFixed(4)}), ${f.estimates.length - 1} horizons`);
  });
  for (const weights of ["wfh", "none"] as const) {
    await timedCpu(`stacked (${weights}), window −3:2, cluster VCOV`, () => {
      const sf = stackedFit(p, { kPre: 3, kPost: 2, weights });
      const cl = { name: "unit", codes: gatherI(p.unit, sf.stack.row), nLevels: units };
      const tab = coefTable(sf.fit, computeVcov(sf.fit, { type: "cluster", clusters: [cl] }));
      console.log(`  ${sf.stack.n} stacked rows, rel::0 ${tab.find((r) => r.term === "rel::0")!.estimate!.toFixed(4)}`);
    });
  }
}
