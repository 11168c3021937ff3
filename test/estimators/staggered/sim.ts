/** Simulated staggered-adoption panels with known, heterogeneous and dynamic treatment effects. */
import { Rng } from "../../../src/core/rng.js";

export interface SimPanel {
  n: number;
  y: Float64Array;
  y0: Float64Array;
  unit: Int32Array;
  nUnits: number;
  time: Float64Array;
  cohort: Float64Array;
  x: Float64Array;
  /** true τ_it (0 on untreated rows) */
  tau: Float64Array;
}

export interface SimOptions {
  nUnits: number;
  periods: number[];
  /** cohorts to draw from (0 = never treated), uniformly */
  cohorts: number[];
  /** τ(g, e) for e ≥ 0 */
  effect: (g: number, e: number) => number;
  noise?: number;
  /** probability that a row is missing (never the first period) */
  missing?: number;
  /** coefficient of the covariate x in Y(0) */
  beta?: number;
}

/** Y_it = α_i + γ_t + β·x_it + τ(G_i, t − G_i)·D_it + σ·ε. */
export function simulate(seed: number, o: SimOptions): SimPanel {
  const r = new Rng(seed);
  const rows: { u: number; t: number; g: number }[] = [];
  const alpha: number[] = [],
    coh: number[] = [];
  for (let u = 0; u < o.nUnits; u++) {
    coh.push(o.cohorts[r.int(o.cohorts.length)]!);
    alpha.push(r.normal() + (coh[u]! > 0 ? 0.5 * Math.sin(coh[u]!) : 0));
  }
  for (let u = 0; u < o.nUnits; u++)
    o.periods.forEach((t, k) => {
      if (k > 0 && o.missing && r.uniform() < o.missing) return;
      rows.push({ u, t, g: coh[u]! });
    });
  const n = rows.length;
  const gamma = new Map(o.periods.map((t) => [t, 0.3 * (t - o.periods[0]!) + 0.2 * r.normal()]));
  const beta = o.beta ?? 0;
  const p: SimPanel = {
    n,
    y: new Float64Array(n),
    y0: new Float64Array(n),
    unit: new Int32Array(n),
    nUnits: o.nUnits,
    time: new Float64Array(n),
    cohort: new Float64Array(n),
    x: new Float64Array(n),
    tau: new Float64Array(n),
  };
  rows.forEach((row, i) => {
    p.unit[i] = row.u;
    p.time[i] = row.t;
    p.cohort[i] = row.g;
    p.x[i] = r.normal() + 0.1 * row.t + 0.3 * alpha[row.u]!;
    const y0 = alpha[row.u]! + gamma.get(row.t)! + beta * p.x[i]! + (o.noise ?? 0) * r.normal();
    p.y0[i] = y0;
    const d = row.g > 0 && row.t >= row.g;
    p.tau[i] = d ? o.effect(row.g, row.t - row.g) : 0;
    p.y[i] = y0 + p.tau[i]!;
  });
  return p;
}
