/**
 * Poisson FE benchmark: fepois with two fixed effects and two regressors on generated count data, with
 * clustered SEs. Usage: node dist/bench/fepois.js [rows] [--design panel|fixest]   (default 10000000, panel)
 * - panel: units × 10 years (unit FE with rows/10 levels, year FE), y ~ Poisson(exp(0.3 x1 − 0.2 x2 + a_u + g_t)),
 *   clustered by unit;
 * - fixest: the layout of fixest's own Poisson benchmark (README, "Two fixed-effects": FE sizes n/50 and √n,
 *   one regressor), clustered by the first FE.
 * Prints rows, seconds (wall and CPU), IRLS iterations and peak RSS.
 */
import { Rng } from "../src/core/rng.js";
import { fepois } from "../src/estimators/fepois.js";
import { fepoisVcov, zTable } from "../src/inference/fepois-vcov.js";
import type { FixedEffectInput } from "../src/estimators/feols.js";
import { peakRssMb } from "./util.js";
import { performance } from "node:perf_hooks";
import { loadavg } from "node:os";

function poisson(r: Rng, lambda: number): number {
  let k = 0,
    p = Math.exp(-lambda),
    s = p;
  const u = r.uniform();
  while (u > s && k < 10000) {
    k++;
    p *= lambda / k;
    s += p;
  }
  return k;
}

function generate(rows: number, design: "panel" | "fixest") {
  const r = new Rng(20261203);
  const n = rows;
  const L1 = design === "panel" ? Math.round(n / 10) : Math.round(n / 50);
  const L2 = design === "panel" ? 10 : Math.round(Math.sqrt(n));
  const a = Float64Array.from({ length: L1 }, () => 0.5 * r.normal());
  const g = Float64Array.from({ length: L2 }, () => 0.3 * r.normal());
  const f1 = new Int32Array(n),
    f2 = new Int32Array(n);
  const x1 = new Float64Array(n),
    x2 = new Float64Array(n),
    y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c1 = design === "panel" ? Math.floor(i / 10) : r.int(L1);
    const c2 = design === "panel" ? i % 10 : r.int(L2);
    f1[i] = c1;
    f2[i] = c2;
    x1[i] = r.normal();
    x2[i] = r.uniform();
    y[i] = poisson(r, Math.exp(0.3 * x1[i]! - 0.2 * x2[i]! + a[c1]! + g[c2]!));
  }
  const fes: FixedEffectInput[] = [
    { name: "fe1", codes: f1, nLevels: L1 },
    { name: "fe2", codes: f2, nLevels: L2 },
  ];
  const x =
    design === "panel"
      ? [
          { name: "x1", values: x1 },
          { name: "x2", values: x2 },
        ]
      : [{ name: "x1", values: x1 }];
  return { n, L1, L2, fes, x, y };
}

const args = process.argv.slice(2);
const rows = Number(args.find((s) => /^\d+$/.test(s)) ?? 10_000_000);
const di = args.indexOf("--design");
const design = (di >= 0 ? args[di + 1] : "panel") as "panel" | "fixest";
const t0 = performance.now();
const d = generate(rows, design);
console.log(
  `design ${design}: ${d.n} rows, FE sizes ${d.L1} and ${d.L2}, ${d.x.length} regressor(s); generated in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
const t1 = performance.now();
const c1 = process.cpuUsage();
const fit = fepois({ y: d.y, yName: "y", x: d.x, fixedEffects: d.fes });
const tFit = (performance.now() - t1) / 1000;
const vc = fepoisVcov(fit, { type: "cluster", clusters: [d.fes[0]!] });
const tab = zTable(fit, vc);
const wall = (performance.now() - t1) / 1000;
const cpu = process.cpuUsage(c1);
console.log(
  `fepois, 2 FE, clustered SE: ${wall.toFixed(2)} s wall (fit ${tFit.toFixed(2)} s), ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, ${fit.iterations} IRLS iterations, peak RSS ${peakRssMb().toFixed(0)} MB`,
);
console.log(
  `   nobs ${fit.nobs} (all-zero FE groups removed: ${fit.feAllZeroRemoved} obs), ${tab.map((r) => `${r.term} = ${r.estimate!.toFixed(5)} (se ${r.std_error!.toFixed(5)})`).join(", ")}, converged ${fit.converged}`,
);
