/**
 * Mechanism block bench: a county-year panel of 435 units × 22 years (9,570 rows), staggered adoption
 * (A = Treat×Post), 3 ordered mediators, 2 covariates + year indicators.
 *   1. path-decomposition point estimates with BART at the R defaults (200 trees, 100 burn-in, 1,000
 *      kept draws; propensity probit BART 50 trees) — goal < 30 s;
 *   2. N bootstrap replications resampling counties, spread over the cores with a progress bar.
 * Usage: node dist/bench/paths.js [--boot 200] [--boot-model linear|bart] [--boot-ndpost 1000] [--workers 2] [--skip-point] [--warm] [--seed 1]
 * (--warm: BART replicates start from the point estimate's forests with a 20-iteration burn-in, opt-in)
 * (the 200 BART replications: node dist/bench/paths.js --skip-point --boot 200 --boot-model bart)
 * Prints wall seconds, CPU seconds (this process incl. workers' threads) and peak RSS.
 */
import { Rng } from "../src/core/rng.js";
import { pathsAnalysis, periodDummies } from "../src/analyses/paths.js";
import { pathsBootstrap, pathsEstimateParallel } from "../src/inference/paths-bootstrap.js";
import type { BartForest } from "../src/estimators/bart/bart.js";
import { progressBar } from "../src/core/progress.js";
import { peakRssMb, timed } from "./util.js";

const arg = (name: string, def: string) => {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1]! : def;
};
const units = 435,
  years = 22,
  n = units * years;
const rng = new Rng(2025);
const y = new Float64Array(n),
  d = new Float64Array(n),
  x1 = new Float64Array(n),
  x2 = new Float64Array(n);
const m = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
const unit: string[] = [],
  year: number[] = [];
for (let u = 0; u < units; u++) {
  const alpha = rng.normal();
  const cohort = u < 60 ? 2013 : u < 120 ? 2014 : u < 160 ? 2017 : 0; // pilot cohorts, rest never treated
  for (let t = 0; t < years; t++) {
    const i = u * years + t,
      yr = 2000 + t;
    unit.push(`c${u}`);
    year.push(yr);
    const a = cohort > 0 && yr >= cohort ? 1 : 0;
    d[i] = a;
    x1[i] = alpha + rng.normal();
    x2[i] = 0.05 * t + rng.normal();
    m[0]![i] = 0.2 * a + 0.3 * x1[i]! + rng.normal();
    m[1]![i] = 0.3 * a + 0.4 * m[0]![i]! + 0.2 * x2[i]! + rng.normal();
    m[2]![i] = 0.2 * a + 0.3 * m[1]![i]! + 0.1 * m[0]![i]! + rng.normal();
    y[i] = 0.25 * a + 4 * m[0]![i]! + 2 * m[1]![i]! + 1.5 * m[2]![i]! + alpha + 0.1 * t + 2 * rng.normal();
  }
}
console.log(`panel: ${units} units × ${years} years = ${n} rows; treated rows ${d.reduce((s, v) => s + v, 0)}`);
const input = {
  y: { name: "keytech", values: y },
  treat: { name: "treat_post", values: d },
  mediators: [
    { name: "cospecialize", values: m[0]! },
    { name: "diffusion", values: m[1]! },
    { name: "efficiency", values: m[2]! },
  ],
  x: [
    { name: "x1", values: x1 },
    { name: "x2", values: x2 },
  ],
  time: { name: "year", values: year },
  cluster: { name: "county", values: unit },
};
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const show = (r: Awaited<ReturnType<typeof pathsAnalysis>>) => {
  for (const e of r.estimates)
    console.log(
      `  ${e.term.padEnd(24)} ${e.estimate!.toFixed(4).padStart(9)}  se ${e.std_error === null ? "  —   " : e.std_error.toFixed(4)}  share ${(100 * (e.share as number)).toFixed(1)}%`,
    );
};
if (!process.argv.includes("--skip-point")) {
  const c0 = cpu();
  const { value } = await timed("point estimates, BART 200 trees / 1000 draws", () => pathsAnalysis({ ...input, options: { model: "bart" }, seed: 1 }));
  console.log(`  CPU (all threads) ${(cpu() - c0).toFixed(1)} s`);
  show(value);
}
const B = Number(arg("--boot", "200"));
const bm = arg("--boot-model", "linear") as "linear" | "bart";
const W = Number(arg("--workers", "2"));
if (B > 0) {
  // The bootstrap alone (pathsBootstrap, as pathsAnalysis calls it): per-replicate time and extrapolation.
  const opts = { model: bm, estimator: "hybrid" as const, ndpost: Number(arg("--boot-ndpost", "1000")) };
  const data = { y, a: d, m, x: [x1, x2, ...periodDummies(year).map((c) => c.values)] };
  const ids = new Map<string, number>();
  const cluster = Int32Array.from(unit, (u) => {
    let g = ids.get(u);
    if (g === undefined) {
      g = ids.size;
      ids.set(u, g);
    }
    return g;
  });
  const warm = bm === "bart" && process.argv.includes("--warm");
  let forests: Map<number, BartForest> | undefined;
  if (warm) {
    // the point estimate's forests (pathsAnalysis has them from its point estimate; timed apart here)
    forests = new Map();
    const c0 = cpu();
    await timed("point-estimate forests for the warm starts", () => pathsEstimateParallel(data, opts, new Rng(1).fork(0), W, forests));
    console.log(`  CPU (all threads) ${(cpu() - c0).toFixed(1)} s`);
  }
  const bar = progressBar("paths bootstrap", B);
  const c1 = cpu(),
    t1 = performance.now();
  const reps = await pathsBootstrap(data, opts, {
    reps: B,
    seed: Number(arg("--seed", "1")),
    cluster,
    workers: W,
    onReplicate: () => bar.tick(),
    warm,
    forests,
  });
  bar.done();
  const wall = (performance.now() - t1) / 1000,
    cpuS = cpu() - c1;
  console.log(
    `${B} cluster-bootstrap replications (${bm}${bm === "bart" ? (warm ? ", warm-started" : ", cold") : ""}, ${W} workers): ${wall.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU (all threads), peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  console.log(
    `  per replicate ${(cpuS / B).toFixed(2)} CPU-s, ${(wall / B).toFixed(2)} s wall; extrapolated to 200: ${((200 * cpuS) / B).toFixed(0)} CPU-s, ${((200 * wall) / B).toFixed(0)} s wall at this load`,
  );
  const ok = reps.filter((r) => r !== null);
  const sdOf = (v: number[]) => {
    const mu = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(1, v.length - 1));
  };
  if (ok.length > 1)
    console.log(
      `  bootstrap SE: total ${sdOf(ok.map((r) => r!.total)).toFixed(4)}, direct ${sdOf(ok.map((r) => r!.direct)).toFixed(4)}, via ${ok[0]!.via.map((_, k) => sdOf(ok.map((r) => r!.via[k]!)).toFixed(4)).join(" / ")} (${ok.length} ok)`,
    );
}
