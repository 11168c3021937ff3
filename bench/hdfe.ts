/**
 * HDFE OLS benchmark: TWFE with 3 covariates + unit-clustered SEs, and a binned event study (−4..5, base −1:
 * 9 dummies + 3 covariates), on in-memory panels of 2M and 10M rows (unit FE, year FE, staggered adoption).
 * Usage: node dist/bench/hdfe.js [rows…] [--unbalanced] [--event-only]   (default rows: 2000000 10000000)
 * `--event-only` skips the TWFE fit (for profiling the event study alone).
 * Goal (R fixest on this machine, 10M rows): TWFE 5.0 s, event study 34 s.
 */
import { Rng } from "../src/core/rng.js";
import { feols, type FixedEffectInput } from "../src/estimators/feols.js";
import { computeVcov, coefTable } from "../src/inference/vcov.js";
import { eventDummies } from "../src/analyses/event.js";
import { peakRssMb } from "./util.js";
import { performance } from "node:perf_hooks";
import { loadavg } from "node:os";

/** Wall-clock and CPU seconds (CPU time is less distorted when other jobs share the machine). */
async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  console.log(
    `${label.padEnd(48)} ${seconds.toFixed(3)} s wall  ${((c.user + c.system) / 1e6).toFixed(3)} s CPU (user ${(c.user / 1e6).toFixed(3)})   peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  return { value, seconds };
}

const T = 10;

function panel(rows: number, unbalanced: boolean) {
  const r = new Rng(20251125);
  const units = Math.round(rows / T);
  const keepP = unbalanced ? 0.9 : 1;
  const cap = rows;
  const unit = new Int32Array(cap),
    year = new Int32Array(cap);
  const x1 = new Float64Array(cap),
    x2 = new Float64Array(cap),
    x3 = new Float64Array(cap),
    y = new Float64Array(cap);
  const rel = new Int32Array(cap);
  let n = 0;
  for (let u = 0; u < units; u++) {
    const a = r.normal();
    const cohort = r.uniform() < 0.4 ? -1 : 3 + r.int(6); // never treated or adopts in year 3..8
    for (let t = 0; t < T && n < cap; t++) {
      if (keepP < 1 && r.uniform() > keepP) continue;
      unit[n] = u;
      year[n] = t;
      const d = cohort >= 0 && t >= cohort ? 1 : 0;
      x1[n] = r.normal();
      x2[n] = r.normal() + 0.1 * t;
      x3[n] = r.uniform();
      rel[n] = cohort >= 0 ? t - cohort : -1000;
      y[n] = a + 0.05 * t + 0.5 * x1[n]! - 0.2 * x2[n]! + 0.3 * x3[n]! - 0.04 * d + r.normal();
      n++;
    }
  }
  const sl = <A extends Int32Array | Float64Array>(v: A) => v.subarray(0, n) as A;
  return { n, units, unit: sl(unit), year: sl(year), x1: sl(x1), x2: sl(x2), x3: sl(x3), y: sl(y), rel: sl(rel) };
}

async function run(rows: number, unbalanced: boolean, eventOnly: boolean): Promise<void> {
  const p = panel(rows, unbalanced);
  console.log(
    `\n== load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        " ",
      )}; ${p.n} rows (${p.units} units × ${T} years${unbalanced ? ", ~10% rows dropped" : ", balanced"}), peak RSS so far ${peakRssMb().toFixed(0)} MB`,
  );
  const fes: FixedEffectInput[] = [
    { name: "unit", codes: p.unit, nLevels: p.units },
    { name: "year", codes: p.year, nLevels: T },
  ];
  const cov = [
    { name: "x1", values: p.x1 },
    { name: "x2", values: p.x2 },
    { name: "x3", values: p.x3 },
  ];
  const treat = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) treat[i] = p.rel[i]! >= 0 ? 1 : 0;
  const cl = { type: "cluster" as const, clusters: [{ name: "unit", codes: p.unit, nLevels: p.units }] };
  if (!eventOnly) {
    const twfe = await timed(`TWFE (treat + 3 covariates), cluster unit`, () => {
      const fit = feols({ y: p.y, yName: "y", x: [{ name: "treat_post", values: treat }, ...cov], fixedEffects: fes });
      return { fit, rows: coefTable(fit, computeVcov(fit, cl)) };
    });
    console.log(
      `   β(treat_post) = ${twfe.value.rows[0]!.estimate!.toFixed(5)} (se ${twfe.value.rows[0]!.std_error!.toFixed(5)}), converged ${twfe.value.fit.converged}`,
    );
  }
  // relative time as a data column (as in R, where it is a column of the data.table before feols)
  const rel = Float64Array.from(p.rel, (r) => (r === -1000 ? Number.NaN : r));
  const ev = await timed(`event study (9 binned dummies + 3 covariates)`, () => {
    // as `keytech did event` builds them (eventDummies): dense 0/1 columns plus their rows of ones
    const dums = eventDummies(rel, [-1], [-4, 5], "bin");
    for (const d of dums) d.owned = true;
    const fit = feols({ y: p.y, yName: "y", x: [...dums, ...cov], fixedEffects: fes });
    const c0 = process.cpuUsage();
    const vc = computeVcov(fit, cl);
    const c = process.cpuUsage(c0);
    console.log(`   (of which the clustered VCOV: ${((c.user + c.system) / 1e6).toFixed(3)} s CPU)`);
    return { fit, rows: coefTable(fit, vc) };
  });
  console.log(`   β(0) = ${ev.value.rows[3]!.estimate!.toFixed(5)}, β(5) = ${ev.value.rows[8]!.estimate!.toFixed(5)}, k = ${ev.value.fit.coef.length}`);
}

const args = process.argv.slice(2);
const unbalanced = args.includes("--unbalanced");
const eventOnly = args.includes("--event-only");
const sizes = args.filter((a) => !a.startsWith("--")).map(Number);
for (const rows of sizes.length ? sizes : [2_000_000, 10_000_000]) await run(rows, unbalanced, eventOnly);
console.log(
  `\npeak RSS ${peakRssMb().toFixed(0)} MB; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
