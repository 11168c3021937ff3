/** Simulated county-year panels for the placebo tests and bench (seed-paper size by default). */
import { Rng } from "../../../src/core/rng.js";
import type { PilotPanel } from "../../../src/inference/placebo-pilots.js";

/**
 * N units × T periods (codes 0..T−1 = years first..), unit and period effects, one control x, noise;
 * `pilots` units drawn at random get cohorts (period codes) in the given sizes; effect τ on treated cells.
 */
export function simulatePilotPanel(
  seed: number,
  o: { N?: number; T?: number; cohorts?: [number, number][]; tau?: number; controls?: number } = {},
): PilotPanel & { treated: Int32Array } {
  const N = o.N ?? 435;
  const T = o.T ?? 22;
  const cohorts = o.cohorts ?? [
    [12, 8],
    [13, 9],
    [16, 7],
  ]; // 2013/2014/2017 in 2001–2022: 24 pilots
  const tau = o.tau ?? 0;
  const K = o.controls ?? 1;
  const rng = new Rng(seed);
  const cohort = new Int32Array(N).fill(-1);
  const perm = rng.sample(
    N,
    cohorts.reduce((s, c) => s + c[1], 0),
  );
  let j = 0;
  for (const [c, n] of cohorts) for (let k = 0; k < n; k++) cohort[perm[j++]!] = c;
  const n = N * T;
  const unit = new Int32Array(n);
  const time = new Int32Array(n);
  const y = new Float64Array(n);
  const x = Array.from({ length: K }, (_, k) => ({ name: `x${k + 1}`, values: new Float64Array(n) }));
  const a = Float64Array.from({ length: N }, () => 2 * rng.normal());
  const g = Float64Array.from({ length: T }, (_, t) => 0.1 * t + 0.5 * rng.normal());
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) {
      const r = i * T + t;
      unit[r] = i;
      time[r] = t;
      let v = a[i]! + g[t]! + rng.normal();
      for (let k = 0; k < K; k++) {
        const xv = 0.5 * a[i]! + rng.normal();
        x[k]!.values[r] = xv;
        v += 0.3 * xv;
      }
      if (cohort[i]! >= 0 && t >= cohort[i]!) v += tau;
      y[r] = v;
    }
  }
  return { unit, nUnits: N, time, nTimes: T, y, x, cohort, treated: perm };
}
