/**
 * Simulated staggered panels with a known truth for the heterogeneity-robust DID tests: cohorts with
 * effects that differ by cohort and grow with time since treatment, unit and period effects, iid noise.
 */
import { Rng } from "../../../src/core/rng.js";
import type { LongPanelInput } from "../../../src/estimators/cs/cs-panel.js";

export interface SimSpec {
  nUnits: number;
  T: number;
  /** cohort values (periods 1..T; 0 = never) and their probabilities */
  cohorts: number[];
  probs: number[];
  /** treatment effect of cohort g at event time e ≥ 0 */
  effect: (g: number, e: number) => number;
  noise?: number;
  seed: number;
  /** a time-invariant covariate X ~ N(0,1) shifting the cohort odds and adding X·trend(t) to Y */
  covariateTrend?: (t: number) => number;
}

export interface SimPanel extends LongPanelInput {
  /** per unit cohort (unit i = i) */
  unitCohort: Int32Array;
  /** true effect at each row (0 when untreated) */
  tau: Float64Array;
}

export function simulateStaggered(s: SimSpec): SimPanel {
  const rng = new Rng(s.seed);
  const N = s.nUnits * s.T;
  const y = new Float64Array(N),
    unit = new Float64Array(N),
    time = new Float64Array(N),
    cohort = new Float64Array(N),
    tau = new Float64Array(N),
    xcol = new Float64Array(N);
  const unitCohort = new Int32Array(s.nUnits);
  const gamma = Array.from({ length: s.T + 1 }, (_, t) => 0.3 * t + 0.5 * Math.sin(t));
  let r = 0;
  for (let i = 0; i < s.nUnits; i++) {
    const x = rng.normal();
    let probs = s.probs;
    if (s.covariateTrend) {
      // covariate shifts the odds of the later cohorts/never (selection on X)
      const w = s.probs.map((p, k) => p * Math.exp(0.8 * x * (k % 2 === 0 ? 1 : -1)));
      const tot = w.reduce((a, b) => a + b, 0);
      probs = w.map((v) => v / tot);
    }
    let u = rng.uniform(),
      k = 0;
    while (k < probs.length - 1 && u >= probs[k]!) {
      u -= probs[k]!;
      k++;
    }
    const g = s.cohorts[k]!;
    unitCohort[i] = g;
    const a = rng.normal() + (0.5 * g) / s.T;
    for (let t = 1; t <= s.T; t++, r++) {
      const eff = g > 0 && t >= g ? s.effect(g, t - g) : 0;
      tau[r] = eff;
      y[r] = a + gamma[t]! + eff + (s.covariateTrend ? x * s.covariateTrend(t) : 0) + (s.noise ?? 1) * rng.normal();
      unit[r] = i + 1;
      time[r] = t;
      cohort[r] = g;
      xcol[r] = x;
    }
  }
  return {
    names: { y: "y", unit: "id", time: "t", cohort: "g" },
    y,
    unit,
    time,
    cohort,
    tau,
    unitCohort,
    x: s.covariateTrend ? [{ name: "x", values: xcol }] : [],
  };
}

/** Static TWFE coefficient on D_it = 1[g > 0, t ≥ g] in a balanced panel, by closed-form two-way demeaning. */
export function twfeStatic(p: LongPanelInput, nUnits: number, T: number): number {
  const N = p.y.length;
  const D = new Float64Array(N);
  for (let r = 0; r < N; r++) D[r] = p.cohort[r]! > 0 && p.time[r]! >= p.cohort[r]! ? 1 : 0;
  const dm = (v: ArrayLike<number>): Float64Array => {
    const mi = new Float64Array(nUnits + 1),
      mt = new Float64Array(T + 1);
    let m = 0;
    for (let r = 0; r < N; r++) {
      mi[p.unit[r] as number]! += v[r]! / T;
      mt[p.time[r]!]! += v[r]! / nUnits;
      m += v[r]! / N;
    }
    return Float64Array.from({ length: N }, (_, r) => v[r]! - mi[p.unit[r] as number]! - mt[p.time[r]!]! + m);
  };
  const Dt = dm(D),
    Yt = dm(p.y);
  let num = 0,
    den = 0;
  for (let r = 0; r < N; r++) {
    num += Dt[r]! * Yt[r]!;
    den += Dt[r]! * Dt[r]!;
  }
  return num / den;
}

/** True simple ATT as did aggregates it: post cells (g, t) weighted by cohort size. */
export function trueSimpleAtt(p: SimPanel, T: number, effect: (g: number, e: number) => number): number {
  const size = new Map<number, number>();
  for (const g of p.unitCohort) size.set(g, (size.get(g) ?? 0) + 1);
  let num = 0,
    den = 0;
  for (const [g, n] of size) {
    if (g === 0) continue;
    for (let t = g; t <= T; t++) {
      num += n * effect(g, t - g);
      den += n;
    }
  }
  return num / den;
}

/** True dynamic θ(e): cohort-size weighted effect at event time e over cohorts observed at e. */
export function trueDynamic(p: SimPanel, T: number, e: number, effect: (g: number, e: number) => number): number {
  const size = new Map<number, number>();
  for (const g of p.unitCohort) size.set(g, (size.get(g) ?? 0) + 1);
  let num = 0,
    den = 0;
  for (const [g, n] of size)
    if (g > 0 && g + e <= T) {
      num += n * effect(g, e);
      den += n;
    }
  return num / den;
}
