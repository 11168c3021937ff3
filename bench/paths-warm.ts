/**
 * Warm-started vs cold BART bootstrap SEs on the design of test/estimators/paths ("warm-started (opt-in)
 * and cold replicates agree statistically"): 400 rows in 100 clusters, 10 trees, 50 + 80 iterations,
 * warm burn-in 10, B = 40 replicates each, over bootstrap seeds `--seeds A-B` (the test uses seed 8).
 * Prints per seed the five terms' ratios SE_warm / SE_cold, then their mean and sd over the seeds, so
 * that two builds (e.g. two random-number generators) can be compared as distributions.
 * `--pool K`: also the test's statistic — the ratio of SEs over the replicates of K consecutive seeds
 * pooled (K·B replicates per mode; the test pools seeds 8–11) — for each group of K seeds, and the
 * mean and sd of that ratio over the groups.
 * Usage: node dist/bench/paths-warm.js [--seeds 8-15] [--reps 40] [--workers 2] [--pool 4]
 */
import { simulateMediationSem } from "../src/sim/mediation-sem.js";
import { pathsBootstrap, summariseBoot } from "../src/inference/paths-bootstrap.js";
import { peakRssMb } from "./util.js";

const arg = (name: string, def: string) => {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1]! : def;
};
const [s0, s1] = arg("--seeds", "8-15").split("-").map(Number) as [number, number];
const B = Number(arg("--reps", "40"));
const W = Number(arg("--workers", "2"));

// the test's simulate(17, 400)
const n = 400;
const d = simulateMediationSem(17, n);
const cluster = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 4));
const opts = { model: "bart" as const, estimator: "hybrid" as const, ntree: 10, nskip: 50, ndpost: 80, warmNskip: 10 };
const terms = (r: { total: number; direct: number; via: number[] }) => [r.total, r.direct, ...r.via];
const K = Number(arg("--pool", "0"));
const pooledW: number[][][] = [],
  pooledC: number[][][] = [];
const t0 = performance.now();
const all: number[][] = [];
const cold: number[][] = [];
for (let seed = s0; seed <= s1; seed++) {
  const w = await pathsBootstrap(d, opts, { reps: B, seed, cluster, workers: W, warm: true });
  const c = await pathsBootstrap(d, opts, { reps: B, seed, cluster, workers: W });
  const ratios: number[] = [],
    cs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const sw = summariseBoot(w.map((r) => terms(r!)[k]!)).std_error!,
      sc = summariseBoot(c.map((r) => terms(r!)[k]!)).std_error!;
    ratios.push(sw / sc);
    cs.push(sc);
  }
  pooledW.push(w.map((r) => terms(r!)));
  pooledC.push(c.map((r) => terms(r!)));
  all.push(ratios);
  cold.push(cs);
  console.log(
    `seed ${seed}: SE_warm/SE_cold ${ratios.map((v) => v.toFixed(3)).join(" ")}  (min ${Math.min(...ratios).toFixed(3)}); SE_cold ${cs.map((v) => v.toFixed(4)).join(" ")}`,
  );
}
const mean = (v: number[]) => v.reduce((s, u) => s + u, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(v.reduce((s, u) => s + (u - mean(v)) ** 2, 0) / Math.max(1, v.length - 1));
const flat = all.flat();
console.log(
  `${all.length} seeds × 5 terms, B = ${B}: ratio mean ${mean(flat).toFixed(3)}, sd ${sd(flat).toFixed(3)}; per term ${[0, 1, 2, 3, 4].map((k) => mean(all.map((r) => r[k]!)).toFixed(3)).join(" ")}; mean SE_cold ${mean(cold.flat()).toFixed(4)}; ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s wall, peak RSS ${peakRssMb().toFixed(0)} MB`,
);
if (K > 0) {
  const groups: number[][] = [];
  for (let g = 0; g + K <= pooledW.length; g += K) {
    const se = (p: number[][][], k: number) => summariseBoot(p.slice(g, g + K).flatMap((rs) => rs.map((t) => t[k]!))).std_error!;
    const r = [0, 1, 2, 3, 4].map((k) => se(pooledW, k) / se(pooledC, k));
    groups.push(r);
    console.log(
      `seeds ${s0 + g}–${s0 + g + K - 1} pooled (${K * B} replicates per mode): ratio ${r.map((v) => v.toFixed(3)).join(" ")}; mean ${mean(r).toFixed(3)}`,
    );
  }
  if (groups.length > 0)
    console.log(
      `pooled over ${K} seeds, ${groups.length} groups: ratio mean ${mean(groups.flat()).toFixed(3)}, sd ${sd(groups.flat()).toFixed(3)}, min ${Math.min(...groups.flat()).toFixed(3)}, max ${Math.max(...groups.flat()).toFixed(3)}; mean over terms: min ${Math.min(...groups.map(mean)).toFixed(3)}, max ${Math.max(...groups.map(mean)).toFixed(3)}`,
    );
}
